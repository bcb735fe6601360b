import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRPC_LOADER_OPTIONS, protoRoot, type grpcNest } from '@kuroshio/contracts';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { retrainingPolicyFromProto, type RetrainingPolicy } from './retraining-policy.js';

type PolicyProto = grpcNest.trainer.v1.RetrainingPolicy;

const POLICY_TYPE = 'kuroshio.trainer.v1.RetrainingPolicy';
const DURATION_TYPE = '.google.protobuf.Duration';
const DURATION_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

let policyType: protobuf.Type | undefined;

/** The RetrainingPolicy message type from the protos, with every reference resolved. */
function retrainingPolicyType(): protobuf.Type {
  if (policyType !== undefined) return policyType;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoRoot, target));
  root.loadSync('kuroshio/trainer/v1/retraining.proto');
  root.resolveAll();
  policyType = root.lookupType(POLICY_TYPE);
  return policyType;
}

/**
 * A policy written as plain data (the proto's JSON field names in camelCase, enums by name, durations
 * as `{seconds}` or text such as `30d`, `12h`, `90s`) in the shape the gRPC transport hands the
 * trainer. Unknown fields are errors, not silently dropped: a misspelt trigger must not turn it off.
 */
export function policyProtoFromPlain(plain: unknown, where: string): PolicyProto {
  const type = retrainingPolicyType();
  const problems: string[] = [];
  const normalised = normalise(type, plain, where, problems);
  if (problems.length > 0) throw new PolicyFileError(problems);
  try {
    const message = type.fromObject(normalised as Record<string, unknown>);
    // The options @grpc/proto-loader uses, so a policy from a file looks like one from a request.
    return type.toObject(message, GRPC_LOADER_OPTIONS as protobuf.IConversionOptions) as PolicyProto;
  } catch (error) {
    throw new PolicyFileError([`${where}: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

function normalise(type: protobuf.Type, value: unknown, path: string, problems: string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: expected an object (${type.name})`);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const field = type.fields[key];
    if (field === undefined) {
      problems.push(`${path}.${key}: unknown field of ${type.name}${key.includes('_') ? ' (field names are camelCase)' : ''}`);
      continue;
    }
    out[key] = field.repeated && Array.isArray(inner) ? inner.map((item, i) => normaliseField(field, item, `${path}.${key}[${i}]`, problems)) : normaliseField(field, inner, `${path}.${key}`, problems);
  }
  return out;
}

const NUMERIC = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function normaliseField(field: protobuf.Field, value: unknown, path: string, problems: string[]): unknown {
  const resolved = field.resolvedType;
  if (value === null) return value;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in resolved.values)) problems.push(`${path}: expected one of ${Object.keys(resolved.values).join(', ')}`);
    return value;
  }
  if (!(resolved instanceof protobuf.Type)) {
    const fine = NUMERIC.has(field.type) ? typeof value === 'number' && Number.isFinite(value) : field.type === 'bool' ? typeof value === 'boolean' : field.type === 'string' ? typeof value === 'string' : true;
    if (!fine) problems.push(`${path}: expected a ${field.type}`);
    return value;
  }
  if (resolved.fullName === DURATION_TYPE && typeof value === 'string') {
    const match = DURATION_TEXT.exec(value);
    if (match === null) {
      problems.push(`${path}: "${value}" is not a duration such as 30d, 12h, 15m, 90s or 500ms`);
      return value;
    }
    const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    const seconds = Math.trunc(ms / 1000);
    return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
  }
  return normalise(resolved, value, path, problems);
}

export class PolicyFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'PolicyFileError';
  }
}

export interface PolicyFileEntry {
  /** As the proto carries it (what RunRetrainingCycle sends). */
  readonly proto: PolicyProto;
  readonly policy: RetrainingPolicy;
}

/**
 * The policies file (`TRAINER_RETRAINING_POLICIES_FILE`, or the CLI's `--policy`): YAML or JSON,
 * `policies:` a list of RetrainingPolicy. Every problem of every policy is reported at once; two
 * policies for one model are refused.
 */
export function readRetrainingPolicyFile(path: string): PolicyFileEntry[] {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PolicyFileError([`${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const list = (document as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(list)) throw new PolicyFileError([`${path}: expected a top-level "policies:" list`]);
  const problems: string[] = [];
  const entries: PolicyFileEntry[] = [];
  list.forEach((plain, i) => {
    const where = `${path}: policies[${i}]`;
    try {
      const proto = policyProtoFromPlain(plain, where);
      entries.push({ proto, policy: retrainingPolicyFromProto(proto, where) });
    } catch (error) {
      if (error instanceof PolicyFileError) problems.push(...error.problems);
      else problems.push(error instanceof Error ? error.message : String(error));
    }
  });
  const names = entries.map((e) => e.policy.modelName);
  for (const name of new Set(names)) if (names.filter((n) => n === name).length > 1) problems.push(`${path}: more than one policy for model ${name}`);
  if (problems.length > 0) throw new PolicyFileError(problems);
  return entries;
}

/** The checked policies of a policies file. */
export function loadRetrainingPolicies(path: string): RetrainingPolicy[] {
  return readRetrainingPolicyFile(path).map((entry) => entry.policy);
}
