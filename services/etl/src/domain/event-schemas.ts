import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventType, ValidationIssue } from '@kuroshio/contracts';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { piiPathsOfSchema } from './schema-pii-paths.js';

// ajv-formats ships CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Which envelope field a schema describes: traits for identify/group, properties otherwise. */
export type SchemaField = 'properties' | 'traits';

export interface EventSchemaFile {
  /** Directory name, e.g. `carrier_billing_charge`. */
  readonly name: string;
  readonly version: number;
  readonly schema: Record<string, unknown>;
}

export interface EventSchemaVersion {
  /** `carrier_billing_charge@1`, as recorded on events.clean. */
  readonly id: string;
  readonly version: number;
  readonly field: SchemaField;
  /** Fields the schema marks `"x-pii": true`, relative to the field (`holder.name`, `items.*.iban`). */
  readonly piiPaths: readonly string[];
  /**
   * The same from the envelope (`properties.holder.name`), plus the identify schema's traits wherever
   * traits travel (`context.traits.name`, `traits.name`): one array per schema, so the tokenizer compiles it once.
   */
  readonly envelopePiiPaths: readonly string[];
  /** The same from a raw record value (`envelope.properties.holder.name`). */
  readonly recordPiiPaths: readonly string[];
  readonly validate: ValidateFunction;
}

export type SchemaVerdict =
  | { ok: true; schema: EventSchemaVersion | undefined }
  | { ok: false; schema: EventSchemaVersion; issues: ValidationIssue[] };

interface EventBinding {
  type: EventType;
  event?: string;
}

const FIELD_OF_TYPE: Readonly<Record<EventType, SchemaField>> = {
  track: 'properties',
  page: 'properties',
  screen: 'properties',
  identify: 'traits',
  group: 'traits',
  alias: 'properties',
};

/**
 * The repository's per-event-type schemas (`schemas/<name>/v<n>.json`), compiled once. An event is
 * checked against its newest version first and accepted under the newest version that passes, so
 * app builds still on an older tracking plan keep flowing; the issues reported are the newest
 * version's. Events without a schema are accepted as they are (see the ETL decision record).
 */
export class EventSchemas {
  private constructor(
    private readonly byEvent: ReadonlyMap<string, readonly EventSchemaVersion[]>,
    /** The identify schema's `x-pii` traits wherever traits travel, for events without a schema (`context.traits.name`). */
    readonly envelopePiiPaths: readonly string[],
    /** The same from a raw record value (`envelope.context.traits.name`). */
    readonly recordPiiPaths: readonly string[],
  ) {}

  static fromFiles(files: readonly EventSchemaFile[]): EventSchemas {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'x-kuroshio-event', schemaType: 'object' });
    ajv.addKeyword({ keyword: 'x-pii', schemaType: 'boolean' });
    const byEvent = new Map<string, EventSchemaVersion[]>();
    // Segment SDKs copy the stored traits into context.traits on every call, and group calls carry
    // traits too: the traits identify marks (name, address, birthday …) are PII on every event.
    const traitPaths = [...new Set(files.filter((file) => bindingOf(file)?.type === 'identify').flatMap((file) => piiPathsOfSchema(file.schema)))];
    const globalPaths = [...traitPaths.map((path) => `context.traits.${path}`), ...traitPaths.map((path) => `traits.${path}`)];
    const withGlobal = (paths: readonly string[]) => [...new Set([...paths, ...globalPaths])];
    for (const file of files) {
      const binding = bindingOf(file);
      if (binding === undefined) {
        throw new Error(`schema ${file.name}/v${file.version}: "x-kuroshio-event": { "type", "event"? } is required`);
      }
      const key = eventKey(binding.type, binding.event);
      const versions = byEvent.get(key) ?? [];
      const field = FIELD_OF_TYPE[binding.type];
      const piiPaths = piiPathsOfSchema(file.schema);
      versions.push({
        id: `${file.name}@${file.version}`,
        version: file.version,
        field,
        piiPaths,
        envelopePiiPaths: withGlobal(piiPaths.map((path) => `${field}.${path}`)),
        recordPiiPaths: withGlobal(piiPaths.map((path) => `${field}.${path}`)).map((path) => `envelope.${path}`),
        validate: ajv.compile(file.schema),
      });
      byEvent.set(key, versions);
    }
    for (const versions of byEvent.values()) versions.sort((a, b) => b.version - a.version);
    return new EventSchemas(byEvent, globalPaths, globalPaths.map((path) => `envelope.${path}`));
  }

  static async load(directory: string): Promise<EventSchemas> {
    const files: EventSchemaFile[] = [];
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      for (const fileName of await readdir(join(directory, entry.name))) {
        const match = /^v([1-9][0-9]*)\.json$/.exec(fileName);
        if (match === null) continue;
        const schema = JSON.parse(await readFile(join(directory, entry.name, fileName), 'utf8')) as Record<string, unknown>;
        files.push({ name: entry.name, version: Number(match[1]), schema });
      }
    }
    return EventSchemas.fromFiles(files);
  }

  /** Schemas known, newest version first per event. */
  versionsOf(type: EventType, event: string | undefined): readonly EventSchemaVersion[] {
    return this.byEvent.get(eventKey(type, event)) ?? [];
  }

  /** `scrubKey` rewrites the data's own keys in issue paths (a key may be PII: an e-mail address used as a key). */
  check(type: EventType, event: string | undefined, fieldValue: unknown, scrubKey: (key: string) => string = (key) => key): SchemaVerdict {
    const versions = this.versionsOf(type, event);
    const newest = versions[0];
    if (newest === undefined) return { ok: true, schema: undefined };
    const value = fieldValue ?? {};
    for (const version of versions) {
      if (version.validate(value)) return { ok: true, schema: version };
    }
    newest.validate(value);
    return { ok: false, schema: newest, issues: issuesOf(newest.field, newest.validate.errors ?? [], scrubKey) };
  }
}

function bindingOf(file: EventSchemaFile): EventBinding | undefined {
  const binding = file.schema['x-kuroshio-event'] as EventBinding | undefined;
  return binding !== undefined && binding.type in FIELD_OF_TYPE ? binding : undefined;
}

function eventKey(type: EventType, event: string | undefined): string {
  return type === 'track' ? `track:${event ?? ''}` : type;
}

function issuesOf(field: SchemaField, errors: readonly ErrorObject[], scrubKey: (key: string) => string): ValidationIssue[] {
  return errors.slice(0, 100).map((error) => {
    const pointer = error.instancePath.split('/').slice(1).map((part) => scrubKey(part.replaceAll('~1', '/').replaceAll('~0', '~')));
    const missing = error.keyword === 'required' ? [(error.params as { missingProperty: string }).missingProperty] : [];
    const path = [field, ...pointer, ...missing].join('.');
    return { path, code: error.keyword === 'required' ? 'required' : error.keyword, message: error.message ?? error.keyword };
  });
}
