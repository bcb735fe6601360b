import type { Readable } from 'node:stream';
import { gunzip } from 'node:zlib';
import { DomainError } from '@kuroshio/service-kit';

/** A request body as the collector's routes see it: the bytes on the wire and after decompression. */
export class RequestBody {
  constructor(
    /** Exactly as received; what a LINE signature covers. */
    readonly wire: Buffer,
    /** Decompressed (the same buffer when the body was not compressed). */
    readonly bytes: Buffer,
    /** Called once when a route takes the body over (its bytes leave the in-flight body budget). */
    readonly onTaken: () => void = () => undefined,
  ) {}
}

/** Thrown for a body of any type the collector does not read (XML, multipart, ...). */
export const UNSUPPORTED_CONTENT_TYPE = {
  error: 'UNSUPPORTED_MEDIA_TYPE',
  reason: 'unsupported_content_type',
  message: 'Content-Type must be application/json (or text/plain or application/x-www-form-urlencoded, as SDKs declare JSON bodies)',
} as const;

export class BodyTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`request body not received within ${timeoutMs} ms`);
    this.name = 'BodyTimeoutError';
  }
}

export function bodyTooLarge(maxBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `request body larger than ${maxBytes} bytes`, { reason: 'body_too_large', details: { maxBytes } });
}

/**
 * Buffers a request body up to `maxBytes`, failing as soon as it grows past the limit (nothing
 * beyond it is kept) or when the whole body has not arrived within `timeoutMs` — a client that
 * trickles bytes holds a connection and memory, so it gets a deadline rather than patience.
 */
export function collectBody(
  stream: Readable,
  options: {
    maxBytes: number;
    timeoutMs: number;
    /** Admits each chunk's bytes before they are kept; the error it returns ends the read. */
    admit?: (bytes: number) => Error | undefined;
  },
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else {
        // Stop reading (and buffering) what is left; the socket is closed after the error answer.
        stream.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) return finish(bodyTooLarge(options.maxBytes));
      const refused = options.admit?.(chunk.length);
      if (refused === undefined) chunks.push(chunk);
      else finish(refused);
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) => finish(error);
    const onAborted = () => finish(new Error('client aborted the request'));
    const timer = setTimeout(() => finish(new BodyTimeoutError(options.timeoutMs)), options.timeoutMs);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
}

const IDENTITY = new Set(['', 'identity']);

/**
 * Undoes `Content-Encoding: gzip`, refusing to produce more than `maxInflatedBytes`: zlib stops
 * at the limit, so a zip bomb costs at most that much memory.
 */
export async function inflateBody(wire: Buffer, contentEncoding: string | undefined, maxInflatedBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (IDENTITY.has(encoding)) return wire;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new DomainError('INVALID_ARGUMENT', `Content-Encoding "${encoding.slice(0, 32)}" is not supported; send gzip or none`, {
      reason: 'unsupported_content_encoding',
    });
  }
  return new Promise<Buffer>((resolve, reject) => {
    gunzip(wire, { maxOutputLength: maxInflatedBytes }, (error, inflated) => {
      if (error === null) return resolve(inflated);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(
          new DomainError('PAYLOAD_TOO_LARGE', `decompressed body larger than ${maxInflatedBytes} bytes`, {
            reason: 'inflated_too_large',
            details: { maxInflatedBytes },
          }),
        );
      }
      reject(new DomainError('INVALID_ARGUMENT', 'body is not valid gzip', { reason: 'invalid_gzip' }));
    });
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON body; invalid UTF-8 and malformed JSON are the client's error (400), with the reason. */
export function decodeJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new DomainError('INVALID_ARGUMENT', 'body is not valid UTF-8', { reason: 'invalid_utf8' });
  }
  if (text.trim() === '') throw new DomainError('INVALID_ARGUMENT', 'body is empty; send a JSON object', { reason: 'empty_body' });
  try {
    // JSON.parse makes "__proto__" an ordinary own key, never a prototype; the envelope guard rejects it.
    return JSON.parse(text);
  } catch (error) {
    throw new DomainError('INVALID_ARGUMENT', `body is not valid JSON: ${(error as Error).message.slice(0, 200)}`, { reason: 'malformed_json' });
  }
}
