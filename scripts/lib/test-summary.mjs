// Adds up the Vitest JSON reports of each tier into the one closing line CI reads.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const tier of ['unit', 'integration', 'clickhouse-current', 'kafka-previous', 'e2e', 'helm']) {
  const file = join(dir, `${tier}.json`);
  if (!existsSync(file)) {
    console.log(`${tier}: no report (the runner did not finish)`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A file can fail outside any test (an import error, a failing beforeAll): its tests then show as
  // skipped, so each such file counts as one failure here.
  const suiteErrors = report.testResults.filter((r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed')).length;
  console.log(`${tier}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped in ${report.numTotalTestSuites} suites${suiteErrors ? `, ${suiteErrors} files failed outside a test (load error or hook)` : ''}`);
  passed += report.numPassedTests;
  failed += report.numFailedTests + suiteErrors;
  skipped += report.numPendingTests + report.numTodoTests;
}
const stepFailures = failedSteps.filter((s) => !s.endsWith(' tests'));
if (stepFailures.length > 0) console.log(`failed steps: ${stepFailures.join(', ')}`);
if (passed === 0) console.log('no test ran');
console.log(`${passed} passed, ${failed + stepFailures.length} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && stepFailures.length === 0 && passed > 0 && failedSteps.length === 0 ? 0 : 1);
