import type { Metadata } from '@grpc/grpc-js';

/** The Predictor the transport calls. */
export const PREDICTOR = Symbol('PREDICTOR');
/** Checks a call's metadata; throws UNAUTHENTICATED. A no-op when auth is off or done by mTLS. */
export const CALLER_AUTHENTICATION = Symbol('CALLER_AUTHENTICATION');
export type CallerAuthentication = (metadata: Metadata) => void;
