import { createHmac, timingSafeEqual } from 'node:crypto';

/** `x-line-signature`: base64 of HMAC-SHA256 over the raw request body, keyed by the channel secret. */
export function lineSignature(channelSecret: string, body: Buffer): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Checks a LINE webhook signature in constant time. Anything but the base64 of 32 bytes is refused
 * before any comparison, so the comparison always runs over two equal-length digests.
 */
export function verifyLineSignature(channelSecret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !BASE64.test(header)) return false;
  const expected = createHmac('sha256', channelSecret).update(body).digest();
  const presented = Buffer.from(header, 'base64');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
