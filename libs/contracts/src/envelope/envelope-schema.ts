import { z } from 'zod';
import { CHANNELS, EVENT_TYPES, SLUG_PATTERN } from './envelope-fields.js';
import { ENVELOPE_LIMITS } from './envelope-limits.js';
import { fromZodIssues } from '../validation-issue.js';
import { guardJsonTree } from './json-tree-guard.js';
import { typeRuleIssues } from './envelope-type-rules.js';

// Segment SDKs send `"userId": null` for anonymous visitors; null and absent mean the same, and
// the parsed envelope says undefined for both (dropped when serialised), so consumers test one thing.
function optional<T extends z.ZodType<string>>(schema: T) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}

const id = z.string().min(1).max(ENVELOPE_LIMITS.maxIdLength);
const name = z.string().min(1).max(ENVELOPE_LIMITS.maxNameLength);
const slug = z.string().min(1).max(ENVELOPE_LIMITS.maxSlugLength).regex(SLUG_PATTERN, 'lower-case letters, digits, ".", "_" and "-"');
const instant = z.iso.datetime({ offset: true });
// The JSON tree guard has already checked every value inside these.
const jsonObject = z.record(z.string(), z.unknown());
const optionalJsonObject = jsonObject
  .nullish()
  .transform((value) => value ?? undefined)
  .optional();

// Unknown top-level keys (`integrations`, `_metadata`, `writeKey`, ... which SDKs add) are dropped.
const segmentFields = {
  messageId: id,
  type: z.enum(EVENT_TYPES),
  event: optional(name),
  userId: optional(id),
  anonymousId: optional(id),
  timestamp: optional(instant),
  sentAt: optional(instant),
  properties: optionalJsonObject,
  traits: optionalJsonObject,
  groupId: optional(id),
  previousId: optional(id),
  name: optional(name),
  category: optional(name),
};

/** What a client may send: tenant, source and receivedAt are the collector's to set. */
const inboundEventShape = z.object({
  ...segmentFields,
  context: z
    .looseObject({ channel: z.enum(CHANNELS).optional() })
    .nullish()
    .transform((value) => value ?? undefined)
    .optional(),
});

/**
 * The envelope on events.raw: a client event enriched by the collector. Exported (not from the
 * package) for the compiled events.raw check, which derives its JSON Schema from it.
 */
export const eventEnvelopeShape = z.object({
  ...segmentFields,
  context: z.looseObject({ channel: z.enum(CHANNELS) }),
  receivedAt: instant,
  tenant: slug,
  source: slug,
});

/** The envelope on events.clean: the ETL has settled the event time. */
const cleanEnvelopeShape = eventEnvelopeShape.extend({ timestamp: instant });

/**
 * Wraps a shape with the checks zod cannot express or must not be exposed to: the JSON tree guard
 * first (so hostile shapes never reach zod), then the per-type Segment rules, then the shape.
 * Issues from guard and rules carry their own code in `params.reason`.
 */
function guarded<T extends z.ZodType<Record<string, unknown>>>(shape: T) {
  return z.unknown().transform((input, ctx): z.output<T> => {
    const guardIssues = guardJsonTree(input);
    if (guardIssues.length > 0) {
      for (const issue of guardIssues) {
        ctx.issues.push({ code: 'custom', message: issue.message, input, path: issue.path, params: { reason: issue.code } });
      }
      return z.NEVER;
    }
    const parsed = shape.safeParse(input, { reportInput: true });
    if (!parsed.success) {
      for (const issue of fromZodIssues(parsed.error.issues)) {
        ctx.issues.push({ code: 'custom', message: issue.message, input, path: issue.pathSegments, params: { reason: issue.code } });
      }
    }
    const ruleIssues = typeRuleIssues(input);
    for (const issue of ruleIssues) {
      ctx.issues.push({ code: 'custom', message: issue.message, input, path: [issue.field], params: { reason: issue.code } });
    }
    return parsed.success && ruleIssues.length === 0 ? parsed.data : z.NEVER;
  });
}

export const inboundEventSchema = guarded(inboundEventShape);
export const eventEnvelopeSchema = guarded(eventEnvelopeShape);
export const cleanEnvelopeSchema = guarded(cleanEnvelopeShape);

export type InboundEvent = z.output<typeof inboundEventShape>;
export type EventEnvelope = z.output<typeof eventEnvelopeShape>;
export type CleanEnvelope = z.output<typeof cleanEnvelopeShape>;
