/**
 * What a read gathers over a window, from bucket headers and edge rows alike. One instance is
 * reused for every value of a request (reset between), so reads allocate nothing per bucket.
 */
export class WindowAccumulator {
  /** Contributing events, the latest one's time and its column value (a dictionary code for last_value). */
  n = 0;
  lastTime = -Infinity;
  lastCode = -1;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly distinct = new Set<number>();

  reset(): void {
    this.n = 0;
    this.lastTime = -Infinity;
    this.lastCode = -1;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.distinct.clear();
  }
}
