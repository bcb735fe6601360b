import { parseWithIssues, type ValidationResult } from '../validation-issue.js';
import type { TopicDefinition } from './topic-definition.js';

const utf8 = new TextDecoder('utf-8');

/** Checks a value against its topic's schema, e.g. in a producer's tests or a consumer. */
export function validateTopicValue<TValue>(topic: TopicDefinition<unknown, TValue>, value: unknown): ValidationResult<TValue> {
  return parseWithIssues(topic.value.schema, value);
}

/** Parses and validates a record value as consumed from Kafka. */
export function decodeTopicValue<TValue>(
  topic: TopicDefinition<unknown, TValue>,
  bytes: Uint8Array | string | null,
): ValidationResult<TValue> {
  if (bytes === null) {
    return { ok: false, issues: [{ path: '', code: 'required', message: `${topic.name} records must have a value` }] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
  } catch (error) {
    return { ok: false, issues: [{ path: '', code: 'invalid_json', message: (error as Error).message }] };
  }
  return validateTopicValue(topic, parsed);
}

/** The record value to produce. Typed by the topic, so the compiler checks the shape. */
export function encodeTopicValue<TValue>(_topic: TopicDefinition<unknown, TValue>, value: TValue): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
