import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODELS_BUCKET, versionInput } from '../testing/in-memory-ports.js';
import { checkRelativePath, objectLocation, parseArtifactUri } from './artifact-location.js';
import { checkText } from './registry-text.js';
import { canonicalJson, checkVersionInput } from './version-input.js';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const base = versionInput();
const withFile = (file: Partial<{ path: string; sha256: string; sizeBytes: number }>) => ({
  ...base,
  artifacts: [{ ...base.artifacts[0]!, files: [{ ...base.artifacts[0]!.files[0]!, ...file }] }],
});

describe('checkVersionInput', () => {
  it('accepts a complete registration as given', () => {
    const details = checkVersionInput(base, [MODELS_BUCKET]);
    expect(details.artifacts[0]!.files[0]).toEqual({ path: 'model.json', sha256: 'a'.repeat(64), sizeBytes: 120 });
    expect(details.lineage?.featureViews).toEqual([{ name: 'payments_30d', version: 2 }]);
  });

  it.each([
    ['no artifacts', { ...base, artifacts: [] }, 'model_artifact_missing'],
    ['no MODEL artifact', { ...base, artifacts: [{ ...base.artifacts[0]!, kind: 'normalizer' as const }] }, 'model_artifact_missing'],
    ['unknown kind', { ...base, artifacts: [{ ...base.artifacts[0]!, kind: null }] }, 'invalid_artifact_kind'],
    ['a bucket outside the registry', { ...base, artifacts: [{ ...base.artifacts[0]!, uri: 's3://kuroshio-lake/clean/x' }] }, 'artifact_bucket_not_allowed'],
    ['an http uri', { ...base, artifacts: [{ ...base.artifacts[0]!, uri: 'http://evil.example/model' }] }, 'invalid_artifact_uri'],
    ['a path escaping the artifact', withFile({ path: '../../lake/pii.json' }), 'invalid_artifact_path'],
    ['an absolute path', withFile({ path: '/etc/passwd' }), 'invalid_artifact_path'],
    ['an upper-case sha256', withFile({ sha256: 'A'.repeat(64) }), 'invalid_sha256'],
    ['a negative size', withFile({ sizeBytes: -1 }), 'invalid_size'],
    ['a NaN metric', { ...base, metrics: { roc_auc: Number.NaN } }, 'invalid_metric_value'],
    ['a metric name with quotes', { ...base, metrics: { "x'); DROP": 1 } }, 'invalid_metric_name'],
    ['a non-hex dataset hash', { ...base, lineage: { ...base.lineage, datasetManifestHash: 'not-a-hash' } }, 'invalid_lineage'],
    ['params that are an array', { ...base, params: [1, 2] }, 'invalid_params'],
    ['a model without model.json', withFile({ path: 'weights.bin' }), 'model_json_missing'],
    ['a quantised model without model.json', { ...base, artifacts: [...withFile({}).artifacts, { ...withFile({ path: 'weights.bin' }).artifacts[0]!, kind: 'model_quantized_uint8' as const }] }, 'model_json_missing'],
  ])('refuses %s with INVALID_ARGUMENT', (_name, input, reason) => {
    expect(refusal(() => checkVersionInput(input, [MODELS_BUCKET]))).toMatchObject({ code: 'INVALID_ARGUMENT', reason });
  });

  it('names model.json when a model artifact does not list it', () => {
    expect(refusal(() => checkVersionInput(withFile({ path: 'weights.bin' }), [MODELS_BUCKET])).message).toContain('does not list model.json');
  });

  it('names the file in a refusal', () => {
    expect(refusal(() => checkVersionInput(withFile({ path: 'group1-shard1of2.bin', sha256: 'zz' }), [MODELS_BUCKET])).message).toContain('group1-shard1of2.bin');
  });
});

describe('artifact locations', () => {
  it('joins the uri prefix and the file path into the object key', () => {
    expect(objectLocation(parseArtifactUri(`s3://${MODELS_BUCKET}/bad-debt/v1/`, 'uri', [MODELS_BUCKET]), 'weights/group1.bin')).toEqual({
      bucket: MODELS_BUCKET,
      key: 'bad-debt/v1/weights/group1.bin',
    });
    expect(objectLocation(parseArtifactUri(`s3://${MODELS_BUCKET}`, 'uri', [MODELS_BUCKET]), 'model.json').key).toBe('model.json');
  });

  it('never accepts a path that leaves its prefix (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '..', '.', '', 'b.bin', '%2e%2e', '\\'), { minLength: 1, maxLength: 5 }), (segments) => {
        const path = segments.join('/');
        let accepted = true;
        try {
          checkRelativePath(path, 'path');
        } catch {
          accepted = false;
        }
        if (accepted) expect(path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('\\'))).toBe(true);
      }),
    );
  });
});

describe('free text', () => {
  it('refuses control characters and unpaired surrogates, keeps everything else verbatim', () => {
    expect(() => checkText('reason', 'a\u0000b', { max: 10 })).toThrow(/control/);
    expect(() => checkText('reason', 'a\ud800', { max: 10 })).toThrow(/surrogate/);
    expect(() => checkText('actor', 'a\nb', { max: 10 })).toThrow(/control/);
    expect(checkText('reason', "it's\n\"ok\" 😀", { max: 20, multiline: true })).toBe("it's\n\"ok\" 😀");
  });
});

describe('canonicalJson', () => {
  it('ignores key order at every level', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.integer())), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, Object.fromEntries(Object.entries(inner).reverse())]));
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });
});
