import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry } from '@kuroshio/telemetry';

@Controller()
export class MetricsController {
  /** Prometheus text exposition of the process registry (default process metrics + the service's own). */
  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
