import { Injectable } from '@nestjs/common';
import { defineCounter } from '@kuroshio/telemetry';
import type { ParityReport } from './parity-check.js';

/** Parity results as Prometheus counters: the mismatch rate is the train/serve skew to alert on. */
@Injectable()
export class ParityMetrics {
  readonly #compared = defineCounter({ name: 'feature_store_parity_values_compared_total', help: 'Feature values compared online against offline' });
  readonly #mismatched = defineCounter<'feature'>({
    name: 'feature_store_parity_mismatches_total',
    help: 'Feature values that differed between the online and offline paths',
    labelNames: ['feature'],
  });

  record(report: ParityReport): void {
    this.#compared.inc(report.valuesCompared);
    for (const mismatch of report.mismatches) this.#mismatched.inc({ feature: `${mismatch.feature.featureView}:${mismatch.feature.feature}` });
  }
}
