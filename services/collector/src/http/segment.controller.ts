import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@kuroshio/service-kit';
import { writeKeyFromAuthorization, type WriteKeyCredential } from '../auth/write-key.js';
import type { CollectorSettings } from '../collector-settings.js';
import { COLLECTOR_SETTINGS } from '../collector-tokens.js';
import { EventIngestor, type IngestOutcome } from '../ingest/event-ingestor.js';
import { segmentPayload, type SegmentCall } from '../segment/segment-body.js';
import type { Source } from '../sources/source-definition.js';
import { SourceRegistry } from '../sources/source-registry.js';
import { callerTraceContext } from './caller-trace.js';
import { rejectedEventBody, type IngestReplyBody } from './ingest-reply.js';
import { takeIngestBody } from './http-ingest-pipeline.js';
import { decodeJsonBody } from './request-body.js';

/**
 * The Segment tracking API, so analytics SDKs point at Kuroshio unchanged. The write key comes as
 * the basic-auth user (server and mobile SDKs) or in the body (analytics.js in browsers).
 */
@Controller('v1')
export class SegmentController {
  constructor(
    private readonly ingestor: EventIngestor,
    private readonly sources: SourceRegistry,
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
  ) {}

  @Post('batch')
  @HttpCode(200)
  batch(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('batch', request);
  }

  @Post('track')
  @HttpCode(200)
  track(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('track', request);
  }

  @Post('identify')
  @HttpCode(200)
  identify(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('identify', request);
  }

  @Post('page')
  @HttpCode(200)
  page(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('page', request);
  }

  @Post('screen')
  @HttpCode(200)
  screen(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('screen', request);
  }

  @Post('group')
  @HttpCode(200)
  group(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('group', request);
  }

  @Post('alias')
  @HttpCode(200)
  alias(@Req() request: FastifyRequest): Promise<IngestReplyBody> {
    return this.#ingest('alias', request);
  }

  async #ingest(call: SegmentCall, request: FastifyRequest): Promise<IngestReplyBody> {
    const outcome = await this.#submit(call, request);
    if (call !== 'batch' && outcome.accepted === 0 && outcome.rejections.length > 0) {
      const rejected = outcome.rejections.map((rejection) => rejectedEventBody(rejection));
      throw new DomainError('INVALID_ARGUMENT', rejected.map((r) => r.reason).join('; '), { reason: 'invalid_event', details: { rejected } });
    }
    return { success: true, accepted: outcome.accepted, rejected: outcome.rejections.map((rejection) => rejectedEventBody(rejection)) };
  }

  /**
   * Synchronous up to the Kafka wait, so that nothing waiting for Kafka refers to the body or its
   * parsed events: they die in the young generation instead of being promoted (0010).
   */
  #submit(call: SegmentCall, request: FastifyRequest): Promise<IngestOutcome> {
    const receivedAt = new Date();
    const header = writeKeyFromAuthorization(request.headers.authorization);
    // A header key is checked before the body is parsed: a wrong key costs no JSON work.
    const early = header.kind === 'none' ? undefined : this.sources.authenticate(header);
    const payload = segmentPayload(call, decodeJsonBody(takeIngestBody(request).bytes));
    const source: Source = early ?? this.sources.authenticate(this.#bodyCredential(payload.bodyWriteKey));
    const parentContext = callerTraceContext(request);
    return this.ingestor.ingest({ source, events: payload.events, transport: 'http', requestId: randomUUID(), receivedAt, ...(parentContext === undefined ? {} : { parentContext }) });
  }

  #bodyCredential(bodyWriteKey: string | undefined): WriteKeyCredential {
    return this.settings.acceptBodyWriteKey && bodyWriteKey !== undefined ? { kind: 'key', writeKey: bodyWriteKey } : { kind: 'none' };
  }
}
