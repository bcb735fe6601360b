import { msFromDuration } from '@kuroshio/contracts';
import { measureDrift, type DriftMeasurement } from './drift-measurement.js';
import type { DriftReference } from './drift-reference.js';
import type { DriftSettings, RetrainingPolicy } from './retraining-policy.js';
import type { ChampionReferences, LabelledRows, OnlineFeatures, RecentTraffic, VersionFacts } from './retraining-ports.js';
import { evaluateTriggers, type Measured, type TriggerEvaluation, type TriggerObservations } from './trigger-evaluation.js';

export interface TriggerSources {
  readonly references: ChampionReferences;
  readonly traffic: RecentTraffic;
  readonly online: OnlineFeatures;
  readonly labels: LabelledRows;
}

/** Scores read for the score PSI per entity the feature PSI may read (predictions outnumber entities). */
const SCORES_PER_ENTITY = 10;

/** Measures what the policy's triggers need about the champion, then judges them. */
export async function checkTriggers(policy: RetrainingPolicy, champion: VersionFacts, sources: TriggerSources, nowMs: number): Promise<TriggerEvaluation[]> {
  const { triggers } = policy;
  const observed: { -readonly [K in keyof TriggerObservations]: TriggerObservations[K] } = { championAgeMs: nowMs - champion.createTimeMs };
  if (triggers.minNewLabelledRows > 0) observed.newLabelledRows = await newLabelledRows(policy, champion, sources, nowMs);
  if (triggers.drift !== null) {
    const reference = champion.manifestUri === '' ? null : await sources.references.driftReference(champion.manifestUri);
    if (reference === null) {
      const why: Measured<never> = { ok: false, why: `champion v${champion.version} has no drift reference in its manifest (trained before drift references were recorded)` };
      observed.featureDrift = why;
      observed.scoreDrift = why;
    } else {
      observed.featureDrift = await featureDrift(policy.modelName, champion.version, reference, triggers.drift, sources, nowMs);
      if (triggers.drift.includeScores) observed.scoreDrift = await scoreDrift(policy.modelName, champion.version, reference, triggers.drift, sources, nowMs);
    }
  }
  return evaluateTriggers(triggers, observed);
}

async function newLabelledRows(policy: RetrainingPolicy, champion: VersionFacts, sources: TriggerSources, nowMs: number): Promise<Measured<number>> {
  const label = policy.training.labels?.eventLabel;
  if (!label) return { ok: false, why: 'the training spec has no event label to count' };
  const afterMs = champion.datasetUri === '' ? null : await sources.references.trainingDataEndMs(champion.datasetUri);
  if (afterMs === null) return { ok: false, why: `the end of champion v${champion.version}'s training data is unknown` };
  // An anchor is labelled once its outcome window has passed (from the anchor; a deadline
  // property only delays that, so this counts an upper bound of what an export would label).
  const untilMs = nowMs - (label.outcomeWindow ? msFromDuration(label.outcomeWindow) : 0);
  if (untilMs <= afterMs) return { ok: true, value: 0 };
  return { ok: true, value: await sources.labels.countAnchors(label, afterMs, untilMs) };
}

async function featureDrift(
  modelName: string,
  version: number,
  reference: DriftReference,
  drift: DriftSettings,
  sources: TriggerSources,
  nowMs: number,
): Promise<Measured<readonly DriftMeasurement[]>> {
  if (reference.features.length === 0) return { ok: false, why: `champion v${version} has no numeric features` };
  const entities = await sources.traffic.servedEntities(modelName, version, nowMs - drift.windowMs, drift.maxEntities);
  if (entities.length < drift.minSample) return { ok: false, why: tooFew(entities.length, 'entities', version, drift) };
  const refs = reference.features.map((f) => ({ featureView: f.featureView, feature: f.feature, version: f.version }));
  const values = await sources.online.read(refs, entities);
  return { ok: true, value: reference.features.map((f, i) => measureDrift(`${f.featureView}:${f.feature}`, f, values[i] as Float64Array)) };
}

async function scoreDrift(modelName: string, version: number, reference: DriftReference, drift: DriftSettings, sources: TriggerSources, nowMs: number): Promise<Measured<DriftMeasurement>> {
  if (reference.score === null) return { ok: false, why: `champion v${version} has no score reference` };
  const scores = await sources.traffic.servedScores(modelName, version, nowMs - drift.windowMs, drift.maxEntities * SCORES_PER_ENTITY);
  if (scores.length < drift.minSample) return { ok: false, why: tooFew(scores.length, 'predictions', version, drift) };
  return { ok: true, value: measureDrift('score', reference.score, scores) };
}

function tooFew(count: number, what: string, version: number, drift: DriftSettings): string {
  return `only ${count} ${what} served by v${version} in the last ${Math.round(drift.windowMs / 3_600_000)} h (${drift.minSample} needed for a PSI)`;
}
