/**
 * Waits for `work` to settle, at most `timeoutMs`; never rejects. For tearing down a kafkajs client
 * that may be stuck retrying against a broker that is gone.
 */
export async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<'settled' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
