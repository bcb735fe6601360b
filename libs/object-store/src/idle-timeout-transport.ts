import http from 'node:http';
import https from 'node:https';

type RequestFn = typeof http.request;

/**
 * The minio client has no request timeout: a server that accepts the connection and then stalls
 * would hold the caller forever. This transport fails a request whose socket is idle too long.
 */
export function idleTimeoutTransport(useTls: boolean, idleTimeoutMs: number): { request: RequestFn } {
  const base = useTls ? https : http;
  const request = ((options: http.RequestOptions, callback?: (response: http.IncomingMessage) => void) => {
    const req = base.request({ ...options, timeout: idleTimeoutMs }, callback);
    req.on('timeout', () => req.destroy(new Error(`S3 request idle for ${idleTimeoutMs} ms`)));
    return req;
  }) as RequestFn;
  return { request };
}
