import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose, loadFixture } from '../fixtures/reference.js';
import { benjaminiHochberg, holmBonferroni } from './multiple-testing.js';

interface CorrectionCase {
  name: string;
  pValues: number[];
  expected: { holm: number[]; benjaminiHochberg: number[] };
}
const { cases } = loadFixture<CorrectionCase>('multiple-testing');

describe('multiple-testing corrections against statsmodels multipletests', () => {
  it.each(cases)('$name', ({ pValues, expected }) => {
    holmBonferroni(pValues).forEach((p, i) => expectClose(p, expected.holm[i]!, `holm[${i}]`, 1e-300));
    benjaminiHochberg(pValues).forEach((p, i) =>
      expectClose(p, expected.benjaminiHochberg[i]!, `bh[${i}]`, 1e-300),
    );
  });
});

const pValues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 });

describe('multiple-testing properties', () => {
  it('adjusted p-values lie in [raw p, 1], Holm at least BH', () => {
    fc.assert(
      fc.property(pValues, (p) => {
        const holm = holmBonferroni(p);
        const bh = benjaminiHochberg(p);
        p.forEach((raw, i) => {
          expect(holm[i]).toBeGreaterThanOrEqual(raw);
          expect(bh[i]).toBeGreaterThanOrEqual(raw);
          expect(holm[i]).toBeLessThanOrEqual(1);
          expect(bh[i]).toBeLessThanOrEqual(1);
          // Holm >= BH holds exactly; the BH product and quotient may round one ulp apart.
          expect(holm[i]).toBeGreaterThanOrEqual(bh[i]! * (1 - 1e-15));
        });
      }),
    );
  });

  it('keep the order of the raw p-values (monotone) and do not depend on the input order', () => {
    fc.assert(
      fc.property(pValues, fc.nat(), (p, seed) => {
        for (const correct of [holmBonferroni, benjaminiHochberg]) {
          const adjusted = correct(p);
          p.forEach((a, i) =>
            p.forEach((b, j) => {
              if (a <= b) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]!);
            }),
          );
          const rotation = p.length ? seed % p.length : 0;
          const rotated = [...p.slice(rotation), ...p.slice(0, rotation)];
          const adjustedRotated = correct(rotated);
          expect([...adjustedRotated.slice(p.length - rotation), ...adjustedRotated.slice(0, p.length - rotation)]).toEqual(
            adjusted,
          );
        }
      }),
    );
  });

  it('a single test is not adjusted; no tests give no values', () => {
    expect(holmBonferroni([0.03])).toEqual([0.03]);
    expect(benjaminiHochberg([0.03])).toEqual([0.03]);
    expect(holmBonferroni([])).toEqual([]);
  });

  it.each([Number.NaN, -0.1, 1.5])('refuses p = %s', (bad) => {
    expect(() => holmBonferroni([0.1, bad])).toThrow(/pValues\[1\]/);
    expect(() => benjaminiHochberg([bad])).toThrow(/pValues\[0\]/);
  });
});
