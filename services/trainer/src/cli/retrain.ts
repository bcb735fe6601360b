// Runs one retraining cycle over gRPC (TrainerService.RunRetrainingCycle) and prints what it did:
//   node services/trainer/dist/cli/retrain.js bad-debt                          # the trainer's configured policy
//   node services/trainer/dist/cli/retrain.js bad-debt --policy policies.yaml   # a policy from a file (same format)
// --address (default TRAINER_GRPC_ADDRESS or 127.0.0.1:7104); --actor is sent as x-kuroshio-actor;
// --timeout-ms bounds the call (a run that trains waits for the job; default 1 h); --json prints the reply.
import { parseArgs } from 'node:util';
import type { grpcNest } from '@kuroshio/contracts';
import { ContractClient } from '../grpc/contract-client.js';
import { readRetrainingPolicyFile } from '../retraining/policy-file.js';

const options = {
  address: { type: 'string', default: process.env['TRAINER_GRPC_ADDRESS'] ?? '127.0.0.1:7104' },
  actor: { type: 'string', default: process.env['USER'] ?? 'cli' },
  policy: { type: 'string' },
  'timeout-ms': { type: 'string', default: String(3_600_000) },
  json: { type: 'boolean', default: false },
} as const;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options, allowPositionals: true });
  const [modelName] = positionals;
  if (modelName === undefined) throw new Error('usage: retrain.js <model> [--policy file.yaml] [--json]');
  let policy: grpcNest.trainer.v1.RetrainingPolicy | null = null;
  if (values.policy !== undefined) {
    policy = readRetrainingPolicyFile(values.policy).find((entry) => entry.policy.modelName === modelName)?.proto ?? null;
    if (policy === null) throw new Error(`${values.policy} has no policy for ${modelName}`);
  }
  const client = new ContractClient('trainer', values.address, values.actor, Number(values['timeout-ms']));
  try {
    const { run } = await client.call<grpcNest.trainer.v1.RunRetrainingCycleRequest, grpcNest.trainer.v1.RunRetrainingCycleResponse>('RunRetrainingCycle', { modelName, policy });
    if (!run) throw new Error('the trainer answered without a run');
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else print(run);
  } finally {
    client.close();
  }
}

function print(run: grpcNest.trainer.v1.RetrainingRun): void {
  const outcome = String(run.outcome).replace('RETRAINING_OUTCOME_', '').toLowerCase();
  console.log(`${run.modelName}: ${outcome} (run ${run.runId})`);
  console.log(`  champion v${run.championVersion}${run.challengerVersion ? `, challenger v${run.challengerVersion}` : ''}${run.experimentKey ? `, experiment ${run.experimentKey}` : ''}${run.trainingJobId ? `, job ${run.trainingJobId}` : ''}`);
  for (const trigger of run.triggers) {
    console.log(`  trigger ${trigger.trigger}: ${trigger.fired ? 'FIRED' : trigger.evaluated ? 'quiet' : 'not measured'} — ${trigger.detail}`);
    for (const drift of trigger.drift) console.log(`      PSI ${drift.psi.toFixed(4)}  ${drift.name} (${drift.recentCount} recent vs ${drift.referenceCount} reference)`);
  }
  for (const reason of run.reasons) console.log(`  - ${reason}`);
}

main().catch((error: unknown) => {
  const e = error as { message?: string; details?: string };
  console.error(`retrain: ${e.details ?? e.message ?? String(error)}`);
  process.exitCode = 1;
});
