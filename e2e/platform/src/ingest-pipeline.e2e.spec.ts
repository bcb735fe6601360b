import { createHmac } from 'node:crypto';
import { credentials, Metadata } from '@grpc/grpc-js';
import { grpcJs, TOPICS } from '@kuroshio/contracts';
import { waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLake, type LakeContents } from './ingest-lake.js';
import { basicAuth, removeRunData, startIngestRun, type IngestRun } from './ingest-run.js';
import { readTopicRange, topicEnd, type TopicRecord } from './ingest-topics.js';
import { warehouseRows } from './ingest-warehouse.js';

// Planted PII: a Taiwanese national ID, a mobile, an e-mail address, a Luhn-valid card and a name in
// a field the identify schema marks. None may be found, in any of these spellings, in anything the
// run wrote to the lake, ClickHouse or the DLQ.
const NATIONAL_ID = 'A123456789';
const MOBILE = '0912-345-678';
const EMAIL = 'mei.chen@example.com.tw';
const CARD = '4111 1111 1111 1111';
const NAME = '陳美玲';
const FORBIDDEN = [NATIONAL_ID, MOBILE, '0912345678', '912-345-678', '+886912345678', EMAIL, CARD, '4111111111111111', '4111-1111-1111-1111', NAME];

let run: IngestRun;
const id = (suffix: string) => `${run.tenant}-${suffix}`;
const accepted = new Set<string>();
let deadLettered = '';
const neverLanded: string[] = [];

beforeAll(async () => {
  run = await startIngestRun();
});

afterAll(async () => {
  await run?.stop();
  if (run) await removeRunData(run);
});

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${run.collectorUrl}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('ingest pipeline: collector and ETL as processes on the local stack', () => {
  it('accepts the good events of a Segment /v1/batch and reports the bad ones by index', async () => {
    const batch = [
      {
        type: 'track',
        messageId: id('seg-0'),
        event: 'Transfer Completed',
        userId: EMAIL,
        properties: { amount: 1200, currency: 'TWD', memo: `轉帳給 ${NATIONAL_ID} 手機 ${MOBILE}`, card: CARD },
        context: { traits: { email: EMAIL } },
      },
      { type: 'identify', messageId: id('seg-1'), userId: id('cust-1'), traits: { email: EMAIL, phone: MOBILE, nationalId: NATIONAL_ID, name: NAME, segment: 'retail' } },
      { type: 'page', messageId: id('seg-2'), anonymousId: id('anon-2'), name: 'Card Application', properties: { search: `card ${CARD} mail ${EMAIL}` } },
      { type: 'track', messageId: id('seg-3'), userId: id('cust-3') },
      // Valid for the collector, but the schema of this event requires merchant and dueDate: the ETL dead-letters it.
      { type: 'track', messageId: id('seg-4'), event: 'Carrier Billing Charge', userId: id('cust-4'), properties: { chargeId: 'c-4', amount: 10, currency: 'TWD', msisdn: MOBILE, note: `ID ${NATIONAL_ID}` } },
      { type: 'page', messageId: id('seg-5'), userId: id('cust-5'), timestamp: 'yesterday' },
    ];
    const reply = await post('/v1/batch', JSON.stringify({ batch }), { authorization: basicAuth(run.keys.web) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body['accepted']).toBe(4);
    expect((reply.body['rejected'] as Array<{ index: number; code: string }>).map(({ index, code }) => ({ index, code }))).toEqual([
      { index: 3, code: 'invalid_envelope' },
      { index: 5, code: 'invalid_envelope' },
    ]);
    for (const suffix of ['seg-0', 'seg-1', 'seg-2']) accepted.add(id(suffix));
    deadLettered = id('seg-4');
    neverLanded.push(id('seg-3'), id('seg-5'));
  });

  it('takes a LINE webhook with a good signature and answers 401 to a bad one', async () => {
    const webhook = (eventId: string, text: string) =>
      JSON.stringify({
        destination: 'Ubank',
        events: [
          {
            type: 'message',
            mode: 'active',
            timestamp: Date.now(),
            webhookEventId: eventId,
            source: { type: 'user', userId: 'U4af4980629' },
            deliveryContext: { isRedelivery: false },
            replyToken: 'r-1',
            message: { id: '1', type: 'text', text },
          },
        ],
      });
    const good = webhook(id('line-1'), `我的身分證是${NATIONAL_ID}，電話${MOBILE}，信箱 ${EMAIL}`);
    const signature = createHmac('sha256', run.lineChannelSecret).update(good).digest('base64');
    const ok = await post(`/v1/line/${run.sources.line}`, good, { 'x-line-signature': signature });
    expect(ok).toMatchObject({ status: 200, body: { accepted: 1, rejected: [] } });
    accepted.add(id('line-1'));

    const forged = webhook(id('line-bad'), 'forged');
    const bad = await post(`/v1/line/${run.sources.line}`, forged, { 'x-line-signature': createHmac('sha256', 'not-the-secret').update(forged).digest('base64') });
    expect(bad).toMatchObject({ status: 401, body: { reason: 'invalid_signature' } });
    neverLanded.push(id('line-bad'));
  });

  it('ingests a gRPC client stream from an IoT gateway', async () => {
    const { Event, EventType } = grpcJs.ingest.v1;
    const meter = (n: number) =>
      Event.fromPartial({ messageId: id(`iot-${n}`), type: EventType.EVENT_TYPE_TRACK, event: 'Meter Reading', userId: id(`meter-${n % 2}`), properties: { kwh: n + 0.5, note: `owner ${EMAIL} card ${CARD}` } });
    const client = new grpcJs.ingest.v1.IngestServiceClient(run.collectorGrpc, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', basicAuth(run.keys.iot));
    try {
      const reply = await new Promise<grpcJs.ingest.v1.IngestStreamResponse>((resolve, reject) => {
        const call = client.ingestStream(metadata, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response)));
        call.write({ events: [meter(0), meter(1), meter(2)] });
        call.write({ events: [meter(3), Event.fromPartial({ messageId: id('iot-bad'), type: EventType.EVENT_TYPE_TRACK, userId: id('meter-0') }), meter(4)] });
        call.end();
      });
      expect(reply).toMatchObject({ receivedCount: 6, acceptedCount: 5 });
      expect(reply.rejections.map((rejection) => rejection.index)).toEqual([4]);
    } finally {
      client.close();
    }
    for (const n of [0, 1, 2, 3, 4]) accepted.add(id(`iot-${n}`));
    neverLanded.push(id('iot-bad'));
  });

  describe('once the ETL has processed them', () => {
    let events: Array<{ message_id: string; tenant: string; channel: string; customer_id: string }>;
    let lake: LakeContents;
    let dlq: TopicRecord[];

    beforeAll(async () => {
      expect(accepted.size).toBe(9);
      events = await waitFor(
        async () => {
          if (run.etl.child.exitCode !== null) throw new Error(`the ETL exited: ${run.etl.output().slice(-3000)}`);
          const rows = await warehouseRows<{ message_id: string; tenant: string; channel: string; customer_id: string }>(
            run.database,
            'SELECT message_id, tenant, channel, customer_id FROM events FINAL',
          );
          const letters = await warehouseRows<{ message_id: string }>(run.database, 'SELECT message_id FROM dead_letters FINAL');
          const found = new Set(rows.map((row) => row.message_id));
          return [...accepted].every((messageId) => found.has(messageId)) && letters.some((row) => row.message_id === deadLettered) && rows;
        },
        { timeoutMs: 90_000, intervalMs: 1_000, description: `the ETL landing the run's events in ${run.database}` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nETL output:\n${run.etl.output().slice(-3000)}`);
      });
      lake = await waitFor(
        async () => {
          const contents = await readLake(run.lakePrefix);
          const clean = new Set(contents.cleanRows.map((row) => String(row['message_id'])));
          return [...accepted].every((messageId) => clean.has(messageId)) && contents;
        },
        { timeoutMs: 30_000, intervalMs: 1_000, description: 'the lake holding the run' },
      );
      dlq = await readTopicRange(TOPICS.eventsDlq.name, run.start.dlq, await topicEnd(TOPICS.eventsDlq.name));
    });

    it('has every accepted event in ClickHouse events exactly once, with the channel of its transport', () => {
      const mine = events.filter((row) => row.tenant === run.tenant);
      const counts = countBy(mine.map((row) => row.message_id));
      expect(Object.fromEntries([...accepted].map((messageId) => [messageId, counts.get(messageId)]))).toEqual(Object.fromEntries([...accepted].map((messageId) => [messageId, 1])));
      const channel = new Map(mine.map((row) => [row.message_id, row.channel]));
      expect([channel.get(id('seg-0')), channel.get(id('line-1')), channel.get(id('iot-0'))]).toEqual(['web', 'line', 'iot']);
      expect(mine.find((row) => row.message_id === id('seg-0'))?.customer_id).toMatch(/^tok_email_/);
    });

    it('has every accepted event once in clean/ Parquet (read with pyarrow) and every record once in raw/ NDJSON', () => {
      const clean = countBy(lake.cleanRows.filter((row) => row['tenant'] === run.tenant).map((row) => String(row['message_id'])));
      expect(new Set(clean.keys())).toEqual(accepted);
      expect([...clean.values()].every((count) => count === 1)).toBe(true);
      expect(lake.cleanKeys.every((key) => /\/clean\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/topic=.+\/partition=\d+\/offsets=\d{9}-\d{9}\.parquet$/.test(key))).toBe(true);

      const raw = countBy(lake.rawLines.map((line) => rawMessageId(line.value, run.tenant)).filter((messageId): messageId is string => messageId !== undefined));
      expect(new Set(raw.keys())).toEqual(new Set([...accepted, deadLettered]));
      expect([...raw.values()].every((count) => count === 1)).toBe(true);
    });

    it('keeps the event the ETL could not accept in events.dlq and dead_letters, with its reason', async () => {
      const letters = await warehouseRows<{ message_id: string; reason_code: string; reason: string; tenant: string }>(
        run.database,
        'SELECT message_id, reason_code, reason, tenant FROM dead_letters FINAL',
      );
      const letter = letters.find((row) => row.message_id === deadLettered);
      expect(letter).toMatchObject({ reason_code: 'SCHEMA_MISMATCH', tenant: run.tenant });
      expect(letter!.reason).toMatch(/^etl\.schema: .*merchant/);

      const onTopic = dlq.map((record) => JSON.parse(record.value ?? 'null') as { messageId: string | null; stage: string; errorCode: string; reason: string }).filter((value) => value.messageId === deadLettered);
      expect(onTopic.length).toBeGreaterThanOrEqual(1);
      expect(onTopic[0]).toMatchObject({ stage: 'etl.schema', errorCode: 'SCHEMA_MISMATCH' });
    });

    it('never lands what the collector refused or a forged LINE webhook carried', () => {
      const everywhere = new Set([
        ...events.map((row) => row.message_id),
        ...lake.cleanRows.map((row) => String(row['message_id'])),
        ...lake.rawLines.map((line) => rawMessageId(line.value, run.tenant)),
      ]);
      expect(neverLanded.filter((messageId) => everywhere.has(messageId))).toEqual([]);
      expect(lake.text).not.toContain('forged');
    });

    it('leaves the planted PII nowhere: not in any lake object, ClickHouse row or DLQ record of the run', async () => {
      const tables = await Promise.all(['events', 'dead_letters', 'etl_record_outcomes'].map((table) => warehouseRows(run.database, `SELECT * FROM ${table}`)));
      const everything = [lake.text, JSON.stringify(tables), JSON.stringify(dlq.filter((record) => record.value?.includes(run.tenant)))].join('\n');
      expect(everything.length).toBeGreaterThan(5_000);
      const lower = everything.toLowerCase();
      for (const value of FORBIDDEN) expect(lower, value).not.toContain(value.toLowerCase());
      for (const kind of ['national_id', 'phone', 'email', 'card']) expect(everything).toContain(`tok_${kind}_`);
    });
  });
});

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function rawMessageId(value: string | null, tenant: string): string | undefined {
  if (value === null) return undefined;
  try {
    const envelope = (JSON.parse(value) as { envelope?: { messageId?: string; tenant?: string } }).envelope;
    return envelope?.tenant === tenant ? envelope.messageId : undefined;
  } catch {
    return undefined;
  }
}
