import type { PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

interface DescriptorMessage {
  name?: string;
  field?: { name?: string; typeName?: string }[];
  nestedType?: DescriptorMessage[];
  options?: { mapEntry?: boolean } | null;
}

/**
 * protobufjs names the synthetic entry message of `map<K, V> statuses` "Statuses" where protoc (and
 * Go's descriptor validation) expects "StatusesEntry", so grpcurl rejects every file with a map
 * (grpc.health.v1 included) as "an invalid map: incorrect implicit map entry name" — see
 * fullstorydev/grpcurl#519. Renaming the entries in the descriptors that reflection serves fixes
 * `grpcurl describe` and calls; the server's own (de)serialisation does not use these names.
 */
export function withProtocMapEntryNames(definition: PackageDefinition): PackageDefinition {
  const fixed = new Map<Buffer, Buffer>();
  const fix = (file: Buffer): Buffer => {
    let result = fixed.get(file);
    if (result === undefined) {
      result = renameMapEntries(file);
      fixed.set(file, result);
    }
    return result;
  };
  // Reflection reads the files from the message and enum entries (services carry none).
  return Object.fromEntries(
    Object.entries(definition).map(([name, entry]) =>
      'fileDescriptorProtos' in entry && Array.isArray(entry.fileDescriptorProtos)
        ? [name, { ...entry, fileDescriptorProtos: entry.fileDescriptorProtos.map(fix) }]
        : [name, entry],
    ),
  ) as PackageDefinition;
}

function renameMapEntries(file: Buffer): Buffer {
  const proto = descriptor.FileDescriptorProto.decode(file) as unknown as { messageType?: DescriptorMessage[] };
  let changed = false;
  const visit = (message: DescriptorMessage): void => {
    for (const nested of message.nestedType ?? []) {
      if (nested.options?.mapEntry !== true) continue;
      const field = message.field?.find((f) => lastSegment(f.typeName) === nested.name);
      if (field?.name === undefined || field.typeName === undefined) continue;
      const expected = mapEntryName(field.name);
      if (nested.name === expected) continue;
      field.typeName = `${field.typeName.slice(0, field.typeName.length - (nested.name ?? '').length)}${expected}`;
      nested.name = expected;
      changed = true;
    }
    for (const nested of message.nestedType ?? []) visit(nested);
  };
  for (const message of proto.messageType ?? []) visit(message);
  return changed ? Buffer.from(descriptor.FileDescriptorProto.encode(proto).finish()) : file;
}

/** protoc's rule: drop underscores, capitalise the first letter and each letter after one, add "Entry". */
export function mapEntryName(fieldName: string): string {
  let name = '';
  let upperNext = true;
  for (const char of fieldName) {
    if (char === '_') upperNext = true;
    else {
      name += upperNext ? char.toUpperCase() : char;
      upperNext = false;
    }
  }
  return `${name}Entry`;
}

function lastSegment(typeName: string | undefined): string | undefined {
  return typeName?.split('.').at(-1);
}
