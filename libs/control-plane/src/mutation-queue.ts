/**
 * Runs tasks one at a time in the order they were submitted; a task that fails does not stop the
 * ones behind it. A control plane's single writer: a decision, its log write and its application to
 * memory happen inside one task, so no other change can interleave.
 */
export class MutationQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  /** Tasks submitted and not yet settled. */
  get depth(): number {
    return this.#waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#waiting += 1;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => (this.#waiting -= 1),
      () => (this.#waiting -= 1),
    );
    return result;
  }
}
