import { fileURLToPath } from 'node:url';

// src/ and dist/ sit at the same depth, so this finds services/etl/schemas from either.
export const EVENT_SCHEMA_DIRECTORY = fileURLToPath(new URL('../schemas/', import.meta.url));
