import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dateTimeText } from '@kuroshio/clickhouse';
import type { RunningService } from '@kuroshio/service-kit';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from './config.js';
import { ExperimentTestClient } from './testing/experiment-client.js';
import { IsolatedStack, startExperimentService } from './testing/experiment-under-test.js';
import { DAY, plant, plantedDefinition } from './testing/planted-data.js';

// The analyst dashboard in headless Chromium (Debian's, installed by scripts/install-chromium):
// lift bars with their intervals, the cumulative lift chart and the SRM warning render from the
// JSON API; a screenshot goes to services/experiment/dist/screenshots (git-ignored) for a human to look at.

const stack = new IsolatedStack();
let service: RunningService<ExperimentConfig>;
let browser: Browser;
const shots = fileURLToPath(new URL('../dist/screenshots/', import.meta.url));
// First exposures 50 to 40 days ago: every 30-day window has closed.
const startMs = Date.now() - 50 * DAY;

beforeAll(async () => {
  await stack.setUp();
  service = await startExperimentService(stack.env);
  const client = new ExperimentTestClient(service.grpcAddress!);
  await client.create(plantedDefinition('ui-lift', 'The challenger raises carrier-billing payments <script>alert(1)</script>'));
  await client.start('ui-lift');
  await plant(stack.clickhouse, { key: 'ui-lift', units: 20_000, controlShare: 0.5, conversion: { control: 0.1, treatment: 0.13 }, amountLift: 10, startMs });
  await client.create(plantedDefinition('ui-srm'));
  await client.start('ui-srm');
  await plant(stack.clickhouse, { key: 'ui-srm', units: 10_000, controlShare: 0.56, conversion: { control: 0.1, treatment: 0.1 }, amountLift: 0, startMs });
  // Two units exposed under a variant ui-srm does not have, one of them under control as well.
  await stack.clickhouse.insert('exposures', [['ghost-1', 'ghost', startMs], ['ghost-2', 'ghost', startMs + 1], ['ghost-2', 'control', startMs + 2]].map(([unit, variant, at]) => ({
    experiment_key: 'ui-srm', variant, unit_id: unit, revision: 2, recorded_by: 'inference', request_id: '', exposed_at: dateTimeText(new Date(at as number)), exposed_at_ms: at,
  })));
  client.close();
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await stack.tearDown();
});

describe('dashboard in headless Chromium', () => {
  it('lists the experiments and draws lift bars with intervals and the cumulative lift; hypothesis text stays text', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${service.httpUrl}/dashboard#ui-lift`);
    await page.waitForSelector('body[data-loaded="ui-lift"]', { timeout: 30_000 });
    expect(await page.locator('#experiment-list a').allTextContents()).toEqual([expect.stringContaining('ui-srm'), expect.stringContaining('ui-lift')]);
    const paid = page.locator('[data-metric="paid_within_30d"]');
    const bar = paid.locator('rect.ci-bar');
    expect(await bar.count()).toBe(1);
    expect(await bar.getAttribute('class')).toContain('improved');
    expect(Number(await bar.getAttribute('width'))).toBeGreaterThan(2);
    // The bar sits right of the zero line: the interval excludes 0.
    expect(Number(await bar.getAttribute('x'))).toBeGreaterThan(Number(await paid.locator('line.zero').first().getAttribute('x1')));
    expect(await paid.locator('svg.cumulative-chart polyline.trend').count()).toBe(1);
    expect(await page.locator('#srm-ok').count()).toBe(1);
    expect(await page.locator('#srm-warning').count()).toBe(0);
    expect(await page.locator('#exposure-warning').count()).toBe(0);
    expect(await paid.locator('table.variants th').nth(1).textContent()).toBe('units (incl. inside their 30-day window)');
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.getByText('<script>alert(1)</script>', { exact: false }).count()).toBe(1);
    await page.screenshot({ path: `${shots}dashboard-lift.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the sample-ratio-mismatch warning for a broken split', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${service.httpUrl}/dashboard#ui-srm`);
    await page.waitForSelector('body[data-loaded="ui-srm"]', { timeout: 30_000 });
    const warning = page.locator('#srm-warning');
    expect(await warning.count()).toBe(1);
    expect(await warning.textContent()).toContain('Sample ratio mismatch');
    expect(await warning.evaluate((node) => (globalThis as unknown as { getComputedStyle(n: unknown): { color: string } }).getComputedStyle(node).color)).not.toBe('rgb(0, 0, 0)');
    const exposures = page.locator('#exposure-warning');
    expect(await exposures.textContent()).toContain('2 unit(s) first exposed under an unknown variant, 1 unit(s) exposed under more than one variant');
    await page.screenshot({ path: `${shots}dashboard-srm.png`, fullPage: true });
    await page.close();
  });

  it('gives gRPC callers the same exposure counts and flag', async () => {
    const client = new ExperimentTestClient(service.grpcAddress!);
    try {
      const { results } = await client.results({ experimentKey: 'ui-srm' });
      expect({ unknown: Number(results?.sampleRatio?.unknownVariantUnits), multiple: Number(results?.sampleRatio?.multipleVariantUnits), anomaly: results?.sampleRatio?.exposureAnomaly }).toEqual({
        unknown: 2,
        multiple: 1,
        anomaly: true,
      });
    } finally {
      client.close();
    }
  });
});
