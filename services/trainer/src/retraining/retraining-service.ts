import { grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { retrainingPolicyFromProto, type RetrainingPolicy } from './retraining-policy.js';
import type { RetrainingRun, RetrainingRunner } from './retraining-runner.js';

/** RunRetrainingCycle's domain side: picks the policy (the request's, else the configured one) and runs a cycle. */
export class RetrainingService {
  readonly #configured: ReadonlyMap<string, RetrainingPolicy>;

  constructor(
    private readonly runner: Pick<RetrainingRunner, 'run'>,
    policies: readonly RetrainingPolicy[],
  ) {
    this.#configured = new Map(policies.map((policy) => [policy.modelName, policy]));
  }

  get policies(): readonly RetrainingPolicy[] {
    return [...this.#configured.values()];
  }

  runCycle(modelName: string, requested: grpcNest.trainer.v1.RetrainingPolicy | null | undefined): Promise<RetrainingRun> {
    return this.runner.run(this.#policyFor(modelName, requested));
  }

  #policyFor(modelName: string, requested: grpcNest.trainer.v1.RetrainingPolicy | null | undefined): RetrainingPolicy {
    if (requested !== null && requested !== undefined) {
      const policy = retrainingPolicyFromProto({ ...requested, modelName: requested.modelName || modelName });
      if (modelName !== '' && policy.modelName !== modelName) {
        throw new DomainError('INVALID_ARGUMENT', `model_name ${modelName} differs from the policy's ${policy.modelName}`, { reason: 'model_name_mismatch' });
      }
      return policy;
    }
    const configured = this.#configured.get(modelName);
    if (configured === undefined) {
      throw new DomainError('NOT_FOUND', `no retraining policy is configured for model "${modelName}" and the request has none`, { reason: 'policy_not_found', details: { modelName } });
    }
    return configured;
  }
}
