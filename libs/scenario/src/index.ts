export { LOCAL_PLATFORM, type PlatformEndpoints } from './platform-endpoints.js';
export { GrpcIngestSender, sendLineWebhook, sendSegmentBatch, type SendOutcome } from './collector-senders.js';
export { ingestEvents, ingestPathOf, type IngestPath, type IngestReport } from './ingest-step.js';
export { countLanded, waitForWarehouse } from './warehouse-arrival.js';
export { recordedProgress, terminalProgress, type Progress, type ProgressTask } from './progress.js';
export { runScenario, SCALES, BAD_DEBT_FEATURES, type ScenarioOptions, type ScenarioReport, type ScenarioScale } from './run-scenario.js';
export { trainModel, unpaidChargeLabel, type FeatureSelection, type TrainedVersion, type TrainingRequest } from './training-step.js';
export { promoteVersion, type AuditLine } from './promotion-step.js';
export { SCENARIO_ACTOR } from './grpc-unary.js';
