// Kuroshio experiment dashboard: reads the JSON results API of this service, draws with SVG.
// Plain script, no build step, no third-party code; every text from the API goes in with
// textContent (never innerHTML), so keys, hypotheses and metric names cannot inject markup.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const listEl = document.getElementById('experiment-list');
const panel = document.getElementById('experiment');
const statusEl = document.getElementById('status');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function pct(x) {
  return x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`;
}

function num(x, digits = 4) {
  return x === null || x === undefined ? 'n/a' : Number(x).toPrecision(digits);
}

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

async function loadList() {
  const { experiments } = await getJson('/api/experiments?pageSize=200');
  listEl.replaceChildren(
    ...experiments.map((e) => {
      const link = el('a', { href: `#${encodeURIComponent(e.key)}`, 'data-key': e.key }, e.key, el('span', { class: 'state' }, e.state));
      return el('li', {}, link);
    }),
  );
  if (experiments.length === 0) listEl.replaceChildren(el('li', { class: 'hint' }, 'No experiments yet.'));
  return experiments;
}

/** A horizontal confidence-interval bar per treatment, on one axis shared by the metric's comparisons. */
function liftBars(comparisons) {
  const width = 520;
  const rowHeight = 30;
  const left = 110;
  const plot = width - left - 20;
  const withCi = comparisons.filter((c) => c.relativeLiftCi);
  const bound = Math.max(0.01, ...withCi.flatMap((c) => [Math.abs(c.relativeLiftCi.lower), Math.abs(c.relativeLiftCi.upper)])) * 1.15;
  const x = (v) => left + ((v + bound) / (2 * bound)) * plot;
  const height = rowHeight * Math.max(1, withCi.length) + 24;
  const chart = svg('svg', { width, height, class: 'lift-chart', role: 'img', 'aria-label': 'relative lift with confidence intervals' });
  chart.append(svg('line', { class: 'zero', x1: x(0), x2: x(0), y1: 4, y2: height - 18 }));
  for (const tick of [-bound, -bound / 2, 0, bound / 2, bound]) {
    const label = svg('text', { x: x(tick), y: height - 4, 'text-anchor': 'middle' });
    label.textContent = pct(tick);
    chart.append(label);
  }
  withCi.forEach((c, i) => {
    const y = 8 + i * rowHeight;
    const name = svg('text', { x: 4, y: y + 14 });
    name.textContent = c.variant;
    const lower = x(c.relativeLiftCi.lower);
    const upper = x(c.relativeLiftCi.upper);
    const bar = svg('rect', { class: `ci-bar ${c.outcome}`, x: lower, y: y + 4, width: Math.max(2, upper - lower), height: 14, rx: 3, 'data-variant': c.variant });
    const title = svg('title');
    title.textContent = `${c.variant}: ${pct(c.relativeLift)} [${pct(c.relativeLiftCi.lower)}, ${pct(c.relativeLiftCi.upper)}]`;
    bar.append(title);
    chart.append(name, bar, svg('circle', { class: 'estimate', cx: x(c.relativeLift), cy: y + 11, r: 4 }));
  });
  return chart;
}

/** Cumulative relative lift over time with its interval as a band. */
function cumulativeChart(points) {
  const width = 520;
  const height = 160;
  const pad = { left: 50, right: 10, top: 10, bottom: 24 };
  const chart = svg('svg', { width, height, class: 'cumulative-chart', role: 'img', 'aria-label': 'cumulative relative lift over time' });
  if (points.length === 0) return chart;
  const times = points.map((p) => Date.parse(p.time));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const lo = Math.min(0, ...points.map((p) => p.relativeLiftCi.lower));
  const hi = Math.max(0, ...points.map((p) => p.relativeLiftCi.upper));
  const span = hi - lo || 1;
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => pad.top + (1 - (v - lo) / span) * (height - pad.top - pad.bottom);
  const upper = points.map((p, i) => `${x(times[i])},${y(p.relativeLiftCi.upper)}`);
  const lower = points.map((p, i) => `${x(times[i])},${y(p.relativeLiftCi.lower)}`).reverse();
  chart.append(svg('polygon', { class: 'band', points: [...upper, ...lower].join(' ') }));
  chart.append(svg('line', { class: 'zero', x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0) }));
  chart.append(svg('polyline', { class: 'trend', points: points.map((p, i) => `${x(times[i])},${y(p.relativeLift)}`).join(' ') }));
  for (const v of [lo, 0, hi]) {
    const label = svg('text', { x: 4, y: y(v) + 4 });
    label.textContent = pct(v);
    chart.append(label);
  }
  for (const t of [t0, t1]) {
    const label = svg('text', { x: x(t), y: height - 6, 'text-anchor': t === t0 ? 'start' : 'end' });
    label.textContent = new Date(t).toISOString().slice(0, 10);
    chart.append(label);
  }
  return chart;
}

// A windowed metric counts every unit, those still inside their window with what they did so far,
// or (inProgressConversions=exclude) only the units whose window has closed (ADR 0020).
function variantTable(metric, windowMs, inProgressConversions) {
  const days = windowMs ? +(windowMs / 86400000).toFixed(2) : 0;
  const units = !windowMs ? 'units' : inProgressConversions === 'exclude' ? `units (${days}-day window closed)` : `units (incl. inside their ${days}-day window)`;
  const head = el('tr', {}, ...['variant', units, 'mean', 'variance', 'CUPED mean'].map((h) => el('th', {}, h)));
  const rows = metric.variants.map((v) => el('tr', {}, el('td', {}, v.variant), el('td', {}, String(v.units)), el('td', {}, num(v.mean)), el('td', {}, num(v.variance)), el('td', {}, num(v.adjustedMean))));
  return el('table', { class: 'variants' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function comparisonTable(metric) {
  const head = el('tr', {}, ...['variant', 'test', 'abs. lift', 'rel. lift', 'CI', 'p', 'adj. p', 'verdict'].map((h) => el('th', {}, h)));
  const rows = metric.comparisons.map((c) =>
    el(
      'tr',
      { class: `comparison ${c.outcome}` },
      el('td', {}, c.variant),
      el('td', {}, c.test === 'welch_t' ? 'Welch t' : 'z (proportions)'),
      el('td', {}, num(c.absoluteLift)),
      el('td', {}, pct(c.relativeLift)),
      el('td', {}, c.relativeLiftCi ? `[${pct(c.relativeLiftCi.lower)}, ${pct(c.relativeLiftCi.upper)}]` : 'n/a'),
      el('td', {}, num(c.pValue, 3)),
      el('td', {}, num(c.adjustedPValue, 3)),
      el('td', {}, c.outcome + (c.cupedApplied ? ' (CUPED)' : '')),
    ),
  );
  return el('table', { class: 'comparisons' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function srmBanner(check) {
  const share = check.allocations.map((a) => `${a.variant} ${a.units} (${pct(a.observedFraction)} vs ${pct(a.expectedFraction)})`).join(', ');
  if (check.mismatch) {
    return el('div', { class: 'srm warning', role: 'alert', id: 'srm-warning' }, `Sample ratio mismatch: p = ${num(check.pValue, 3)} < ${check.threshold}. The split does not match the weights; do not trust these results. ${share}`);
  }
  return el('div', { class: 'srm ok', id: 'srm-ok' }, `Split matches the weights (SRM p = ${num(check.pValue, 3)}). ${share}`);
}

// Exposures the SRM chi-square cannot weigh: under a variant the definition lacks, or under two variants.
function exposureBanner(check) {
  if (!check.exposureAnomaly) return null;
  return el(
    'div',
    { class: 'srm warning', role: 'alert', id: 'exposure-warning' },
    `Exposures the definition cannot explain: ${check.unknownVariantUnits} unit(s) first exposed under an unknown variant, ${check.multipleVariantUnits} unit(s) exposed under more than one variant. Assignment or exposure logging is broken; do not trust these results.`,
  );
}

async function show(key) {
  for (const link of listEl.querySelectorAll('a')) link.setAttribute('aria-current', String(link.dataset.key === key));
  panel.replaceChildren(el('p', { class: 'hint' }, `Loading ${key}…`));
  try {
    const [{ experiment }, { results }] = await Promise.all([
      getJson(`/api/experiments/${encodeURIComponent(key)}`),
      getJson(`/api/experiments/${encodeURIComponent(key)}/results?cumulative=true`),
    ]);
    const parts = [
      el('h2', { class: 'title' }, experiment.key),
      el('p', {}, experiment.hypothesis),
      el('p', { class: 'meta' }, `${experiment.state} · revision ${experiment.revision} · owner ${experiment.owner || 'n/a'} · control ${results.controlVariant} · alpha ${results.alpha} · ${results.correction} correction · data until ${results.window.end}`),
      srmBanner(results.sampleRatio),
      exposureBanner(results.sampleRatio),
    ].filter((part) => part !== null);
    for (const metric of results.metrics) {
      const section = el('div', { class: 'metric', 'data-metric': metric.metricKey });
      section.append(el('h3', {}, metric.metricKey, el('span', { class: `role ${metric.role}` }, metric.role)), el('p', { class: 'meta' }, `${metric.kind}, ${metric.direction} is better. ${metric.description}`));
      section.append(variantTable(metric, experiment.metrics.find((m) => m.key === metric.metricKey)?.windowMs, results.inProgressConversions));
      if (metric.comparisons.length > 0) {
        section.append(liftBars(metric.comparisons), comparisonTable(metric));
        for (const c of metric.comparisons) {
          if (c.cumulative.length > 0) section.append(el('p', { class: 'meta' }, `Cumulative relative lift of ${c.variant}`), cumulativeChart(c.cumulative));
        }
      } else {
        section.append(el('p', { class: 'hint' }, 'Not enough units for a comparison yet.'));
      }
      parts.push(section);
    }
    panel.replaceChildren(...parts);
    statusEl.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    document.body.dataset.loaded = key;
  } catch (error) {
    panel.replaceChildren(el('p', { class: 'error' }, `Could not load ${key}: ${error.message}`));
  }
}

async function route() {
  const key = decodeURIComponent(location.hash.slice(1));
  if (key) await show(key);
}

window.addEventListener('hashchange', route);
loadList()
  .then(async (experiments) => {
    if (!location.hash && experiments.length > 0) location.hash = encodeURIComponent(experiments[0].key);
    else await route();
  })
  .catch((error) => panel.replaceChildren(el('p', { class: 'error' }, `Could not list experiments: ${error.message}`)));
