import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** One unary call of a generated @grpc/grpc-js client, as a promise, with a deadline and the caller identity. */
export function unary<T>(invoke: (metadata: Metadata, options: { deadline: Date }, callback: Callback<T>) => unknown, deadlineMs: number, actor = 'inference'): Promise<T> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', actor);
  return new Promise((resolve, reject) => invoke(metadata, { deadline: new Date(deadlineMs) }, (error, response) => (error ? reject(error) : resolve(response))));
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}

/** The call failed for lack of an answer (down, slow, overloaded), not because of what was asked. */
export function isTransient(error: unknown): boolean {
  if (!isServiceError(error)) return true;
  return [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.CANCELLED, status.UNKNOWN, status.INTERNAL, status.ABORTED].includes(error.code);
}
