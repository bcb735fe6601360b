import { Metadata, type ServiceError } from '@grpc/grpc-js';

/** The identity the scenario acts as in audit logs (registry, experiments). */
export const SCENARIO_ACTOR = 'demo-scenario';

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** One unary call with a deadline and the actor (and optional reason) in the metadata. */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: { timeoutMs?: number; reason?: string } = {}): Promise<Res> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', SCENARIO_ACTOR);
  if (options.reason !== undefined) metadata.set('x-kuroshio-reason', options.reason);
  return new Promise((resolve, reject) =>
    method(request, metadata, { deadline: Date.now() + (options.timeoutMs ?? 30_000) }, (error, response) => (error ? reject(error) : resolve(response))),
  );
}
