import type { PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

interface MessageDescriptor {
  name?: string;
  field?: { typeName?: string }[];
  nestedType?: MessageDescriptor[];
  enumType?: { name?: string }[];
}

interface FileDescriptor {
  name?: string;
  package?: string;
  dependency?: string[];
  messageType?: MessageDescriptor[];
  enumType?: { name?: string }[];
  service?: { method?: { inputType?: string; outputType?: string }[] }[];
}

/**
 * proto-loader (protobufjs) merges each package into one synthetic file (`google_protobuf.proto`,
 * `kuroshio_common_v1.proto`) and leaves every file's import list empty. Reflection clients that
 * resolve types the way protoc does (grpcurl, Go) then cannot find `google.protobuf.Struct` and
 * friends: "cannot resolve type *.google.protobuf.Struct" (grpc/grpc-node#2958). This fills in each
 * file's imports from the types it references, across all files of the definition.
 */
export function withImportedDependencies(definition: PackageDefinition): PackageDefinition {
  const decoded = new Map<Buffer, FileDescriptor>();
  for (const entry of Object.values(definition)) {
    for (const buffer of fileBuffers(entry)) {
      if (!decoded.has(buffer)) decoded.set(buffer, descriptor.FileDescriptorProto.decode(buffer) as unknown as FileDescriptor);
    }
  }
  const owner = symbolOwners([...decoded.values()]);
  const encoded = new Map<Buffer, Buffer>();
  for (const [buffer, file] of decoded) {
    const imports = new Set<string>();
    forEachReference(file, (reference, scope) => {
      const target = resolve(reference, scope, owner);
      if (target !== undefined && target !== file.name) imports.add(target);
    });
    const dependency = [...imports].sort();
    const unchanged = dependency.length === (file.dependency ?? []).length && dependency.every((d, i) => d === file.dependency?.[i]);
    encoded.set(buffer, unchanged ? buffer : Buffer.from(descriptor.FileDescriptorProto.encode({ ...file, dependency } as never).finish()));
  }
  return Object.fromEntries(
    Object.entries(definition).map(([name, entry]) =>
      fileBuffers(entry).length > 0 ? [name, { ...entry, fileDescriptorProtos: fileBuffers(entry).map((b) => encoded.get(b) ?? b) }] : [name, entry],
    ),
  ) as PackageDefinition;
}

function fileBuffers(entry: PackageDefinition[string]): Buffer[] {
  return 'fileDescriptorProtos' in entry && Array.isArray(entry.fileDescriptorProtos) ? entry.fileDescriptorProtos : [];
}

/** Fully-qualified message and enum names -> the file that declares them. */
function symbolOwners(files: FileDescriptor[]): Map<string, string> {
  const owners = new Map<string, string>();
  const addMessages = (messages: MessageDescriptor[] | undefined, scope: string, file: string): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name ?? ''}`;
      owners.set(name, file);
      for (const nested of message.enumType ?? []) owners.set(`${name}.${nested.name ?? ''}`, file);
      addMessages(message.nestedType, name, file);
    }
  };
  for (const file of files) {
    const pkg = file.package ?? '';
    for (const enumType of file.enumType ?? []) owners.set(`${pkg}.${enumType.name ?? ''}`, file.name ?? '');
    addMessages(file.messageType, pkg, file.name ?? '');
  }
  return owners;
}

/** Calls `visit(typeName, scope)` for every field type and method input/output type of the file. */
function forEachReference(file: FileDescriptor, visit: (reference: string, scope: string) => void): void {
  const pkg = file.package ?? '';
  const walk = (messages: MessageDescriptor[] | undefined, scope: string): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name ?? ''}`;
      for (const field of message.field ?? []) if (field.typeName) visit(field.typeName, name);
      walk(message.nestedType, name);
    }
  };
  walk(file.messageType, pkg);
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      if (method.inputType) visit(method.inputType, pkg);
      if (method.outputType) visit(method.outputType, pkg);
    }
  }
}

/** protoc's lookup: an absolute `.a.b.C`, else the innermost enclosing scope that declares it. */
function resolve(reference: string, scope: string, owners: Map<string, string>): string | undefined {
  if (reference.startsWith('.')) return owners.get(reference.slice(1));
  for (let current = scope; current !== ''; current = current.includes('.') ? current.slice(0, current.lastIndexOf('.')) : '') {
    const found = owners.get(`${current}.${reference}`);
    if (found !== undefined) return found;
  }
  return owners.get(reference);
}
