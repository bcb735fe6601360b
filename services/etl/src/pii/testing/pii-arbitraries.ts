import fc from 'fast-check';
import { luhnCheckDigit } from '../payment-card.js';
import { taiwanNationalIdCheckDigit } from '../taiwan-national-id.js';

/** Test-only generators of valid values in the formats channels write them. */

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

export const taiwanNationalId: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...UPPER), fc.constantFrom('1', '2', '8', '9', 'A', 'B', 'C', 'D'), digits(7), fc.boolean())
  .map(([area, second, body, lower]) => {
    const prefix = `${area}${second}${body}`;
    const id = `${prefix}${taiwanNationalIdCheckDigit(prefix)}`;
    return lower ? id.toLowerCase() : id;
  });

/** Issuer prefixes with the lengths they issue. */
const CARD_FAMILIES: ReadonlyArray<[string, readonly number[]]> = [
  ['4', [13, 16, 19]],
  ['51', [16]],
  ['55', [16]],
  ['2221', [16]],
  ['2720', [16]],
  ['34', [15]],
  ['37', [15]],
  ['3528', [16, 19]],
  ['36', [14, 16]],
  ['6011', [16, 19]],
  ['62', [16, 17, 18, 19]],
];

/** Card digits only. */
export const cardDigits: fc.Arbitrary<string> = fc
  .constantFrom(...CARD_FAMILIES)
  .chain(([prefix, lengths]) => fc.tuple(fc.constant(prefix), fc.constantFrom(...lengths)))
  .chain(([prefix, length]) => digits(length - prefix.length - 1).map((body) => `${prefix}${body}`))
  .map((payload) => `${payload}${luhnCheckDigit(payload)}`);

function groups(text: string, sizes: readonly number[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    out.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** A card number as people write it: plain, in fours, Amex 4-6-5, or random groups of 3–6. */
export const writtenCard = (digitsArb: fc.Arbitrary<string> = cardDigits): fc.Arbitrary<string> =>
  fc
    .tuple(
      digitsArb,
      fc.constantFrom('', ' ', '-'),
      fc.oneof(fc.constant([4, 4, 4, 4, 4]), fc.constant([4, 6, 5]), fc.array(fc.integer({ min: 3, max: 6 }), { minLength: 6, maxLength: 6 })),
    )
    .map(([card, separator, sizes]) => (separator === '' ? card : groups(card, sizes).join(separator)));

/** Eight subscriber digits of a Taiwanese mobile (09 + two + six). */
export const taiwanMobileDigits: fc.Arbitrary<string> = digits(8).map((rest) => `09${rest}`);

/** The same Taiwanese mobile in the formats seen across channels. */
export function taiwanMobileFormats(mobile: string): string[] {
  const a = mobile.slice(0, 4);
  const b = mobile.slice(4, 7);
  const c = mobile.slice(7);
  const n = mobile.slice(1);
  return [
    mobile,
    `${a}-${b}-${c}`,
    `${a} ${b} ${c}`,
    `${a}.${b}.${c}`,
    `(${a})${b}-${c}`,
    `(${a}) ${b} ${c}`,
    `${a}-${b}${c}`,
    `+886${n}`,
    `+886 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
    `+886-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
    `+886 (0)${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
    `(+886) ${n.slice(0, 3)} ${n.slice(3)}`,
  ];
}

export const writtenTaiwanMobile: fc.Arbitrary<string> = taiwanMobileDigits.chain((m) => fc.constantFrom(...taiwanMobileFormats(m)));

/** An E.164 number outside Taiwan's mobile range, written with its "+" and optional grouping. */
export const writtenInternationalPhone: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 7, max: 14 }), fc.constantFrom('', ' ', '-', '.'))
  .chain(([first, rest, separator]) => digits(rest).map((tail) => ({ number: `${first}${tail}`, separator })))
  .filter(({ number }) => !number.startsWith('886'))
  .map(({ number, separator }) =>
    separator === '' ? `+${number}` : `+${groups(number, [2, 3, 3, 3, 3, 3]).join(separator)}`,
  );

const LOCAL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%+-';
const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const atom = (chars: string, max: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: max });

export const emailAddress: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(atom(LOCAL_CHARS, 10), { minLength: 1, maxLength: 3 }),
    fc.array(atom(LABEL_CHARS, 10), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'tw', 'com.tw', 'org', 'io', 'xn--kpry57d', 'COM'),
  )
  .map(([local, labels, tld]) => `${local.join('.')}@${labels.join('.')}.${tld}`);

/** Surrounding text: Traditional Chinese, ASCII words, spaces and CJK punctuation, with no digits or "@". */
const FILLER = ['我的', '電話', '是', '謝謝', '身分證', '卡號', '，', '。', '：', '（', '）', ' ', '\n', 'call', 'me', 'ID:', '<', '>', '"', ',', '、', '「', '」'];
export const fillerText: fc.Arbitrary<string> = fc.array(fc.constantFrom(...FILLER), { maxLength: 6 }).map((parts) => parts.join(''));

/** Text around a value that keeps a boundary on each side (ends in CJK, space or punctuation, or nothing). */
export const surrounded = (value: fc.Arbitrary<string>): fc.Arbitrary<[string, string, string]> =>
  fc.tuple(
    fillerText.filter((t) => t === '' || !/[A-Za-z0-9_.-]$/.test(t)),
    value,
    fillerText.filter((t) => t === '' || !/^[A-Za-z0-9_.@-]/.test(t)),
  );
