import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeConfig, loadConfig } from '@kuroshio/config';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from './adapters/caller-authentication.js';
import { inferenceSettingsConfig } from './inference-settings.js';

const load = (env: Record<string, string>) => loadConfig(composeConfig({ inference: inferenceSettingsConfig() }), env).inference;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** Files that exist (the settings check only that). */
function tlsFiles(): { cert: string; key: string } {
  const directory = mkdtempSync(join(tmpdir(), 'inference-tls-'));
  const [cert, key] = [join(directory, 'cert.pem'), join(directory, 'key.pem')];
  writeFileSync(cert, 'cert');
  writeFileSync(key, 'key');
  return { cert, key };
}

describe('inference settings', () => {
  it('has local defaults: batching on, full artifact, no auth', () => {
    const settings = load({});
    expect(settings).toMatchObject({ artifact: 'full', modelRegistryAddress: '127.0.0.1:7105', batching: { enabled: true, maxBatchSize: 64 }, auth: { mode: 'none' }, tls: undefined });
  });

  it('parses preload targets', () => {
    expect(load({ INFERENCE_PRELOAD: 'bad-debt@champion, churn@3' }).preload).toEqual([{ modelName: 'bad-debt', alias: 'champion' }, { modelName: 'churn', version: 3 }]);
  });

  it('lists every bad key at once', () => {
    let message = '';
    try {
      load({ INFERENCE_ARTIFACT: 'int4', INFERENCE_MAX_BATCH_SIZE: '0', INFERENCE_PRELOAD: 'Bad@x', INFERENCE_AUTH: 'api-key', INFERENCE_FEATURE_STORE_ADDRESS: 'nowhere' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of ['INFERENCE_ARTIFACT', 'INFERENCE_MAX_BATCH_SIZE', 'INFERENCE_PRELOAD', 'INFERENCE_API_KEY_SHA256', 'INFERENCE_FEATURE_STORE_ADDRESS']) expect(message).toContain(key);
  });

  it('refuses API keys in clear beyond loopback: TLS, a loopback address or the loud opt-out', () => {
    const files = tlsFiles();
    const apiKey = { INFERENCE_AUTH: 'api-key', INFERENCE_API_KEY_SHA256: sha256('k') };
    for (const GRPC_HOST of ['0.0.0.0', '10.1.2.3', '::', 'inference.internal']) {
      expect(() => load({ ...apiKey, GRPC_HOST })).toThrow(/INFERENCE_TLS_CERT_FILE.*x-api-key would travel in clear/);
      expect(() => load({ ...apiKey, GRPC_HOST, INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS: 'false' })).toThrow(/INFERENCE_TLS_CERT_FILE/);
      expect(load({ ...apiKey, GRPC_HOST, INFERENCE_TLS_CERT_FILE: files.cert, INFERENCE_TLS_KEY_FILE: files.key }).tls).toEqual({ certFile: files.cert, keyFile: files.key, clientCaFile: '' });
      expect(load({ ...apiKey, GRPC_HOST, INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS: 'true' }).auth.mode).toBe('api-key');
    }
    for (const GRPC_HOST of [undefined, '127.0.0.1', '127.0.0.53', 'localhost', '::1']) {
      expect(load({ ...apiKey, ...(GRPC_HOST === undefined ? {} : { GRPC_HOST }) }).auth.mode).toBe('api-key');
    }
    expect(load({ GRPC_HOST: '0.0.0.0' }).auth.mode).toBe('none');
    expect(() => load({ INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS: 'yes' })).toThrow(/INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS/);
  });

  it('requires certificate, key and client CA for mTLS, and files that exist', () => {
    expect(() => load({ INFERENCE_AUTH: 'mtls' })).toThrow(/INFERENCE_TLS_CLIENT_CA_FILE/);
    expect(() => load({ INFERENCE_TLS_CERT_FILE: '/nonexistent/cert.pem', INFERENCE_TLS_KEY_FILE: '/nonexistent/key.pem' })).toThrow(/does not exist/);
  });
});

describe('ApiKeyAuthenticator', () => {
  const keys = new ApiKeyAuthenticator([sha256('key-one'), sha256('key-two')]);

  it('accepts any configured key', () => {
    expect(() => keys.check('key-one')).not.toThrow();
    expect(() => keys.check('key-two')).not.toThrow();
  });

  it.each([[undefined], [''], ['key-three'], ['key-one ']])('refuses %j with UNAUTHENTICATED', (presented) => {
    expect(() => keys.check(presented)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
