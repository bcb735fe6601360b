// gRPC: generated from proto/ by `npm run codegen`.
// grpcNest.<area>.v1: message types, <Service>Controller / <Service>ControllerMethods for NestJS.
// grpcJs.<area>.v1: message types with encode/decode, <Service>Client and <Service>Service for @grpc/grpc-js.
export * as grpcNest from './generated/nest/index.kuroshio.js';
export * as grpcJs from './generated/grpc-js/index.kuroshio.js';
export { GRPC_LOADER_OPTIONS, GRPC_SERVICES, grpcServerOptions, grpcServiceOptions, type GrpcServiceContract, type GrpcServiceName } from './grpc-services.js';
export { protoFile, protoRoot } from './proto-root.js';
export { dateFromTimestamp, durationFromMs, msFromDuration, timestampFromDate, type Duration, type Timestamp } from './proto-time.js';

// Event envelope.
export { CHANNELS, EVENT_TYPES, SLUG_PATTERN, type Channel, type EventType } from './envelope/envelope-fields.js';
export { ENVELOPE_LIMITS, FORBIDDEN_KEYS, type EnvelopeLimits } from './envelope/envelope-limits.js';
export {
  cleanEnvelopeSchema,
  eventEnvelopeSchema,
  inboundEventSchema,
  type CleanEnvelope,
  type EventEnvelope,
  type InboundEvent,
} from './envelope/envelope-schema.js';
export { validateCleanEnvelope, validateEnvelope, validateInboundEvent } from './envelope/validate-envelope.js';
export { enrichInboundEvent, type IngestEnrichment } from './envelope/enrich-inbound-event.js';
export { inboundInputFromGrpcEvent } from './envelope/inbound-from-grpc-event.js';
export { partitionKey } from './envelope/partition-key.js';
export { describeIssues, formatPath, type ValidationIssue, type ValidationResult } from './validation-issue.js';

// Kafka topics.
export { TOPIC_LIST, TOPICS, type TopicKey, type TopicValue } from './topics/topics.js';
export { defineTopic, type CleanupPolicy, type TopicDefinition } from './topics/topic-definition.js';
export { decodeTopicValue, encodeTopicValue, validateTopicValue } from './topics/topic-codec.js';
export { INGEST_TRANSPORTS, rawEventValueSchema, type RawEventValue } from './topics/raw-event-value.js';
export { validateRawEventValue } from './topics/raw-event-value-check.js';
export { cleanEventValueSchema, type CleanEventValue } from './topics/clean-event-value.js';
export {
  bytesFromDeadLetterPayload,
  DEAD_LETTER_STAGES,
  deadLetterPayloadFromBytes,
  deadLetterValueSchema,
  type DeadLetterPayload,
  type DeadLetterStage,
  type DeadLetterValue,
} from './topics/dead-letter-value.js';
export { predictionValueSchema, SERVED_ARTIFACTS, type PredictionValue } from './topics/prediction-value.js';
export { exposureValueSchema, type ExposureValue } from './topics/exposure-value.js';
export { aliasChangeKey, aliasChangeValueSchema, type AliasChangeValue } from './topics/alias-change-value.js';
export { kafkaCoordinatesSchema, type KafkaCoordinates } from './topics/shared-schemas.js';
export { ALIAS_PATTERN, EXPERIMENT_KEY_PATTERN, MODEL_NAME_PATTERN, TOPIC_NAME_PATTERN } from './naming.js';
export { CHALLENGER_ALIAS, CHAMPION_ALIAS, retrainingExperimentKey } from './retraining-experiment.js';
