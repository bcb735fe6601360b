import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { TrainerMetrics } from '../metrics/trainer-metrics.js';
import { TRAINER_SETTINGS } from '../trainer-tokens.js';
import type { TrainerSettings } from '../trainer-settings.js';
import { selectBackend, type SelectedBackend } from '@kuroshio/model-runtime';

/** Selects the TensorFlow.js backend at start-up, logs it and exports it as a metric. */
@Injectable()
export class TensorflowBackend implements OnModuleInit {
  private selected: SelectedBackend | undefined;

  constructor(
    @Inject(TRAINER_SETTINGS) private readonly settings: TrainerSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly metrics: TrainerMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.selected = await selectBackend(this.settings.backend === 'auto' ? undefined : this.settings.backend);
    this.metrics.backendSelected(this.selected.name, this.selected.simd);
    this.logger.info({ backend: this.selected.name, simd: this.selected.simd, skipped: this.selected.skipped }, 'TensorFlow.js backend selected');
  }

  get name(): string {
    if (this.selected === undefined) throw new Error('TensorFlow.js backend not selected yet');
    return this.selected.name;
  }
}
