import { dateFromTimestamp, grpcNest, msFromDuration, timestampFromDate } from '@kuroshio/contracts';
import { assertUnreachable, DomainError } from '@kuroshio/service-kit';
import { assertPropertyPath, parseCorrelation, type EventLabelDefinition } from '../offline/event-label.js';
import { parseRowsUri, type LabelSpec } from '../offline/label-source.js';
import type { TimeRangeMs } from '../offline/label-rows.js';
import { dataObjectKey, manifestObjectKey } from '../offline/training-set-manifest.js';
import type { ExportState, TrainingSetJob } from '../offline/training-set-jobs.js';
import { filtersFromProto } from './feature-view-proto.js';

type ProtoLabelSource = grpcNest.features.v1.LabelSource;
type ProtoEventLabel = grpcNest.features.v1.EventLabel;
type ProtoExport = grpcNest.features.v1.TrainingSetExport;
const Polarity = grpcNest.features.v1.LabelPolarity;
const State = grpcNest.features.v1.ExportState;

function invalid(message: string, reason = 'invalid_label_source'): DomainError {
  return new DomainError('INVALID_ARGUMENT', message, { reason });
}

function eventLabelFromProto(label: ProtoEventLabel): EventLabelDefinition {
  if (label.anchorEvent.trim() === '') throw invalid('labels.event_label.anchor_event: missing');
  if (label.outcomeEvent.trim() === '') throw invalid('labels.event_label.outcome_event: missing');
  if (label.outcomeWindow === undefined || label.outcomeWindow === null) throw invalid('labels.event_label.outcome_window: missing');
  const outcomeWindowMs = msFromDuration(label.outcomeWindow);
  if (!(outcomeWindowMs >= 0)) throw invalid('labels.event_label.outcome_window: must not be negative');
  let positiveWhen: EventLabelDefinition['positiveWhen'];
  if (label.positiveWhen === Polarity.LABEL_POLARITY_OUTCOME_PRESENT) positiveWhen = 'outcome_present';
  else if (label.positiveWhen === Polarity.LABEL_POLARITY_OUTCOME_ABSENT) positiveWhen = 'outcome_absent';
  else throw invalid('labels.event_label.positive_when: unspecified');
  if (label.deadlineProperty !== '') assertPropertyPath(label.deadlineProperty, 'labels.event_label.deadline_property');
  const correlation = parseCorrelation(label.correlationProperty);
  return {
    anchorEvent: label.anchorEvent,
    anchorFilters: filtersFromProto(label.anchorFilters, 'labels.event_label.anchor_filters'),
    outcomeEvent: label.outcomeEvent,
    ...(correlation === undefined ? {} : { correlation }),
    ...(label.deadlineProperty === '' ? {} : { deadlineProperty: label.deadlineProperty }),
    outcomeWindowMs,
    positiveWhen,
  };
}

/** The one label source of a request; exactly one of event_label, rows, rows_uri must be set. */
export function labelSpecFromProto(source: ProtoLabelSource | null | undefined): LabelSpec {
  const set = [source?.eventLabel, source?.rows, source?.rowsUri].filter((item) => item !== undefined && item !== null);
  if (source === undefined || source === null || set.length !== 1) throw invalid('labels: set exactly one of event_label, rows, rows_uri');
  if (source.eventLabel) return { kind: 'event', definition: eventLabelFromProto(source.eventLabel) };
  if (source.rows) {
    return {
      kind: 'rows',
      rows: source.rows.rows.map((row) => ({
        entityId: row.entityId,
        labelTimeMs: row.timestamp ? dateFromTimestamp(row.timestamp).getTime() : Number.NaN,
        label: row.label,
      })),
    };
  }
  const uri = source.rowsUri as string;
  return { kind: 'rows_uri', uri, ...parseRowsUri(uri) };
}

export function timeRangeFromProto(range: grpcNest.common.v1.TimeRange | null | undefined): TimeRangeMs | undefined {
  if (range === undefined || range === null) return undefined;
  const startMs = range.startTime ? dateFromTimestamp(range.startTime).getTime() : undefined;
  const endMs = range.endTime ? dateFromTimestamp(range.endTime).getTime() : undefined;
  if (startMs !== undefined && startMs < 0) throw invalid('time_range.start_time: before 1970', 'invalid_time_range');
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) throw invalid('time_range: end_time must be after start_time', 'invalid_time_range');
  return { ...(startMs === undefined ? {} : { startMs }), ...(endMs === undefined ? {} : { endMs }) };
}

function stateToProto(state: ExportState): grpcNest.features.v1.ExportState {
  switch (state) {
    case 'pending':
      return State.EXPORT_STATE_PENDING;
    case 'running':
      return State.EXPORT_STATE_RUNNING;
    case 'succeeded':
      return State.EXPORT_STATE_SUCCEEDED;
    case 'failed':
      return State.EXPORT_STATE_FAILED;
    default:
      return assertUnreachable(state);
  }
}

export function trainingSetExportToProto(job: TrainingSetJob, bucket: string): ProtoExport {
  const manifest = job.manifest;
  return {
    exportId: job.exportId,
    state: stateToProto(job.state),
    features: job.features.map((ref) => ({ ...ref })),
    dataUri: manifest ? `s3://${bucket}/${dataObjectKey(job.exportId)}` : '',
    manifestUri: manifest ? `s3://${bucket}/${manifestObjectKey(job.exportId)}` : '',
    rowCount: manifest?.rowCount ?? 0,
    positiveCount: manifest?.positiveCount ?? 0,
    contentHash: manifest?.contentHash ?? '',
    createTime: timestampFromDate(job.createTime),
    completeTime: job.completeTime ? timestampFromDate(job.completeTime) : null,
    errorMessage: job.errorMessage ?? '',
  };
}
