import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ReadinessReport } from '../readiness/readiness-check.js';
import { ReadinessService } from '../readiness/readiness.service.js';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: answers while the event loop does. Never checks dependencies: a Kafka outage must not restart every pod. */
  @Get('healthz')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 200 only when every dependency check passes, else 503 naming each failure. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.evaluate();
    reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
