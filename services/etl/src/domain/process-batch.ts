import {
  deadLetterPayloadFromBytes,
  describeIssues,
  partitionKey,
  type CleanEnvelope,
  type DeadLetterStage,
  type ValidationIssue,
} from '@kuroshio/contracts';
import type { ArchivedRecord, CleanEvent, ProcessedBatch, RecordOutcome, RejectedRecord } from './batch-outcome.js';
import { decodeRecord } from './decode-record.js';
import { coordinatesOf, type DedupWindow } from './dedup-window.js';
import { settleEventTime, type EventTimeSettings } from './event-time.js';
import type { EventSchemas, EventSchemaVersion } from './event-schemas.js';
import { normaliseMoney } from './money.js';
import type { PiiScrubber } from './pii-scrubber.js';
import { rawArchiveLine, scrubRecordValue, type ScrubbedValue } from './raw-archive.js';
import type { RawBatch, RawRecord } from './raw-record.js';
import { tokeniseEnvelope } from './tokenise-envelope.js';
import { identityOf, scrubUnvalidated } from './unvalidated-record.js';

export interface BatchProcessing {
  readonly schemas: EventSchemas;
  readonly scrubber: PiiScrubber;
  readonly dedup: DedupWindow;
  readonly eventTime: EventTimeSettings;
  readonly now: () => Date;
}

interface Rejection {
  stage: DeadLetterStage;
  errorCode: string;
  issues: ValidationIssue[];
}

/**
 * The ETL as a plain function over one partition's batch: every record ends up accepted (a clean
 * event), deduplicated, or rejected (a dead letter), and every record is archived for raw/. Nothing
 * here talks to Kafka, S3 or ClickHouse; a bad record never throws.
 */
export function processBatch(batch: RawBatch, processing: BatchProcessing): ProcessedBatch {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (first === undefined || last === undefined) throw new Error('processBatch: empty batch');
  const processedAt = processing.now();
  const result = { archived: [] as ArchivedRecord[], clean: [] as CleanEvent[], rejected: [] as RejectedRecord[], outcomes: [] as RecordOutcome[] };
  for (const record of batch.records) {
    processRecord(record, processing, processedAt, result);
  }
  return { topic: batch.topic, partition: batch.partition, firstOffset: first.offset, lastOffset: last.offset, ...result };
}

function processRecord(
  record: RawRecord,
  processing: BatchProcessing,
  processedAt: Date,
  out: { archived: ArchivedRecord[]; clean: CleanEvent[]; rejected: RejectedRecord[]; outcomes: RecordOutcome[] },
): void {
  const { scrubber } = processing;
  const kafkaTime = new Date(Number(record.timestamp));
  const decoded = decodeRecord(record.value);
  if (!decoded.ok) {
    const value = scrubUnvalidated(record, decoded.text, decoded.parsed, processing);
    out.archived.push({ line: rawArchiveLine(record, value, scrubber), eventTime: kafkaTime });
    reject(record, value, { stage: decoded.stage, errorCode: decoded.errorCode, issues: decoded.issues }, identityOf(decoded.parsed), kafkaTime, processing, processedAt, out);
    return;
  }
  const envelope = decoded.value.envelope;
  const settled = settleEventTime(envelope, processing.eventTime);
  // An implausible event time still needs an hour partition in raw/: the record's Kafka time.
  const time = settled.implausible ? { ...settled, archiveTime: kafkaTime } : { ...settled, archiveTime: settled.eventTime };
  // The event name as the outcome counts see it: scrubbed like the clean envelope's (schemas are looked up by the name as sent).
  const identity = { tenant: envelope.tenant, source: envelope.source, type: envelope.type, event: scrubber.scrubText(envelope.event ?? '').text, messageId: envelope.messageId };

  if (processing.dedup.isDuplicate(envelope.tenant, envelope.messageId, coordinatesOf(record))) {
    const value = scrubRecordValue(decoded.text, decoded.parsed, scrubber, recordPiiPaths(processing.schemas.versionsOf(envelope.type, envelope.event)[0], processing.schemas));
    out.archived.push({ line: rawArchiveLine(record, value, scrubber), eventTime: time.archiveTime });
    out.outcomes.push({ record, outcome: 'deduplicated', ...identity, stage: '', errorCode: '', late: time.late, future: time.future, eventTime: time.archiveTime });
    return;
  }

  const field = envelope.type === 'identify' || envelope.type === 'group' ? 'traits' : 'properties';
  const money = normaliseMoney(envelope[field], field);
  const normalised: CleanEnvelope = { ...envelope, timestamp: time.eventTime.toISOString(), [field]: money.value as Record<string, unknown> | undefined };
  const verdict = money.issues.length > 0 ? undefined : processing.schemas.check(envelope.type, envelope.event, normalised[field], (key) => scrubber.scrubText(key).text);
  const schema: EventSchemaVersion | undefined = verdict?.schema ?? processing.schemas.versionsOf(envelope.type, envelope.event)[0];
  const explicitPaths = schema?.envelopePiiPaths ?? processing.schemas.envelopePiiPaths;

  let tokenised;
  try {
    tokenised = tokeniseEnvelope(normalised, explicitPaths, scrubber);
  } catch (error) {
    const value = scrubRecordValue(decoded.text, decoded.parsed, scrubber, recordPiiPaths(schema, processing.schemas));
    out.archived.push({ line: rawArchiveLine(record, value, scrubber), eventTime: time.archiveTime });
    const issues = [{ path: '', code: 'tokenisation_failed', message: (error as Error).message }];
    reject(record, value, { stage: 'etl.tokenise', errorCode: 'TOKENISATION_FAILED', issues }, identity, time.archiveTime, processing, processedAt, out);
    return;
  }
  const value = scrubRecordValue(decoded.text, decoded.parsed, scrubber, recordPiiPaths(schema, processing.schemas));
  out.archived.push({ line: rawArchiveLine(record, value, scrubber), eventTime: time.archiveTime });

  if (time.implausible) {
    const issues = [{ path: 'envelope.timestamp', code: 'implausible_time', message: `event time ${time.eventTime.toISOString()} is before 2000 even after clock-skew correction` }];
    reject(record, value, { stage: 'etl.normalise', errorCode: 'INVALID_TIMESTAMP', issues }, identity, kafkaTime, processing, processedAt, out);
    return;
  }
  if (money.issues.length > 0) {
    reject(record, value, { stage: 'etl.normalise', errorCode: 'INVALID_CURRENCY', issues: money.issues }, identity, time.archiveTime, processing, processedAt, out);
    return;
  }
  if (verdict !== undefined && !verdict.ok) {
    reject(record, value, { stage: 'etl.schema', errorCode: 'SCHEMA_MISMATCH', issues: verdict.issues }, identity, time.archiveTime, processing, processedAt, out);
    return;
  }
  out.clean.push({
    record,
    customerId: partitionKey(tokenised.envelope),
    eventTime: time.eventTime,
    schemaVersion: schema?.version ?? 0,
    value: {
      envelope: tokenised.envelope,
      processing: {
        raw: { topic: record.topic, partition: record.partition, offset: record.offset },
        eventSchema: verdict?.schema?.id ?? null,
        clockSkewMs: time.clockSkewMs,
        tokenizedPaths: tokenised.tokenizedPaths,
        processedAt: processedAt.toISOString(),
      },
    },
  });
  out.outcomes.push({ record, outcome: 'accepted', ...identity, stage: '', errorCode: '', late: time.late, future: time.future, eventTime: time.eventTime });
}

function reject(
  record: RawRecord,
  value: ScrubbedValue,
  rejection: Rejection,
  identity: Partial<Pick<RecordOutcome, 'tenant' | 'source' | 'type' | 'event'>> & { messageId?: string | undefined },
  eventTime: Date,
  processing: BatchProcessing,
  processedAt: Date,
  out: { rejected: RejectedRecord[]; outcomes: RecordOutcome[] },
): void {
  const { scrubber } = processing;
  const key = record.key === null ? null : scrubber.scrubText(record.key.toString('utf8')).text;
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(record.headers)) headers[name] = scrubber.scrubText(text).text;
  const issues = rejection.issues.slice(0, 100).map((issue) => ({
    path: scrubber.scrubText(issue.path).text.slice(0, 1024),
    code: issue.code.slice(0, 64),
    message: scrubber.scrubText(issue.message).text.slice(0, 1024),
  }));
  out.rejected.push({
    record,
    key,
    headers,
    deadLetter: {
      stage: rejection.stage,
      errorCode: rejection.errorCode,
      reason: (describeIssues(issues) || rejection.errorCode).slice(0, 4096),
      issues,
      payload: value.text === null ? deadLetterPayloadFromBytes(Buffer.alloc(0)) : { encoding: value.encoding, data: value.text },
      origin: { topic: record.topic, partition: record.partition, offset: record.offset, key },
      tenant: identity.tenant?.slice(0, 128) ?? null,
      source: identity.source?.slice(0, 128) ?? null,
      messageId: identity.messageId?.slice(0, 256) ?? null,
      failedAt: processedAt.toISOString(),
    },
  });
  out.outcomes.push({
    record,
    outcome: 'rejected',
    tenant: identity.tenant ?? '',
    source: identity.source ?? '',
    type: identity.type ?? '',
    event: scrubber.scrubText(identity.event ?? '').text,
    stage: rejection.stage,
    errorCode: rejection.errorCode,
    late: false,
    future: false,
    eventTime,
  });
}

function recordPiiPaths(schema: EventSchemaVersion | undefined, schemas: EventSchemas): readonly string[] {
  return schema?.recordPiiPaths ?? schemas.recordPiiPaths;
}
