import { composeConfig, ConfigError, loadConfig, REDACTED } from '@kuroshio/config';
import { describe, expect, it } from 'vitest';
import { collectorSettingsConfig } from '../collector-settings.js';
import { parseSources } from './load-sources.js';

const HASH = 'a'.repeat(64);
const entry = { tenant: 'bank-a', source: 'web-bank', channel: 'web', writeKeySha256: HASH };

describe('parseSources', () => {
  it('reads JSON and YAML', () => {
    const json = parseSources(JSON.stringify([entry]), {});
    const yaml = parseSources('- tenant: bank-a\n  source: web-bank\n  channel: web\n  writeKeySha256: ' + HASH + '\n', {});
    for (const result of [json, yaml]) {
      expect(result.ok && result.sources[0]?.id).toBe('web-bank');
    }
  });

  it('resolves a LINE secret from the named variable and keeps it a Secret', () => {
    const result = parseSources(JSON.stringify([{ ...entry, channel: 'line', lineChannelSecretEnv: 'LINE_SECRET_A' }]), { LINE_SECRET_A: 's3cret' });
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.sources[0]?.lineChannelSecret?.reveal()).toBe('s3cret');
    expect(JSON.stringify(result.sources[0])).not.toContain('s3cret');
    expect(JSON.stringify(result.sources[0])).toContain(REDACTED);
  });

  it('keeps the write-key digest a Secret, out of the logged configuration', () => {
    const result = parseSources(JSON.stringify([entry]), {});
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.sources[0]?.writeKeySha256.reveal()).toBe(HASH);
    expect(JSON.stringify(result.sources[0])).not.toContain(HASH);
  });

  it('lists every problem by entry without quoting values', () => {
    const result = parseSources(
      JSON.stringify([
        entry,
        { ...entry, writeKeySha256: 'plain-text-key', channel: 'fax', extra: 1 },
      ]),
      {},
    );
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('[1].writeKeySha256');
    expect(text).toContain('[1].channel');
    expect(text).toContain('[1]: Unrecognized key');
    expect(text).not.toContain('plain-text-key');
  });

  it('refuses duplicate source ids and shared write keys', () => {
    const result = parseSources(JSON.stringify([entry, { ...entry, tenant: 'bank-b' }, { ...entry, source: 'app' }]), {});
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('[1].source: duplicate source id');
    expect(text).toContain('[2].writeKeySha256: write key shared');
  });

  it('reports a missing LINE secret variable', () => {
    const result = parseSources(JSON.stringify([{ ...entry, lineChannelSecretEnv: 'MISSING_VAR' }]), {});
    expect(result.ok ? [] : result.problems).toEqual(['[0].lineChannelSecretEnv: environment variable MISSING_VAR is not set']);
  });
});

describe('collector settings', () => {
  const schema = composeConfig({ collector: collectorSettingsConfig() });

  it('starts with no sources and documented defaults when nothing is set', () => {
    const { collector } = loadConfig(schema, {});
    expect(collector.sources).toEqual([]);
    expect(collector.limits).toMatchObject({ maxBodyBytes: 500 * 1024, maxBatchEvents: 2500, maxEventBytes: 32 * 1024 });
  });

  it('names the variable of a bad source list', () => {
    try {
      loadConfig(schema, { COLLECTOR_SOURCES: '[{"tenant":"x"}]', COLLECTOR_MAX_BATCH_EVENTS: 'many' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const keys = (error as ConfigError).problems.map((problem) => problem.key);
      expect(keys).toEqual(expect.arrayContaining(['COLLECTOR_SOURCES', 'COLLECTOR_MAX_BATCH_EVENTS']));
    }
  });
});
