// The throughput chart, drawn as SVG elements (no chart library): requests per second in each time
// bucket against the configured rate (dashed), with retries and 429s as bars along the bottom.
import type { RateBucket } from '../../jobs/rateSeries';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 120;
const PAD = 4;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

export interface ChartData {
  bucketMs: number;
  buckets: RateBucket[];
  quotaPerSecond: number;
}

/** Redraws the chart inside `host` and returns the one-line reading shown beside it. */
export function drawChart(host: SVGSVGElement, data: ChartData): string {
  host.replaceChildren();
  host.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const perSecond = 1000 / data.bucketMs;
  const rates = data.buckets.map((b) => b.requests * perSecond);
  const top = Math.max(data.quotaPerSecond, ...rates, 1) * 1.15;
  const y = (value: number): number => HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD);
  const n = Math.max(data.buckets.length, 2);
  const x = (i: number): number => PAD + (i / (n - 1)) * (WIDTH - 2 * PAD);
  const barWidth = Math.max(1, (WIDTH - 2 * PAD) / n - 1);

  host.append(svg('line', { class: 'quota', x1: PAD, x2: WIDTH - PAD, y1: y(data.quotaPerSecond), y2: y(data.quotaPerSecond) }));
  data.buckets.forEach((b, i) => {
    if (b.retries > 0) host.append(svg('rect', { class: 'retries', x: x(i) - barWidth / 2, y: y(b.retries * perSecond), width: barWidth, height: HEIGHT - PAD - y(b.retries * perSecond) }));
    if (b.throttled > 0) host.append(svg('rect', { class: 'throttled', x: x(i) - barWidth / 2, y: y(b.throttled * perSecond), width: barWidth, height: HEIGHT - PAD - y(b.throttled * perSecond) }));
  });
  // One bucket (a short job) is drawn as a flat line across the chart rather than a lone point.
  const drawn = rates.length === 1 ? [rates[0], rates[0]] : rates;
  const xOf = rates.length === 1 ? (i: number): number => (i === 0 ? PAD : WIDTH - PAD) : x;
  if (drawn.length > 0) host.append(svg('polyline', { class: 'requests', points: drawn.map((r, i) => `${xOf(i).toFixed(1)},${y(r).toFixed(1)}`).join(' ') }));

  const recent = rates.slice(-5);
  const now = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  const retries = data.buckets.reduce((sum, b) => sum + b.retries, 0);
  const throttled = data.buckets.reduce((sum, b) => sum + b.throttled, 0);
  return `${now.toFixed(1)} requests/s (limit ${data.quotaPerSecond.toFixed(1)}/s) · ${retries} retries · ${throttled} throttled (429)`;
}
