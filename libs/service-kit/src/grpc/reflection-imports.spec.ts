import { loadSync } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { ECHO_PROTO } from '../testing/test-service.js';
import { withImportedDependencies } from './reflection-imports.js';

function filesOf(definition: ReturnType<typeof loadSync>, symbol: string) {
  const entry = definition[symbol] as { fileDescriptorProtos: Buffer[] };
  return entry.fileDescriptorProtos.map((b) => descriptor.FileDescriptorProto.decode(b) as unknown as { name: string; dependency: string[] });
}

describe('withImportedDependencies', () => {
  it('makes the file of the echo API import the file that declares google.protobuf.Timestamp', () => {
    const loaded = loadSync(ECHO_PROTO);
    const echoFile = (definition: ReturnType<typeof loadSync>) => filesOf(definition, 'kuroshio.testing.v1.EchoReply').find((f) => f.name.startsWith('kuroshio'));
    const timestampFile = filesOf(loaded, 'google.protobuf.Timestamp').find((f) => f.name.startsWith('google'))!.name;

    expect(echoFile(loaded)?.dependency ?? []).toEqual([]);
    expect(echoFile(withImportedDependencies(loaded))?.dependency).toEqual([timestampFile]);
  });

  it('leaves files that reference nothing outside themselves byte for byte as they were', () => {
    const loaded = loadSync(ECHO_PROTO);
    const googleFile = (d: typeof loaded) =>
      (d['google.protobuf.Timestamp'] as { fileDescriptorProtos: Buffer[] }).fileDescriptorProtos.find(
        (b) => (descriptor.FileDescriptorProto.decode(b) as unknown as { name: string }).name.startsWith('google'),
      );
    expect(googleFile(withImportedDependencies(loaded))).toBe(googleFile(loaded));
  });
});
