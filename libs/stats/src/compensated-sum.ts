/**
 * Neumaier's variant of Kahan summation: the rounding error of every addition is carried in a
 * separate term, so the result is as accurate as if summed in roughly twice the precision,
 * whatever the order and magnitude of the terms (plain summation of n terms can lose up to
 * n * 2^-53 relative).
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): this {
    const t = this.sum + value;
    this.compensation +=
      Math.abs(this.sum) >= Math.abs(value) ? this.sum - t + value : value - t + this.sum;
    this.sum = t;
    return this;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

export function compensatedSum(values: Iterable<number>): number {
  const acc = new CompensatedSum();
  for (const v of values) acc.add(v);
  return acc.value;
}
