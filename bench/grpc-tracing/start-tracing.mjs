// Preloaded (`node --import`) into a benchmark server process: starts tracing the way
// bootstrapService does for every service — without an exporter, or exporting over OTLP/HTTP to
// BENCH_OTLP_ENDPOINT.
import { startTracing } from '../../libs/telemetry/dist/index.js';

const endpoint = process.env.BENCH_OTLP_ENDPOINT;
startTracing({ serviceName: 'feature-store', ...(endpoint ? { otlpEndpoint: endpoint } : {}) });
