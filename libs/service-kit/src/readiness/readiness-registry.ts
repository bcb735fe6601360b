import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from './readiness-check.js';

/** Every readiness check of the process, whichever module contributed it. */
@Injectable()
export class ReadinessRegistry {
  readonly #checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    if (this.#checks.has(check.name)) throw new Error(`readiness check "${check.name}" is registered twice`);
    this.#checks.set(check.name, check);
  }

  all(): ReadinessCheck[] {
    return [...this.#checks.values()];
  }
}
