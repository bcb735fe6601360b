/**
 * The error `promise` rejects with, checked to be a `type` (any other error is rethrown, and a
 * promise that resolves fails the test): `expect((await rejection(run(), DomainError)).reason)…`.
 */
export async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a rejection with ${type.name}, but the promise resolved`);
}
