import type { PathSegment } from '../validation-issue.js';
import { ENVELOPE_LIMITS, FORBIDDEN_KEYS, type EnvelopeLimits } from './envelope-limits.js';

/**
 * Walks a would-be JSON value once and reports what must never get further: prototype keys,
 * non-JSON values, and anything over the size limits. It runs before schema parsing so that
 * hostile shapes (a million-deep nesting, a `__proto__` key) never reach code that recurses or
 * copies keys. Returns no issues for an acceptable tree.
 */
export function guardJsonTree(root: unknown, limits: EnvelopeLimits = ENVELOPE_LIMITS): TreeIssue[] {
  const walk = new TreeWalk(limits);
  walk.visit(root, 0);
  return walk.issues;
}

export interface TreeIssue {
  path: PathSegment[];
  code: 'too_many_values' | 'too_long' | 'not_json' | 'too_deep' | 'too_many_keys' | 'forbidden_key' | 'key_too_long';
  message: string;
}

class TreeWalk {
  readonly issues: TreeIssue[] = [];
  // One mutable path shared by the whole walk; copied only when an issue is reported.
  private readonly path: PathSegment[] = [];
  private values = 0;
  private stopped = false;

  constructor(private readonly limits: EnvelopeLimits) {}

  visit(value: unknown, depth: number): void {
    if (this.full()) {
      return;
    }
    this.values += 1;
    if (this.values > this.limits.maxValues) {
      this.report('too_many_values', `more than ${this.limits.maxValues} values in the event`);
      this.stopped = true;
      return;
    }
    switch (typeof value) {
      case 'string':
        if (value.length > this.limits.maxStringLength) {
          this.report('too_long', `string longer than ${this.limits.maxStringLength} characters`);
        }
        return;
      case 'number':
        if (!Number.isFinite(value)) {
          this.report('not_json', 'number must be finite');
        }
        return;
      case 'boolean':
      case 'undefined':
        return;
      case 'object':
        if (value === null) {
          return;
        }
        break;
      default:
        this.report('not_json', `${typeof value} is not a JSON value`);
        return;
    }
    if (depth > this.limits.maxDepth) {
      this.report('too_deep', `nested deeper than ${this.limits.maxDepth} levels`);
      return;
    }
    if (Array.isArray(value)) {
      this.visitArray(value, depth);
    } else if (isPlainObject(value)) {
      this.visitObject(value, depth);
    } else {
      this.report('not_json', 'only plain objects and arrays are JSON containers');
    }
  }

  private visitArray(array: readonly unknown[], depth: number): void {
    if (array.length > this.limits.maxArrayLength) {
      this.report('too_long', `array longer than ${this.limits.maxArrayLength} elements`);
      return;
    }
    for (let index = 0; index < array.length; index += 1) {
      this.path.push(index);
      this.visit(array[index], depth + 1);
      this.path.pop();
    }
  }

  private visitObject(object: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(object);
    if (keys.length > this.limits.maxKeysPerObject) {
      this.report('too_many_keys', `more than ${this.limits.maxKeysPerObject} keys`);
      return;
    }
    for (const key of keys) {
      this.path.push(key);
      if (FORBIDDEN_KEYS.has(key)) {
        this.report('forbidden_key', `key "${key}" is not allowed`);
      } else if (key.length > this.limits.maxKeyLength) {
        this.report('key_too_long', `key longer than ${this.limits.maxKeyLength} characters`);
      } else {
        this.visit(object[key], depth + 1);
      }
      this.path.pop();
    }
  }

  private report(code: TreeIssue['code'], message: string): void {
    if (!this.full()) {
      this.issues.push({ path: [...this.path], code, message });
    }
  }

  private full(): boolean {
    return this.stopped || this.issues.length >= this.limits.maxIssues;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
