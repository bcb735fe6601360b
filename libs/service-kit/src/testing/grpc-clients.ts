import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type Client, type GrpcObject, type Metadata, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ECHO_PROTO } from './test-service.js';

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');

function clientOf(protoFile: string, serviceName: string, address: string): Client & Record<string, (...args: unknown[]) => unknown> {
  const loaded = loadPackageDefinition(loadSync(protoFile, { keepCase: true, enums: String }));
  const Service = serviceName.split('.').reduce<unknown>((node, part) => (node as GrpcObject)[part], loaded) as ServiceClientConstructor;
  return new Service(address, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
}

export async function healthStatus(address: string, service: string): Promise<string> {
  const client = clientOf(healthProtoPath, 'grpc.health.v1.Health', address);
  try {
    return await new Promise((resolve, reject) => {
      client['Check']?.({ service }, (error: ServiceError | null, reply: { status: string }) => (error ? reject(error) : resolve(reply.status)));
    });
  } finally {
    client.close();
  }
}

/** What `grpcurl list` asks: the service names the reflection API reports. */
export async function reflectedServices(address: string): Promise<string[]> {
  const client = clientOf(REFLECTION_PROTO, 'grpc.reflection.v1.ServerReflection', address);
  try {
    return await new Promise((resolve, reject) => {
      const call = client['ServerReflectionInfo']?.() as NodeJS.ReadWriteStream & { write(m: unknown): void };
      call.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((response.list_services_response?.service ?? []).map((s) => s.name).sort());
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}

export async function echo(address: string, text: string): Promise<{ text: string }> {
  const client = clientOf(ECHO_PROTO, 'kuroshio.testing.v1.EchoService', address);
  try {
    return await new Promise((resolve, reject) => {
      client['Echo']?.({ text }, (error: ServiceError | null, reply: { text: string }) => (error ? reject(error) : resolve(reply)));
    });
  } finally {
    client.close();
  }
}

export type { Metadata, ServiceError };
