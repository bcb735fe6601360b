import type { ScalarValue } from '../../views/feature-view.js';

/**
 * Categorical property values as small integer codes, so a row stores 8 bytes per value and equal
 * values share one string. Codes are exact (no hashing), which keeps distinct_count exact.
 * `1`, `"1"` and `true` are different values.
 */
export class ValueDictionary {
  readonly #codes = new Map<ScalarValue, number>();
  readonly #values: ScalarValue[] = [];

  code(value: ScalarValue): number {
    let code = this.#codes.get(value);
    if (code === undefined) {
      code = this.#values.length;
      this.#values.push(value);
      this.#codes.set(value, code);
    }
    return code;
  }

  value(code: number): ScalarValue {
    const value = this.#values[code];
    if (value === undefined) throw new RangeError(`unknown value code ${code}`);
    return value;
  }

  get size(): number {
    return this.#values.length;
  }

  values(): readonly ScalarValue[] {
    return this.#values;
  }

  static from(values: readonly ScalarValue[]): ValueDictionary {
    const dictionary = new ValueDictionary();
    for (const value of values) dictionary.code(value);
    return dictionary;
  }
}
