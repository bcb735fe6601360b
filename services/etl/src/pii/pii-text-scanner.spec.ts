import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PiiKind } from './pii-kind.js';
import { type PiiHit, scanPii } from './pii-text-scanner.js';
import {
  emailAddress,
  surrounded,
  taiwanNationalId,
  writtenCard,
  writtenInternationalPhone,
  writtenTaiwanMobile,
} from './testing/pii-arbitraries.js';

function hits(text: string): PiiHit[] {
  const found: PiiHit[] = [];
  scanPii(text, (hit) => found.push(hit));
  return found;
}

function spans(text: string): [PiiKind, string, string][] {
  return hits(text).map((hit) => [hit.kind, text.slice(hit.start, hit.end), hit.canonical]);
}

describe('scanPii in Traditional Chinese text', () => {
  it.each([
    ['我的電話是0912345678謝謝', 'phone', '0912345678', '+886912345678'],
    ['身分證A123456789', 'national_id', 'A123456789', 'A123456789'],
    ['身分證字號：a123456789。', 'national_id', 'a123456789', 'A123456789'],
    ['請寄到john.doe+bank@Example.com謝謝', 'email', 'john.doe+bank@Example.com', 'john.doe+bank@example.com'],
    ['卡號4111-1111-1111-1111，有效期限12/27', 'card', '4111-1111-1111-1111', '4111111111111111'],
    ['卡號 4111 1111 1111 1111 12/27', 'card', '4111 1111 1111 1111', '4111111111111111'],
    ['手機（0912）345-678', 'phone', '（0912）345-678', '+886912345678'],
    ['手機(0912345678)', 'phone', '0912345678', '+886912345678'],
    ['手機 (+886) 912 345 678', 'phone', '(+886) 912 345 678', '+886912345678'],
    ['電話：０９１２－３４５－６７８', 'phone', '０９１２－３４５－６７８', '+886912345678'],
    ['國際 +886 (0)912-345-678 聯絡', 'phone', '+886 (0)912-345-678', '+886912345678'],
    ['舊式居留證FA12345689', 'national_id', 'FA12345689', 'FA12345689'],
    ['統一證號A800000014', 'national_id', 'A800000014', 'A800000014'],
    ['信箱0912345678@gmail.com', 'email', '0912345678@gmail.com', '0912345678@gmail.com'],
    ['call +1 415 555 2671 now', 'phone', '+1 415 555 2671', '+14155552671'],
    ['手機 +886 912 345 678 12樓', 'phone', '+886 912 345 678', '+886912345678'],
    ['門號886912345678已開通', 'phone', '886912345678', '+886912345678'],
    ['MSISDN 886-912-345-678', 'phone', '886-912-345-678', '+886912345678'],
    ['門號 886 912 345 678。', 'phone', '886 912 345 678', '+886912345678'],
    ['電話 0912\u2013345\u2013678 謝謝', 'phone', '0912\u2013345\u2013678', '+886912345678'],
    ['手機\u00A00912\u00A0345\u00A0678', 'phone', '0912\u00A0345\u00A0678', '+886912345678'],
    ['call +886\u202F912\u202F345\u202F678', 'phone', '+886\u202F912\u202F345\u202F678', '+886912345678'],
    ['卡號 4111\u20121111\u20121111\u20121111', 'card', '4111\u20121111\u20121111\u20121111', '4111111111111111'],
    ['卡號 4111\u20091111\u20091111\u20091111', 'card', '4111\u20091111\u20091111\u20091111', '4111111111111111'],
  ])('%s', (text, kind, written, canonical) => {
    expect(spans(text)).toEqual([[kind, written, canonical]]);
  });

  it('finds several values of different kinds in one pass, left to right', () => {
    const text = '王小明 A123456789，電話0912-345-678，信箱 ming@example.com.tw，卡號 3530 1113 3330 0000。';
    expect(spans(text).map(([kind]) => kind)).toEqual(['national_id', 'phone', 'email', 'card']);
  });
});

describe('scanPii leaves look-alikes alone', () => {
  it.each([
    ['1234567890.00', 'amount'],
    ['NT$1,234,567.00', 'amount with thousands separators'],
    ['0912345678.00', 'amount that starts like a mobile'],
    ['2026-11-27', 'ISO date'],
    ['2026-11-27T08:15:30.123Z', 'ISO timestamp'],
    ['2026/11/27 12:00:00', 'local timestamp'],
    ['1732700000', 'epoch seconds'],
    ['1732700000123', 'epoch milliseconds'],
    ['550e8400-e29b-41d4-a716-446655440000', 'UUID'],
    ['41234567-1234-4234-8234-123456789012', 'UUID of digits starting with 4'],
    ['ORD-2026112700123', 'order number'],
    ['ORD2026112700123', 'order number without a dash'],
    ['INV-0912345678', 'invoice number ending in mobile-like digits'],
    ['0912345678-01', 'mobile-like digits with a suffix'],
    ['192.168.100.200', 'IPv4'],
    ['203.0.113.42:8080', 'IPv4 with port'],
    ['v5.12.0 build 51200', 'version'],
    ['012-345678-901', 'bank account number'],
    ['1234 5678 9012 3456', '16 digits failing Luhn'],
    ['4111 1111-1111 1111', 'card digits with mixed separators'],
    ['A123456788', 'ID with a wrong check digit'],
    ['XA123456789', 'ID-like tail of a longer code'],
    ['e3b0c44298fc1c149afbf4c8996fb924', 'hex digest'],
    ['tel0912345678', 'digits glued to letters (accepted miss, see decision record)'],
    ['02-2345-6789', 'Taipei landline in national form (accepted miss)'],
    ['王@例子.台灣', 'Unicode e-mail (accepted miss)'],
    ['+12.5%', 'signed percentage'],
    ['+1234567', 'signed seven-digit number'],
  ])('%s (%s)', (text) => {
    expect(spans(text)).toEqual([]);
  });

  it.each([
    ['+12345678', 'phone', 'a signed integer of 8+ digits reads as E.164'],
    ['0912345678', 'phone', 'a bare 09 + 8 digits is a mobile, whatever it stands for'],
    ['4000000000000002', 'card', 'a Luhn-valid 16-digit number with an issuer prefix'],
    ['P123456781', 'national_id', 'a checksum-valid letter + 9 digits product code'],
  ])('detects %s as %s on purpose (%s)', (text, kind) => {
    expect(spans(text).map(([found]) => found)).toEqual([kind]);
  });
});

describe('scanPii on generated values in surrounding text', () => {
  const cases: [PiiKind, fc.Arbitrary<string>][] = [
    ['national_id', taiwanNationalId],
    ['phone', writtenTaiwanMobile],
    ['phone', writtenInternationalPhone],
    ['email', emailAddress],
    ['card', writtenCard()],
  ];

  it.each(cases)('finds every %s exactly where it was put', (kind, value) => {
    fc.assert(
      fc.property(surrounded(value), ([before, written, after]) => {
        const found = hits(`${before}${written}${after}`);
        expect(found.map((hit) => [hit.kind, hit.start, hit.end])).toEqual([[kind, before.length, before.length + written.length]]);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a value glued to CJK on both sides', () => {
    fc.assert(
      fc.property(fc.oneof(taiwanNationalId, writtenTaiwanMobile, emailAddress, writtenCard()), (written) => {
        expect(hits(`號碼${written}謝謝`)).toHaveLength(1);
      }),
    );
  });

  it('finds nothing in text without digits or "@" (fast path) and never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => void hits(text)));
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'ab 我的，。-_.+()'), maxLength: 80 }), (text) => hits(text).length === 0));
  });

  it('stays linear on long hostile runs', () => {
    const runs = ['a'.repeat(20_000), `${'a.'.repeat(10_000)}@`, '1 '.repeat(10_000), `+${'1-'.repeat(10_000)}`, '@a.'.repeat(7_000)];
    const started = performance.now();
    for (const text of runs) hits(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
