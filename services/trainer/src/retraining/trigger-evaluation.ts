import type { DriftMeasurement } from './drift-measurement.js';
import type { TriggerSettings } from './retraining-policy.js';

export type TriggerName = 'schedule' | 'data_volume' | 'feature_drift' | 'score_drift';

/** One trigger's verdict, as the run reports and logs it. */
export interface TriggerEvaluation {
  readonly trigger: TriggerName;
  /** false: the trigger is on but could not be measured (see `detail`). */
  readonly evaluated: boolean;
  readonly fired: boolean;
  /** Champion age in hours, new labelled rows, or the largest PSI. */
  readonly value: number;
  readonly threshold: number;
  readonly detail: string;
  readonly drift: readonly DriftMeasurement[];
}

/** A measurement, or why it could not be taken (too few recent predictions, no reference, …). */
export type Measured<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

/** What was measured for the triggers that are on; a trigger that is off has no entry. */
export interface TriggerObservations {
  readonly championAgeMs: number;
  readonly newLabelledRows?: Measured<number>;
  readonly featureDrift?: Measured<readonly DriftMeasurement[]>;
  readonly scoreDrift?: Measured<DriftMeasurement>;
}

const HOUR_MS = 3_600_000;

/** Each trigger that is on, in a fixed order; any `fired` asks for a retraining. */
export function evaluateTriggers(settings: TriggerSettings, observed: TriggerObservations): TriggerEvaluation[] {
  const evaluations: TriggerEvaluation[] = [];
  if (settings.maxChampionAgeMs !== null) {
    const age = observed.championAgeMs / HOUR_MS;
    const limit = settings.maxChampionAgeMs / HOUR_MS;
    const fired = observed.championAgeMs >= settings.maxChampionAgeMs;
    evaluations.push(verdict('schedule', fired, age, limit, `champion is ${round(age)} h old, the schedule allows ${round(limit)} h`));
  }
  if (settings.minNewLabelledRows > 0) {
    evaluations.push(
      measured('data_volume', observed.newLabelledRows, settings.minNewLabelledRows, (rows) =>
        verdict('data_volume', rows >= settings.minNewLabelledRows, rows, settings.minNewLabelledRows, `${rows} new labelled rows since the champion's training set (${settings.minNewLabelledRows} needed)`),
      ),
    );
  }
  const drift = settings.drift;
  if (drift !== null) {
    evaluations.push(measured('feature_drift', observed.featureDrift, drift.psiThreshold, (features) => driftVerdict('feature_drift', features, drift.psiThreshold)));
    if (drift.includeScores) {
      evaluations.push(measured('score_drift', observed.scoreDrift, drift.psiThreshold, (score) => driftVerdict('score_drift', [score], drift.psiThreshold)));
    }
  }
  return evaluations;
}

export function anyFired(evaluations: readonly TriggerEvaluation[]): boolean {
  return evaluations.some((evaluation) => evaluation.fired);
}

function driftVerdict(trigger: 'feature_drift' | 'score_drift', measurements: readonly DriftMeasurement[], threshold: number): TriggerEvaluation {
  if (measurements.length === 0) return { ...verdict(trigger, false, 0, threshold, 'no numeric feature to compare'), evaluated: false };
  const drifted = measurements.filter((m) => m.psi >= threshold);
  const largest = measurements.reduce((max, m) => (m.psi > max.psi ? m : max));
  const detail =
    drifted.length > 0
      ? `PSI >= ${threshold} for ${drifted.map((m) => `${m.name} (${round(m.psi)})`).join(', ')}`
      : `largest PSI ${round(largest.psi)} (${largest.name}) is below ${threshold}`;
  return { ...verdict(trigger, drifted.length > 0, largest.psi, threshold, detail), drift: measurements };
}

function measured<T>(trigger: TriggerName, observation: Measured<T> | undefined, threshold: number, judge: (value: T) => TriggerEvaluation): TriggerEvaluation {
  if (observation === undefined) return { ...verdict(trigger, false, 0, threshold, 'not measured'), evaluated: false };
  if (!observation.ok) return { ...verdict(trigger, false, 0, threshold, observation.why), evaluated: false };
  return judge(observation.value);
}

function verdict(trigger: TriggerName, fired: boolean, value: number, threshold: number, detail: string): TriggerEvaluation {
  return { trigger, evaluated: true, fired, value, threshold, detail, drift: [] };
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
