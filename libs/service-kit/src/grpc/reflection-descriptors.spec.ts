import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { describe, expect, it } from 'vitest';
import { ECHO_PROTO } from '../testing/test-service.js';
import { mapEntryName, withProtocMapEntryNames } from './reflection-descriptors.js';

interface Message {
  name: string;
  field?: { name: string; typeName?: string }[];
  nestedType?: Message[];
}

function message(definition: PackageDefinition, fullName: string): Message {
  const entry = definition[fullName] as { fileDescriptorProtos: Buffer[] };
  const files = entry.fileDescriptorProtos.map((b) => descriptor.FileDescriptorProto.decode(b) as unknown as { messageType: Message[] });
  const found = files.flatMap((f) => f.messageType).find((m) => fullName.endsWith(`.${m.name}`));
  if (found === undefined) throw new Error(`no ${fullName}`);
  return found;
}

describe('mapEntryName', () => {
  it.each([
    ['statuses', 'StatusesEntry'],
    ['request_labels', 'RequestLabelsEntry'],
    ['requestLabels', 'RequestLabelsEntry'],
    ['a__b_', 'ABEntry'],
  ])('%s -> %s', (field, entry) => {
    expect(mapEntryName(field)).toBe(entry);
  });
});

describe('withProtocMapEntryNames', () => {
  it('renames the map entry of grpc.health.v1.HealthListResponse as protoc would', () => {
    const definition = loadSync(healthProtoPath);
    expect(message(definition, 'grpc.health.v1.HealthListResponse').nestedType?.[0]?.name).toBe('Statuses');
    const fixed = message(withProtocMapEntryNames(definition), 'grpc.health.v1.HealthListResponse');
    expect(fixed.nestedType?.map((n) => n.name)).toEqual(['StatusesEntry']);
    expect(fixed.field?.[0]).toMatchObject({ name: 'statuses', typeName: 'StatusesEntry' });
  });

  it.each([true, false])('follows the field name proto-loader chose (keepCase %s)', (keepCase) => {
    const fixed = message(withProtocMapEntryNames(loadSync(ECHO_PROTO, { keepCase })), 'kuroshio.testing.v1.EchoRequest');
    const field = fixed.field?.find((f) => f.name === (keepCase ? 'request_labels' : 'requestLabels'));
    expect(field?.typeName).toBe('RequestLabelsEntry');
    expect(fixed.nestedType?.map((n) => n.name)).toEqual(['RequestLabelsEntry']);
  });

  it('returns already-correct files untouched (the same buffers)', () => {
    const once = withProtocMapEntryNames(loadSync(healthProtoPath));
    const twice = withProtocMapEntryNames(once);
    const files = (definition: PackageDefinition) => (definition['grpc.health.v1.HealthListResponse'] as { fileDescriptorProtos: Buffer[] }).fileDescriptorProtos;
    expect(files(twice)).toHaveLength(1);
    expect(files(twice)[0]).toBe(files(once)[0]);
  });
});
