import { randomUUID } from 'node:crypto';
import { CHALLENGER_ALIAS, CHAMPION_ALIAS, retrainingExperimentKey, timestampFromDate } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { CHALLENGER_VARIANT, CHAMPION_VARIANT, challengerExperiment } from './challenger-experiment.js';
import { decidePromotion, type PromotionDecision } from './promotion-decision.js';
import type { RetrainingPolicy } from './retraining-policy.js';
import {
  AliasConflictError,
  type ChallengerTrainer,
  type ExperimentFacts,
  type RetrainingExperiments,
  type RetrainingLog,
  type RetrainingLogEntry,
  type RetrainingRegistry,
  type RetrainingStep,
} from './retraining-ports.js';
import { checkTriggers, type TriggerSources } from './trigger-check.js';
import { anyFired, type TriggerEvaluation } from './trigger-evaluation.js';

export type RetrainingOutcome = 'no_trigger' | 'challenger_launched' | 'experiment_running' | 'challenger_promoted' | 'challenger_retired' | 'training_failed';

/** What one run did (the gRPC answer; the log has the same facts step by step). */
export interface RetrainingRun {
  readonly runId: string;
  readonly modelName: string;
  readonly outcome: RetrainingOutcome;
  readonly triggers: readonly TriggerEvaluation[];
  readonly championVersion: number;
  readonly challengerVersion: number;
  readonly trainingJobId: string;
  readonly experimentKey: string;
  readonly reasons: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
}

export interface RetrainingRunnerDeps extends TriggerSources {
  readonly registry: RetrainingRegistry;
  readonly experiments: RetrainingExperiments;
  readonly trainer: ChallengerTrainer;
  readonly log: RetrainingLog;
  readonly clock?: () => number;
  readonly newId?: () => string;
}

/** Who the registry, the experiment service and the retraining log record for every change a run makes. */
export const RETRAINING_ACTOR = 'retraining';
const CHAMPION = CHAMPION_ALIAS;
const CHALLENGER = CHALLENGER_ALIAS;

type Draft = { -readonly [K in keyof RetrainingRun]: RetrainingRun[K] } & { steps: number };

/**
 * One retraining cycle per call. The state between calls lives in the platform, not here: a
 * `challenger` alias means a challenger is out, and its experiment is derived from its version. So
 * a run resumes whatever an interrupted one left (alias set but no experiment, champion moved but
 * challenger alias still there, …) and runs of one model are serialised in this process.
 */
export class RetrainingRunner {
  readonly #deps: RetrainingRunnerDeps;
  readonly #clock: () => number;
  readonly #newId: () => string;
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(deps: RetrainingRunnerDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#newId = deps.newId ?? randomUUID;
  }

  run(policy: RetrainingPolicy): Promise<RetrainingRun> {
    const previous = this.#running.get(policy.modelName) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#cycle(policy));
    const settled = next.catch(() => undefined);
    this.#running.set(policy.modelName, settled);
    void settled.then(() => {
      if (this.#running.get(policy.modelName) === settled) this.#running.delete(policy.modelName);
    });
    return next;
  }

  async #cycle(policy: RetrainingPolicy): Promise<RetrainingRun> {
    const run: Draft = {
      runId: this.#newId(),
      modelName: policy.modelName,
      outcome: 'no_trigger',
      triggers: [],
      championVersion: 0,
      challengerVersion: 0,
      trainingJobId: '',
      experimentKey: '',
      reasons: [],
      startMs: this.#clock(),
      endMs: 0,
      steps: 0,
    };
    try {
      const aliases = await this.#deps.registry.aliases(policy.modelName);
      if (aliases.champion === null) {
        throw new DomainError('FAILED_PRECONDITION', `model ${policy.modelName} has no champion: promote a first version by hand before retraining`, { reason: 'no_champion' });
      }
      run.championVersion = aliases.champion;
      if (aliases.challenger !== null) await this.#followUp(policy, run, aliases.challenger);
      else await this.#maybeLaunch(policy, run);
    } catch (error) {
      await this.#record(run, 'run_failed', '', error instanceof Error ? error.message : String(error), { error: describeError(error) }).catch(() => undefined);
      throw error;
    }
    run.endMs = this.#clock();
    const { steps: _steps, ...result } = run;
    return result;
  }

  // ---- no challenger out: triggers, training, launch ----

  async #maybeLaunch(policy: RetrainingPolicy, run: Draft): Promise<void> {
    const champion = await this.#deps.registry.version(policy.modelName, run.championVersion);
    run.triggers = await checkTriggers(policy, champion, this.#deps, this.#clock());
    const fired = run.triggers.filter((t) => t.fired);
    const why = fired.length > 0 ? fired.map((t) => `${t.trigger}: ${t.detail}`).join('; ') : 'no trigger fired';
    await this.#record(run, 'triggers_checked', fired.length > 0 ? 'retrain' : 'none', why, { triggers: run.triggers });
    if (!anyFired(run.triggers)) {
      run.outcome = 'no_trigger';
      run.reasons = run.triggers.map((t) => `${t.trigger}: ${t.detail}`);
      return;
    }

    const trained = await this.#deps.trainer.train(this.#challengerSpec(policy, run, why), `retraining-${run.runId}`);
    run.trainingJobId = trained.jobId;
    if (trained.state !== 'succeeded') {
      run.outcome = 'training_failed';
      run.reasons = [`training job ${trained.jobId} ended ${trained.state}: ${trained.errorMessage}`];
      await this.#record(run, 'training_failed', '', run.reasons[0] as string, { state: trained.state });
      return;
    }
    run.challengerVersion = trained.version;
    await this.#record(run, 'challenger_trained', '', `job ${trained.jobId} registered v${trained.version}`, {});

    const reason = `retrained after ${why}; compared with champion v${run.championVersion} in experiment ${retrainingExperimentKey(policy.modelName, trained.version)}`;
    await this.#deps.registry.setAlias({ modelName: policy.modelName, alias: CHALLENGER, version: trained.version, expectedVersion: 0, reason });
    await this.#record(run, 'challenger_aliased', '', reason, {});
    await this.#launchExperiment(policy, run, why);
  }

  #challengerSpec(policy: RetrainingPolicy, run: Draft, why: string) {
    const now = this.#clock();
    const timeRange = policy.training.trainingSet !== '' ? policy.training.timeRange : { startTime: timestampFromDate(new Date(now - policy.trainingWindowMs)), endTime: timestampFromDate(new Date(now)) };
    const description = `Challenger for champion v${run.championVersion}, trained by continuous retraining (run ${run.runId}): ${why}`;
    return { ...policy.training, timeRange, description: description.slice(0, 1_000) };
  }

  async #launchExperiment(policy: RetrainingPolicy, run: Draft, why: string): Promise<void> {
    const key = retrainingExperimentKey(policy.modelName, run.challengerVersion);
    run.experimentKey = key;
    const reason = `champion v${run.championVersion} against challenger v${run.challengerVersion}`;
    const experiment = await this.#deps.experiments.find(key);
    if (experiment === null) {
      const definition = challengerExperiment(policy, { championVersion: run.championVersion, challengerVersion: run.challengerVersion, trainingJobId: run.trainingJobId, why });
      await this.#deps.experiments.create(definition, reason);
    }
    if (experiment === null || experiment.state === 'draft') await this.#deps.experiments.start(key, reason);
    run.outcome = 'challenger_launched';
    run.reasons = [`challenger v${run.challengerVersion} is in experiment ${key} against champion v${run.championVersion}`];
    await this.#record(run, 'experiment_started', '', reason, { variants: [CHAMPION_VARIANT, CHALLENGER_VARIANT], weights: [policy.experiment.championWeight, policy.experiment.challengerWeight] });
  }

  // ---- a challenger is out: analysis, promotion or retirement ----

  async #followUp(policy: RetrainingPolicy, run: Draft, challenger: number): Promise<void> {
    run.challengerVersion = challenger;
    const key = retrainingExperimentKey(policy.modelName, challenger);
    run.experimentKey = key;
    const experiment = await this.#deps.experiments.find(key);
    if (run.championVersion === challenger) {
      // Promoted by an earlier run that stopped before cleaning up.
      const reasons = ['the challenger is already champion: an earlier run was interrupted after promoting it'];
      await this.#record(run, 'champion_promoted', 'promote', reasons[0] as string, { resumed: true });
      return this.#finishPromotion(policy, run, experiment, reasons);
    }
    if (experiment === null || experiment.state === 'draft') return this.#launchExperiment(policy, run, 'resumed: the challenger had no running experiment');
    if (experiment.state === 'stopped') return this.#retire(policy, run, experiment, { action: 'retire', reasons: [`experiment ${key} was stopped before a decision (by hand, or by an interrupted run)`] });

    if (experiment.championVersion !== null && experiment.championVersion !== run.championVersion) {
      return this.#retire(policy, run, experiment, {
        action: 'retire',
        reasons: [`champion moved from v${experiment.championVersion} to v${run.championVersion} during the experiment: the comparison no longer holds`],
      });
    }
    const rule = policy.experiment.rule;
    const analysis = await this.#deps.experiments.analysis(key, rule);
    const runningForMs = this.#clock() - (experiment.startTimeMs ?? this.#clock());
    const decision = decidePromotion(analysis, rule, runningForMs);
    await this.#record(run, 'analysis_read', decision.action, decision.reasons.join('; '), { analysis, runningForMs, rule });
    if (decision.action === 'wait') {
      run.outcome = 'experiment_running';
      run.reasons = [...decision.reasons];
      return;
    }
    if (decision.action === 'retire') return this.#retire(policy, run, experiment, decision);

    const reason = `challenger v${challenger} won experiment ${key}: ${decision.reasons.join('; ')}`;
    try {
      await this.#deps.registry.setAlias({ modelName: policy.modelName, alias: CHAMPION, version: challenger, expectedVersion: run.championVersion, reason });
    } catch (error) {
      if (!(error instanceof AliasConflictError)) throw error;
      return this.#retire(policy, run, experiment, { action: 'retire', reasons: [`champion moved while promoting: ${error.message}`] });
    }
    const previous = run.championVersion;
    run.championVersion = challenger;
    await this.#record(run, 'champion_promoted', 'promote', reason, { previousChampion: previous });
    await this.#finishPromotion(policy, run, experiment, [...decision.reasons]);
  }

  async #finishPromotion(policy: RetrainingPolicy, run: Draft, experiment: ExperimentFacts | null, reasons: string[]): Promise<void> {
    const why = `challenger v${run.challengerVersion} promoted to champion`;
    if (experiment?.state === 'running') await this.#deps.experiments.stop(experiment.key, why);
    await this.#deps.registry.deleteAlias({ modelName: policy.modelName, alias: CHALLENGER, expectedVersion: run.challengerVersion, reason: why });
    run.outcome = 'challenger_promoted';
    run.reasons = reasons;
  }

  async #retire(policy: RetrainingPolicy, run: Draft, experiment: ExperimentFacts, decision: PromotionDecision): Promise<void> {
    const reason = `challenger v${run.challengerVersion} retired, champion v${run.championVersion} stays: ${decision.reasons.join('; ')}`;
    if (experiment.state === 'running') await this.#deps.experiments.stop(experiment.key, reason);
    await this.#deps.registry.deleteAlias({ modelName: policy.modelName, alias: CHALLENGER, expectedVersion: run.challengerVersion, reason });
    await this.#deps.registry.archiveVersion(policy.modelName, run.challengerVersion, reason);
    run.outcome = 'challenger_retired';
    run.reasons = [...decision.reasons];
    await this.#record(run, 'challenger_retired', 'retire', reason, {});
  }

  #record(run: Draft, step: RetrainingStep, decision: string, reason: string, details: Record<string, unknown>): Promise<void> {
    const entry: RetrainingLogEntry = {
      eventId: this.#newId(),
      runId: run.runId,
      stepNumber: ++run.steps,
      timeMs: this.#clock(),
      actor: RETRAINING_ACTOR,
      modelName: run.modelName,
      step,
      championVersion: run.championVersion,
      challengerVersion: run.challengerVersion,
      trainingJobId: run.trainingJobId,
      experimentKey: run.experimentKey,
      decision,
      reason,
      details,
    };
    return this.#deps.log.append(entry);
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof DomainError) return { code: error.code, reason: error.reason, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}
