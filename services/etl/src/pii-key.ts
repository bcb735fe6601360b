import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StructuredLogger } from '@kuroshio/telemetry';
import type { EtlSettings } from './etl-config.js';
import { MIN_PII_KEY_BYTES } from './pii/index.js';

// src/ and dist/ sit at the same depth, so this is the repository's git-ignored stack state either way.
export const LOCAL_PII_KEY_FILE = fileURLToPath(new URL('../../../.stack/etl/pii-key', import.meta.url));

export type PiiKeyOrigin = 'env' | 'file' | 'local-generated' | 'local-file';

/**
 * The tokenisation key. Production sets ETL_PII_KEY (or mounts it and names the file in
 * ETL_PII_KEY_FILE). With neither, a developer machine gets a random key kept in the stack's
 * state folder: stable across restarts — replays must tokenise to the same values or ClickHouse
 * could not fold them — and deleted with the data it tokenised by `scripts/stack reset`.
 * Every start on such a key logs a warning, so it never passes silently for a real deployment.
 */
export async function resolvePiiKey(
  settings: Pick<EtlSettings, 'piiKey' | 'piiKeyFile'>,
  logger: StructuredLogger,
  localFile = LOCAL_PII_KEY_FILE,
): Promise<{ key: Buffer; origin: PiiKeyOrigin }> {
  if (settings.piiKey !== undefined) {
    return { key: decodeKey(settings.piiKey.reveal(), 'ETL_PII_KEY'), origin: 'env' };
  }
  if (settings.piiKeyFile !== undefined) {
    return { key: decodeKey(await readFile(settings.piiKeyFile, 'utf8'), 'ETL_PII_KEY_FILE'), origin: 'file' };
  }
  const existing = await readFile(localFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const origin: PiiKeyOrigin = existing === undefined ? 'local-generated' : 'local-file';
  let text = existing;
  if (text === undefined) {
    text = randomBytes(MIN_PII_KEY_BYTES).toString('base64');
    await mkdir(dirname(localFile), { recursive: true });
    // wx: two ETL processes starting together must not each write a different key.
    await writeFile(localFile, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      text = await readFile(localFile, 'utf8');
    });
  }
  logger.warn(
    { file: localFile, origin },
    'ETL_PII_KEY is not set: tokenising with a local development key; set ETL_PII_KEY from a secret in any shared environment',
  );
  return { key: decodeKey(text, localFile), origin };
}

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${where}: expected a base64 key`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length < MIN_PII_KEY_BYTES) {
    throw new Error(`${where}: key must hold at least ${MIN_PII_KEY_BYTES} bytes (base64 of ${MIN_PII_KEY_BYTES} random bytes)`);
  }
  return key;
}
