import { Ajv } from 'ajv';
import { z } from 'zod';
import { eventEnvelopeShape } from '../envelope/envelope-schema.js';
import { typeRuleIssues } from '../envelope/envelope-type-rules.js';
import { guardJsonTree } from '../envelope/json-tree-guard.js';
import { parseWithIssues, type ValidationResult } from '../validation-issue.js';
import { rawEventValueSchema, type RawEventValue } from './raw-event-value.js';

// The zod contract stays the source of truth: the JSON Schema is generated from its shapes once,
// at load, and compiled by ajv into one function. zod's parse (with the JSON tree guard, the
// per-type rules and the transforms) costs ~10 µs on a ~600-byte event; the compiled check a
// fraction of that. Only values it accepts take the fast path; everything else is parsed by zod,
// so verdicts and issue texts stay zod's (raw-event-value-check.property.spec.ts compares both).

const ingestShape = rawEventValueSchema.shape.ingest;

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
  return rest;
}

// zod counts string lengths in code points, as ajv does by default, and runs its patterns without
// the `u` flag (unicodeRegExp off); the date-time format is zod's pattern (in the schema), not ajv's.
const ajv = new Ajv({ unicodeRegExp: false, validateFormats: false });
const checkShapes = ajv.compile({
  type: 'object',
  required: ['envelope', 'ingest'],
  properties: { envelope: jsonSchemaOf(eventEnvelopeShape), ingest: jsonSchemaOf(ingestShape) },
});

const ENVELOPE_KEYS = Object.keys(eventEnvelopeShape.shape);
const INGEST_KEYS = Object.keys(ingestShape.shape);

type JsonObject = Record<string, unknown>;

/**
 * The parsed events.raw value when the compiled check accepts it, built as zod's parse would
 * (shape key order, unknown top-level keys dropped, null → undefined, `context.channel` first);
 * undefined when it does not, which says nothing about the value: ask zod.
 */
export function rawEventValueOnFastPath(value: unknown): RawEventValue | undefined {
  if (!checkShapes(value)) return undefined;
  const input = value as { envelope: JsonObject; ingest: JsonObject };
  if (guardJsonTree(input.envelope).length > 0 || typeRuleIssues(input.envelope).length > 0) return undefined;
  // zod copies these two into plain objects; shared as they are, they must already be plain (as
  // JSON.parse makes them).
  if (!plainOrAbsent(input.envelope['properties']) || !plainOrAbsent(input.envelope['traits'])) return undefined;
  const ingest: JsonObject = {};
  for (const key of INGEST_KEYS) ingest[key] = input.ingest[key];
  return { envelope: envelopeOf(input.envelope), ingest } as unknown as RawEventValue;
}

function envelopeOf(input: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of ENVELOPE_KEYS) {
    if (!(key in input)) continue;
    // Present but null: zod's optional transform gives undefined, still as an own key.
    out[key] = key === 'context' ? contextOf(input[key] as JsonObject) : (input[key] ?? undefined);
  }
  return out;
}

function plainOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || Object.getPrototypeOf(value) === Object.prototype;
}

function contextOf(input: JsonObject): JsonObject {
  const out: JsonObject = { channel: input['channel'] };
  for (const key of Object.keys(input)) if (key !== 'channel') out[key] = input[key];
  return out;
}

/**
 * Same verdict, value and issues as `validateTopicValue(TOPICS.eventsRaw, value)`, cheaper for the
 * values it accepts. The result may share nested objects (`properties`, `traits`, context members)
 * with `value`: treat both as read-only.
 */
export function validateRawEventValue(value: unknown): ValidationResult<RawEventValue> {
  const fast = rawEventValueOnFastPath(value);
  return fast === undefined ? parseWithIssues(rawEventValueSchema, value) : { ok: true, value: fast };
}
