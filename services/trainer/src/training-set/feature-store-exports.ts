import { grpcNest } from '@kuroshio/contracts';
import { ContractClient } from '../grpc/contract-client.js';

type FeatureRef = grpcNest.features.v1.FeatureRef;
type LabelSource = grpcNest.features.v1.LabelSource;
type TimeRange = grpcNest.common.v1.TimeRange;
type TrainingSetExport = grpcNest.features.v1.TrainingSetExport;

export interface ExportRequest {
  readonly features: readonly FeatureRef[];
  readonly labels: LabelSource | null;
  readonly timeRange: TimeRange | null;
  /** Idempotency key: the job id, so a retried job start reuses the export. */
  readonly requestId: string;
}

export type ExportState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface ExportStatus {
  readonly exportId: string;
  readonly state: ExportState;
  readonly manifestUri: string;
  readonly contentHash: string;
  readonly errorMessage: string;
}

/** What the trainer needs of the feature store: start a training-set export and poll it. */
export interface TrainingSetExporter {
  startExport(request: ExportRequest): Promise<ExportStatus>;
  getExport(exportId: string): Promise<ExportStatus>;
}

/** `kuroshio.features.v1.FeatureService` over gRPC. */
export class FeatureStoreExporter implements TrainingSetExporter {
  constructor(private readonly client: ContractClient) {}

  async startExport(request: ExportRequest): Promise<ExportStatus> {
    const reply = await this.client.call<grpcNest.features.v1.ExportTrainingSetRequest, grpcNest.features.v1.ExportTrainingSetResponse>('ExportTrainingSet', {
      features: [...request.features],
      labels: request.labels,
      timeRange: request.timeRange,
      requestId: request.requestId,
    });
    return exportStatus(reply.export);
  }

  async getExport(exportId: string): Promise<ExportStatus> {
    const reply = await this.client.call<grpcNest.features.v1.GetTrainingSetExportRequest, grpcNest.features.v1.GetTrainingSetExportResponse>('GetTrainingSetExport', { exportId });
    return exportStatus(reply.export);
  }
}

function exportStatus(value: TrainingSetExport | null | undefined): ExportStatus {
  if (value === null || value === undefined) throw new Error('feature store answered without an export');
  const State = grpcNest.features.v1.ExportState;
  const state: ExportState | undefined = {
    [State.EXPORT_STATE_PENDING]: 'pending' as const,
    [State.EXPORT_STATE_RUNNING]: 'running' as const,
    [State.EXPORT_STATE_SUCCEEDED]: 'succeeded' as const,
    [State.EXPORT_STATE_FAILED]: 'failed' as const,
  }[value.state as string];
  if (state === undefined) throw new Error(`feature store reported export ${value.exportId} in state ${value.state}`);
  return { exportId: value.exportId, state, manifestUri: value.manifestUri, contentHash: value.contentHash, errorMessage: value.errorMessage };
}

export interface WaitOptions {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Starts an export and polls it until it succeeds; throws when it fails, times out or the job is cancelled. */
export async function exportTrainingSet(exporter: TrainingSetExporter, request: ExportRequest, options: WaitOptions): Promise<ExportStatus> {
  const deadline = Date.now() + options.timeoutMs;
  let status = await exporter.startExport(request);
  for (;;) {
    if (status.state === 'succeeded') return status;
    if (status.state === 'failed') throw new Error(`training-set export ${status.exportId} failed: ${status.errorMessage || 'no reason given'}`);
    if (Date.now() > deadline) throw new Error(`training-set export ${status.exportId} still ${status.state} after ${options.timeoutMs} ms`);
    await sleep(options.pollIntervalMs, options.signal);
    status = await exporter.getExport(status.exportId);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
