import { describe, expect, it } from 'vitest';
import { PiiTokenizer } from '../pii/index.js';
import { scrubRecordValue } from './raw-archive.js';

const tokenizer = new PiiTokenizer({ key: Buffer.alloc(32, 7) });
const CLEAR = ['0912345678', 'A123456789', '4111111111111111', 'wang@example.com'];
const LINE_TEXT = '您好\n我的電話\n0912345678\n身分證\nA123456789\t卡號\t4111111111111111\nwang@example.com';

function scrubbed(text: string, parsed: unknown = JSON.parse(text)) {
  return scrubRecordValue(text, parsed, tokenizer);
}

describe('scrubRecordValue', () => {
  it('finds values after JSON escapes, and the text still parses to the scrubbed tree', () => {
    const text = JSON.stringify({ envelope: { properties: { text: LINE_TEXT } } });
    const out = scrubbed(text);
    for (const value of CLEAR) expect(out.text).not.toContain(value);
    expect(JSON.parse(out.text!)).toEqual({ envelope: { properties: { text: tokenizer.scrubText(LINE_TEXT).text } } });
    // JSON.stringify's own text: only the values changed, so it is not marked re-serialised.
    expect(out.reserialised).toBe(false);
  });

  it('never glues a token to an escape (\\n + e-mail stays a newline and a token)', () => {
    const out = scrubbed(JSON.stringify({ msg: '請寄到\nwang@example.com' }));
    expect((JSON.parse(out.text!) as { msg: string }).msg).toBe(`請寄到\n${tokenizer.token('email', 'wang@example.com')}`);
  });

  it('finds values written as \\u escapes, and re-serialises only when the text cannot be edited', () => {
    const text = '{"a": "\\u0030912345678",  "b": "x"}';
    const out = scrubbed(text);
    expect(out.text).toBe(JSON.stringify({ a: tokenizer.token('phone', '0912345678'), b: 'x' }));
    expect(out.reserialised).toBe(true);
    // Spacing that JSON.stringify would not write, but plainly escaped values: edited in place.
    const spaced = '{"a": "call 0912345678",  "b": "x"}';
    expect(scrubbed(spaced)).toEqual({ text: `{"a": "call ${tokenizer.token('phone', '0912345678')}",  "b": "x"}`, encoding: 'utf8', reserialised: false });
  });

  it('keeps the bytes of a value without PII exactly, whatever its spacing and escapes', () => {
    const text = '{ "a" : "\\u4f60\\u597d\\n2026-11-27" ,"n":1.50 }';
    expect(scrubbed(text)).toEqual({ text, encoding: 'utf8', reserialised: false });
  });

  it('scans text that does not parse with escapes as boundaries', () => {
    const text = JSON.stringify({ text: LINE_TEXT }).slice(0, -1);
    const out = scrubRecordValue(text, undefined, tokenizer);
    for (const value of CLEAR) expect(out.text).not.toContain(value);
    expect(out.text).toContain(`\\n${tokenizer.token('email', 'wang@example.com')}`);
  });

  it('scans bytes that are not UTF-8 the same way, keeping them as base64', () => {
    const bytes = Buffer.concat([Buffer.from('{"t":"\\n0912345678'), Buffer.from([0xff])]);
    const out = scrubRecordValue(bytes, undefined, tokenizer);
    expect(out.encoding).toBe('base64');
    expect(Buffer.from(out.text!, 'base64').toString('latin1')).toBe(`{"t":"\\n${tokenizer.token('phone', '0912345678')}\u00ff`);
  });
});
