import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface PlaceFindings {
  total: number;
  found: number;
  missing: number;
  duplicated: number;
  retryCopies: number;
  unackDuplicated: number;
  strangers: number;
  checksum: string;
}

interface DrillVerdict {
  pass: boolean;
  violations: string[];
  faults: Array<{ name: string; detail: string }>;
  load: { sent: number; acknowledged: number; unacknowledged: number; retried: number; acksAfterRecovery: number };
  places: Record<'events.raw' | 'ClickHouse events' | 'lake raw/' | 'lake clean/', PlaceFindings>;
  checksum: string;
  clickhouse: Record<'final' | 'afterOptimize', { rows: number; ids: number }>;
}

/**
 * scripts/drill at a small scale: kill -9 collector, kill -9 ETL, restart the broker under load.
 * The suite does not take the bench lock (the drill's load here is light); a manual run does.
 */
describe('scripts/drill (collector, ETL and Kafka broker restarted under load)', () => {
  let directory: string;
  let verdict: DrillVerdict;
  let code: number | null;
  let output = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'e2e-drill-'));
    const jsonFile = join(directory, 'verdict.json');
    const drill = spawn('scripts/drill', ['--no-lock', '--no-build', '--duration', '30', '--rate', '200', '--concurrency', '3', '--batch', '10', '--catch-up', '150', '--json', jsonFile], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    drill.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    drill.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Bounded: a drill that hangs is killed and fails the suite rather than holding it.
    const timer = setTimeout(() => drill.kill('SIGTERM'), 330_000);
    code = await new Promise<number | null>((resolve) => drill.on('exit', resolve));
    clearTimeout(timer);
    verdict = JSON.parse(await readFile(jsonFile, 'utf8').catch(() => 'null')) as DrillVerdict;
  }, 360_000);

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('exits 0 with a PASS verdict', () => {
    expect(verdict, output).not.toBeNull();
    expect(verdict.violations, output).toEqual([]);
    expect(verdict.pass).toBe(true);
    expect(code, output).toBe(0);
    expect(output).toContain('VERDICT: PASS');
  });

  it('really ran the three faults under load, with some requests failing, retried and later ones acknowledged again', () => {
    expect(verdict.faults.map((fault) => fault.name)).toEqual(['collector', 'etl', 'kafka']);
    expect(verdict.load.acknowledged).toBeGreaterThan(1_000);
    expect(verdict.load.retried).toBeGreaterThan(0);
    expect(verdict.load.acksAfterRecovery).toBeGreaterThan(0);
  });

  it('finds every acknowledged event on events.raw, once in ClickHouse and clean/, and raw/ archiving each record once, with equal checksums', () => {
    for (const [place, found] of Object.entries(verdict.places)) {
      expect({ place, found: found.found, missing: found.missing, duplicated: found.duplicated + found.unackDuplicated, strangers: found.strangers }).toEqual({
        place,
        found: verdict.load.acknowledged,
        missing: 0,
        duplicated: 0,
        strangers: 0,
      });
      expect(found.checksum, place).toBe(verdict.checksum);
    }
    expect(verdict.clickhouse.final.rows).toBe(verdict.clickhouse.final.ids);
    expect(verdict.clickhouse.afterOptimize.rows).toBe(verdict.clickhouse.afterOptimize.ids);
  });
});
