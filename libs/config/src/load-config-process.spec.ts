import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./testing/fixtures/', import.meta.url));

function startService(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', './ts-source-hooks.mjs', './start-service.mjs'], {
    cwd: fixtures,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderrLines: result.stderr.split('\n').filter((l) => l.trim() !== '') };
}

describe('a service process started with a bad config', () => {
  it('exits 1 and names every bad key, one line each', () => {
    const run = startService({ HTTP_PORT: 'http', KAFKA_BROKERS: 'localhost', KAFKA_SSL: 'yes', KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toEqual([
      'invalid configuration (4 keys):',
      '  HTTP_PORT: expected an integer',
      '  KAFKA_BROKERS: expected host:port',
      '  KAFKA_SSL: expected true or false (or 1/0)',
      '  KAFKA_SASL_USERNAME: required when the other SASL credential is set',
    ]);
    expect(run.stderrLines.join('\n')).not.toContain('hunter2');
  });

  it('starts with a good config', () => {
    const run = startService({ HTTP_PORT: '7101' });
    expect(run.stderrLines).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('started on 7101\n');
  });
});
