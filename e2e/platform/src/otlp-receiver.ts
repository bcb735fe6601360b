import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OpenTelemetry Collector would receive it from one of the services. */
export interface ExportedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

// OTLP/JSON carries ids as hex; accept base64 too, as some exporters send it.
const hex = (id: unknown) => (typeof id === 'string' && /^[0-9a-f]*$/.test(id) ? id : Buffer.from(String(id ?? ''), 'base64').toString('hex'));
const attributeValue = (value: Record<string, unknown>): unknown => {
  const [[type, inner] = []] = Object.entries(value);
  if (type === 'arrayValue') return ((inner as { values?: Record<string, unknown>[] }).values ?? []).map(attributeValue);
  // OTLP/JSON sends int64 as a string.
  return type === 'intValue' ? Number(inner) : inner;
};
const attributesOf = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map(({ key, value }) => [key, attributeValue(value)]));

export interface OtlpReceiver {
  /** Every span received so far, in arrival order. */
  readonly spans: ExportedSpan[];
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  close(): void;
}

/** A minimal OTLP/HTTP (JSON) trace receiver on loopback, the way an OpenTelemetry Collector would receive spans. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ExportedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: Array<{ resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              service,
              traceId: hex(span['traceId']),
              spanId: hex(span['spanId']),
              parentSpanId: hex(span['parentSpanId']),
              name: String(span['name']),
              kind: Number(span['kind'] ?? 0),
              attributes: attributesOf(span['attributes'] as OtlpAttribute[]),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { spans, endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}
