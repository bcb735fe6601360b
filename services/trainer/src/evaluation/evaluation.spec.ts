import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averagePrecision } from './average-precision.js';
import { calibration } from './calibration.js';
import { evaluateScores, metricDeltas } from './evaluate-scores.js';
import { NonFiniteScoresError } from './finite-scores.js';
import { brierScore, logLoss } from './probability-scores.js';
import { rocAuc } from './roc-auc.js';
import { thresholdMetrics } from './threshold-metrics.js';

// A small case worked by hand:
//   scores 0.9 0.8 0.7 0.6 0.55 0.4 0.3 0.2
//   labels  1   0   1   1   0    0   1   0
const labels = [1, 0, 1, 1, 0, 0, 1, 0];
const scores = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2];

/** The definition: share of (positive, negative) pairs ordered correctly, ties counting 1/2. */
function pairCountingAuc(y: number[], s: number[]): number {
  let pairs = 0;
  let wins = 0;
  y.forEach((yi, i) => {
    if (yi !== 1) return;
    y.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += (s[i] as number) > (s[j] as number) ? 1 : s[i] === s[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('ROC AUC', () => {
  it('matches the hand count: 11 of 16 pairs ordered correctly', () => {
    // 0.9 > {0.8,0.55,0.4,0.2}: 4; 0.7 > {0.55,0.4,0.2}: 3; 0.6 > {0.55,0.4,0.2}: 3; 0.3 > {0.2}: 1 → 11/16.
    expect(rocAuc(labels, scores)).toBeCloseTo(11 / 16, 12);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.1])).toBeCloseTo((2 + 1 + 0.5) / 4, 12);
  });

  it('is NaN when one class is missing', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('equals the Mann–Whitney pair-counting definition on any data', () => {
    const row = fc.record({ label: fc.constantFrom(0, 1), score: fc.integer({ min: 0, max: 20 }).map((v) => v / 20) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 60 }), (rows) => {
        const y = rows.map((r) => r.label);
        const s = rows.map((r) => r.score);
        fc.pre(y.includes(0) && y.includes(1));
        expect(rocAuc(y, s)).toBeCloseTo(pairCountingAuc(y, s), 10);
      }),
      { numRuns: 300 },
    );
  });
});

describe('average precision', () => {
  it('matches the hand computation', () => {
    // Positives are reached at ranks 1, 3, 4, 7 with precision 1, 2/3, 3/4, 4/7; each adds recall 1/4.
    expect(averagePrecision(labels, scores)).toBeCloseTo((1 + 2 / 3 + 3 / 4 + 4 / 7) / 4, 12);
  });

  it('lets tied scores enter together', () => {
    // One threshold takes both rows: recall 1 at precision 1/2.
    expect(averagePrecision([1, 0], [0.5, 0.5])).toBe(0.5);
  });

  it('is 1 for a perfect ranking and NaN without positives', () => {
    expect(averagePrecision([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.2])).toBe(1);
    expect(averagePrecision([0, 0], [0.1, 0.9])).toBeNaN();
  });
});

describe('log loss and Brier score', () => {
  it('match the hand computation', () => {
    const y = [1, 0, 1];
    const p = [0.8, 0.3, 0.6];
    expect(logLoss(y, p)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.6)) / 3, 12);
    expect(brierScore(y, p)).toBeCloseTo((0.04 + 0.09 + 0.16) / 3, 12);
  });

  it('keeps a confident mistake finite', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
  });
});

describe('calibration', () => {
  it('bins scores into ten equal-width bins with the observed rate', () => {
    const result = calibration([1, 0, 0, 1, 1], [0.05, 0.08, 0.55, 0.58, 1]);
    expect(result.bins).toHaveLength(10);
    expect(result.bins[0]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(result.bins[0]!.meanPredicted).toBeCloseTo(0.065, 12);
    expect(result.bins[5]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(result.bins[9]).toMatchObject({ count: 1, meanPredicted: 1, observedRate: 1 });
    expect(result.bins[3]!.count).toBe(0);
    // ECE = 2/5·|0.065−0.5| + 2/5·|0.565−0.5| + 1/5·0
    expect(result.expectedCalibrationError).toBeCloseTo(0.4 * 0.435 + 0.4 * 0.065, 12);
  });
});

describe('precision and recall at a threshold', () => {
  it('flag scores at or above the threshold', () => {
    const result = thresholdMetrics(labels, scores, 0.6);
    // Flagged: 0.9(1) 0.8(0) 0.7(1) 0.6(1) → tp 3, fp 1; missed positive 0.3 → fn 1.
    expect(result).toMatchObject({ truePositives: 3, falsePositives: 1, falseNegatives: 1, trueNegatives: 3, precision: 0.75, recall: 0.75 });
  });

  it('reports precision 0 when nothing is flagged', () => {
    expect(thresholdMetrics([1, 0], [0.1, 0.2], 0.9).precision).toBe(0);
  });
});

describe('evaluateScores', () => {
  it('collects the conventional metric keys and deltas', () => {
    const { metrics } = evaluateScores(labels, scores, 0.5);
    expect(metrics).toMatchObject({ threshold: 0.5, test_rows: 8, test_positives: 4 });
    expect(metrics['roc_auc']).toBeCloseTo(11 / 16, 12);
    expect(metricDeltas({ roc_auc: 0.7 }, { roc_auc: 0.75 })['roc_auc_delta']).toBeCloseTo(-0.05, 12);
  });

  it('refuses non-finite scores (a diverged model) instead of reporting plausible metrics', () => {
    const allNaN = scores.map(() => Number.NaN);
    expect(() => evaluateScores(labels, allNaN, 0.5)).toThrow(/non-finite scores \(8 of 8 test rows, e.g. NaN\).*lower learning rate/);
    const oneInfinite = [...scores.slice(0, 7), Number.POSITIVE_INFINITY];
    expect(() => evaluateScores(labels, oneInfinite, 0.5)).toThrow(NonFiniteScoresError);
    // The ranking metrics cannot sort NaN: they refuse it rather than return a number.
    expect(() => rocAuc(labels, allNaN)).toThrow(RangeError);
    expect(() => averagePrecision(labels, allNaN)).toThrow(RangeError);
  });
});
