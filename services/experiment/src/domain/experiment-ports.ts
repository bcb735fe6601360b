import type { ChangeLog as ControlPlaneChangeLog } from '@kuroshio/control-plane';
import type { ExposureValue } from '@kuroshio/contracts';
import type { Change } from './experiment-change.js';
import type { ExperimentSpec } from './experiment-definition.js';

// What the service needs from the outside world; adapters for ClickHouse and Kafka implement these,
// unit tests use in-memory fakes.

/** The durable, append-only change log. */
export type ChangeLog = ControlPlaneChangeLog<Change>;

/** The per-experiment SQL view analysts query (created when an experiment starts). */
export interface AnalystViews {
  ensure(spec: ExperimentSpec): Promise<void>;
}

/** Where exposures go (kuroshio.experiment.exposures.v1). Resolves once acknowledged. */
export interface ExposureSink {
  record(exposure: ExposureValue): Promise<void>;
}
