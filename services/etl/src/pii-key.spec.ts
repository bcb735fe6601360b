import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@kuroshio/config';
import { createLogger } from '@kuroshio/telemetry';
import { describe, expect, it, vi } from 'vitest';
import { resolvePiiKey } from './pii-key.js';

const logger = createLogger({ service: 'etl-test', level: 'silent' });
const key = Buffer.alloc(32, 9).toString('base64');

describe('resolvePiiKey', () => {
  it('takes ETL_PII_KEY first, then the file ETL_PII_KEY_FILE names', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'etl-key-'));
    await writeFile(join(directory, 'key'), `${key}\n`);
    expect(await resolvePiiKey({ piiKey: new Secret(key), piiKeyFile: undefined }, logger)).toEqual({ key: Buffer.alloc(32, 9), origin: 'env' });
    expect(await resolvePiiKey({ piiKey: undefined, piiKeyFile: join(directory, 'key') }, logger)).toEqual({ key: Buffer.alloc(32, 9), origin: 'file' });
  });

  it('refuses short or malformed keys', async () => {
    await expect(resolvePiiKey({ piiKey: new Secret(Buffer.alloc(16).toString('base64')), piiKeyFile: undefined }, logger)).rejects.toThrow(/at least 32 bytes/);
    await expect(resolvePiiKey({ piiKey: new Secret('not base64!'), piiKeyFile: undefined }, logger)).rejects.toThrow(/base64/);
  });

  it('without either, generates a local key once, keeps it private and warns on every start', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'etl-key-')), 'nested', 'pii-key');
    const warn = vi.fn();
    const warning = { ...logger, warn } as unknown as typeof logger;
    const first = await resolvePiiKey({ piiKey: undefined, piiKeyFile: undefined }, warning, file);
    const second = await resolvePiiKey({ piiKey: undefined, piiKeyFile: undefined }, warning, file);
    expect(first.origin).toBe('local-generated');
    expect(second).toEqual({ key: first.key, origin: 'local-file' });
    expect(first.key.length).toBe(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.key.toString('base64'));
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
