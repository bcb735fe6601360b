import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { RunningService } from '@kuroshio/service-kit';
import { uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverCredentials } from './adapters/caller-authentication.js';
import type { InferenceConfig } from './config.js';
import { InferenceTestClient } from './testing/inference-test-client.js';
import { startInference } from './testing/inference-under-test.js';

// The gRPC server with TLS and required client certificates (INFERENCE_AUTH=mtls), through the
// service kit's server-credentials hook, with a CA and certificates made by openssl for the test.

const openssl = (dir: string, ...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
let dir = '';
let service: RunningService<InferenceConfig>;
const files = (name: string) => join(dir, name);

async function issue(name: string, subject: string, extensions: string) {
  await openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  await writeFile(files(`${name}.ext`), extensions);
  await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inference-tls-'));
  await openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=kuroshio-test-ca');
  await issue('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await issue('client', '/CN=risk-app', 'extendedKeyUsage=clientAuth\n');
  const env = {
    INFERENCE_AUTH: 'mtls',
    INFERENCE_TLS_CERT_FILE: files('server.crt'),
    INFERENCE_TLS_KEY_FILE: files('server.key'),
    INFERENCE_TLS_CLIENT_CA_FILE: files('ca.crt'),
    INFERENCE_WAREHOUSE_SINK: 'false',
    INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: uniqueName('it-inference-tls'),
    INFERENCE_MODEL_REGISTRY_ADDRESS: '127.0.0.1:1',
  };
  const settings = { auth: { mode: 'mtls' as const, apiKeySha256: [] }, tls: { certFile: env.INFERENCE_TLS_CERT_FILE, keyFile: env.INFERENCE_TLS_KEY_FILE, clientCaFile: env.INFERENCE_TLS_CLIENT_CA_FILE } };
  service = await startInference(env, serverCredentials(settings));
});

afterAll(async () => {
  await service?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const ask = (client: InferenceTestClient) =>
  client.predict({ model: { modelName: 'no-such-model', version: 1 }, instance: { entityId: 'x' } }, 5_000).then(
    () => 'answered',
    (error: ServiceError) => `${status[error.code]}: ${error.details}`,
  );

describe('inference over mTLS', () => {
  it('answers a client that presents a certificate from the configured CA', async () => {
    const ca = await readFile(files('ca.crt'));
    const client = new InferenceTestClient(service.grpcAddress!, {}, credentials.createSsl(ca, await readFile(files('client.key')), await readFile(files('client.crt'))));
    // UNAVAILABLE: the call got through TLS and the service answered (its registry is unreachable on purpose).
    expect(await ask(client)).toMatch(/^UNAVAILABLE: the model registry did not answer/);
    client.close();
  });

  it('refuses plaintext and TLS without a client certificate', async () => {
    const plaintext = new InferenceTestClient(service.grpcAddress!);
    const anonymous = new InferenceTestClient(service.grpcAddress!, {}, credentials.createSsl(await readFile(files('ca.crt'))));
    // Refused at the connection: the service never sees the call.
    for (const refused of [await ask(plaintext), await ask(anonymous)]) {
      expect(refused).toMatch(/^UNAVAILABLE/);
      expect(refused).not.toMatch(/model registry/);
    }
    plaintext.close();
    anonymous.close();
  });
});
