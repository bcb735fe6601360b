import { InMemoryChangeLog as GenericInMemoryChangeLog } from '@kuroshio/control-plane';
import type { ExposureValue } from '@kuroshio/contracts';
import type { Change } from '../domain/experiment-change.js';
import type { ExperimentSpec } from '../domain/experiment-definition.js';
import type { AnalystViews, ExposureSink } from '../domain/experiment-ports.js';

/** A change log in memory; `failNext` makes appends fail, either before or after they land. */
export class InMemoryChangeLog extends GenericInMemoryChangeLog<Change> {}

export class RecordingViews implements AnalystViews {
  readonly created: string[] = [];
  fail = false;

  async ensure(spec: ExperimentSpec): Promise<void> {
    if (this.fail) throw new Error('clickhouse down');
    this.created.push(spec.key);
  }
}

export class RecordingExposures implements ExposureSink {
  readonly recorded: ExposureValue[] = [];
  fail = false;

  async record(exposure: ExposureValue): Promise<void> {
    if (this.fail) throw new Error('kafka down');
    this.recorded.push(exposure);
  }
}

/** A valid definition input (domain shape) for unit tests. */
export function definitionInput(key = 'checkout-test') {
  return {
    key,
    hypothesis: 'Green button converts better',
    description: '',
    owner: 'growth',
    unit: '',
    salt: '2026-11',
    variants: [
      { key: 'control', description: '', weight: 1, control: true, model: null },
      { key: 'green', description: '', weight: 1, control: false, model: { modelName: 'bad-debt', version: 4 } },
    ],
    targeting: { traitFilters: [{ path: 'segment', operator: 'equals', values: ['retail'] }], trafficFraction: 0.5 },
    metrics: [
      { key: 'paid_30d', description: '', kind: 'conversion', event: 'Carrier Billing Payment', property: '', filters: [], windowMs: 30 * 86_400_000, role: 'primary', direction: 'increase', cupedLookbackMs: null },
    ],
  };
}

/** Strings that UTF-8 can carry (no lone surrogates): what unit ids and SQL text may hold. */
export function wellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}
