import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, type Attributes, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/** Span name and attributes of one RPC method, per the OpenTelemetry RPC conventions. */
export interface RpcMethod {
  /** `kuroshio.features.v1.FeatureService/GetOnlineFeatures` */
  readonly name: string;
  /** `kuroshio.features.v1.FeatureService` */
  readonly service: string;
  readonly attributes: Readonly<Attributes>;
}

const methods = new Map<string, RpcMethod>();

/** The method behind a gRPC path (`/package.Service/Method`), computed once per path. */
export function rpcMethodOf(path: string): RpcMethod {
  let method = methods.get(path);
  if (method === undefined) {
    const name = path.startsWith('/') ? path.slice(1) : path;
    const slash = name.lastIndexOf('/');
    const service = slash < 0 ? name : name.slice(0, slash);
    const rpc = slash < 0 ? '' : name.slice(slash + 1);
    method = { name, service, attributes: Object.freeze({ 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': rpc }) };
    // Paths come from the server's and clients' method tables, so the map stays small.
    methods.set(path, method);
  }
  return method;
}

/** Server spans fail only on codes that mean the server failed; a client span fails on any non-OK code. */
const SERVER_ERRORS: ReadonlySet<number> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

/** Records the call's final status on its span and ends it. */
export function endRpcSpan(span: Span, code: number, details: string | undefined, kind: SpanKind.SERVER | SpanKind.CLIENT): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== GrpcStatus.OK && (kind === SpanKind.CLIENT || SERVER_ERRORS.has(code))) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${GrpcStatus[code] ?? code}${details ? `: ${details}` : ''}` });
  }
  span.end();
}

/** W3C `traceparent`/`tracestate` read from gRPC metadata (keys are lower-case there). */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key);
    if (values.length === 0) return undefined;
    return values.length === 1 ? String(values[0]) : values.map(String);
  },
};

export const metadataSetter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => metadata.set(key, value),
};
