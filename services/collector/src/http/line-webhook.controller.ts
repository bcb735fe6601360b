import { randomUUID } from 'node:crypto';
import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Secret } from '@kuroshio/config';
import { DomainError } from '@kuroshio/service-kit';
import { EventIngestor, type IngestOutcome } from '../ingest/event-ingestor.js';
import { verifyLineSignature } from '../line/line-signature.js';
import { mapLineWebhook, type MappedLineEvents } from '../line/line-webhook-events.js';
import type { Source } from '../sources/source-definition.js';
import { SourceRegistry } from '../sources/source-registry.js';
import { callerTraceContext } from './caller-trace.js';
import { rejectedEventBody, type RejectedEventBody } from './ingest-reply.js';
import { takeIngestBody } from './http-ingest-pipeline.js';
import { decodeJsonBody } from './request-body.js';

export interface LineWebhookReplyBody {
  readonly success: true;
  readonly accepted: number;
  /** Indexes refer to the webhook's `events` array. */
  readonly rejected: readonly RejectedEventBody[];
  readonly skipped: readonly { index: number; type: string }[];
}

/** LINE Messaging API webhook of one source (a LINE official account), URL `/v1/line/<source>`. */
@Controller('v1/line')
export class LineWebhookController {
  constructor(
    private readonly ingestor: EventIngestor,
    private readonly sources: SourceRegistry,
  ) {}

  @Post(':source')
  @HttpCode(200)
  async webhook(
    @Param('source') sourceId: string,
    @Headers('x-line-signature') signature: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<LineWebhookReplyBody> {
    const receivedAt = new Date();
    const source = this.sources.byId(sourceId);
    const secret = source?.lineChannelSecret;
    if (source === undefined || secret === undefined) {
      throw new DomainError('NOT_FOUND', 'no LINE source with this id', { reason: 'unknown_line_source' });
    }
    const { outcome: delivered, positions, skipped } = this.#submit(source, secret, signature, request, receivedAt);
    const outcome = await delivered;
    return {
      success: true,
      accepted: outcome.accepted,
      rejected: outcome.rejections.map((rejection) => rejectedEventBody(rejection, positions[rejection.index] ?? rejection.index)),
      skipped,
    };
  }

  /** Synchronous up to the Kafka wait: nothing waiting for Kafka refers to the body or its parsed events. */
  #submit(source: Source, secret: Secret, signature: string | undefined, request: FastifyRequest, receivedAt: Date): { outcome: Promise<IngestOutcome> } & Pick<MappedLineEvents, 'positions' | 'skipped'> {
    const body = takeIngestBody(request);
    // The signature covers the bytes as LINE sent them; nothing is parsed before it checks out.
    if (!verifyLineSignature(secret.reveal(), body.wire, signature)) {
      throw new DomainError('UNAUTHENTICATED', 'x-line-signature does not match the body', { reason: 'invalid_signature' });
    }
    const { events, positions, skipped } = mapLineWebhook(decodeJsonBody(body.bytes));
    const parentContext = callerTraceContext(request);
    const outcome = this.ingestor.ingest({ source, events, transport: 'line-webhook', requestId: randomUUID(), receivedAt, ...(parentContext === undefined ? {} : { parentContext }) });
    return { outcome, positions, skipped };
  }
}
