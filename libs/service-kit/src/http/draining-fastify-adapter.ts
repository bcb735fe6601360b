import { FastifyAdapter } from '@nestjs/platform-fastify';

/** Finishes in-flight work of one transport; `force` cuts what is left when the budget runs out. */
export interface DrainStep {
  readonly name: string;
  graceful(): Promise<void>;
  force(): void;
}

export interface DrainOutcome {
  readonly name: string;
  readonly forced: boolean;
}

export interface DrainOptions {
  /** Each step's budget; what is still running after it is cut off. */
  readonly timeoutMs: number;
  /** Runs first, e.g. to report not-ready so load balancers stop sending work. */
  readonly beforeDrain?: () => void;
  readonly onDrained?: (outcome: DrainOutcome) => void;
  readonly steps: readonly DrainStep[];
}

/**
 * Nest 12's `app.close()` runs `OnModuleDestroy` (where clients such as the Kafka producer disconnect)
 * before it closes the HTTP server and the gRPC microservice. Draining first is what keeps an
 * in-flight request from losing its producer: `beforeClose` is the one step Nest awaits before any
 * shutdown hook, so the servers stop accepting and finish their requests here.
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  readonly #steps: DrainStep[] = [];
  #drainTimeoutMs = 10_000;
  #draining = false;
  #beforeDrain: () => void = () => undefined;
  #onDrained: (outcome: DrainOutcome) => void = () => undefined;

  constructor() {
    super();
    // A keep-alive socket would hold the server open after its last response until the client lets
    // go; telling the client to close makes "drained" mean "every in-flight response was sent".
    this.getInstance().addHook('onSend', async (request, reply) => {
      if (this.#draining && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    });
  }

  configureDrain(options: DrainOptions): void {
    this.#drainTimeoutMs = options.timeoutMs;
    if (options.beforeDrain !== undefined) this.#beforeDrain = options.beforeDrain;
    if (options.onDrained !== undefined) this.#onDrained = options.onDrained;
    this.#steps.push(...options.steps);
  }

  override async beforeClose(): Promise<void> {
    super.beforeClose();
    this.#draining = true;
    this.#beforeDrain();
    const steps = this.#steps.splice(0);
    await Promise.all(
      steps.map(async (step) => {
        const forced = await drainWithin(step, this.#drainTimeoutMs);
        this.#onDrained({ name: step.name, forced });
      }),
    );
  }
}

async function drainWithin(step: DrainStep, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([step.graceful().then(() => 'drained' as const), budget]);
    if (outcome === 'drained') return false;
    step.force();
    return true;
  } finally {
    clearTimeout(timer);
  }
}
