// What the page accepts from the host: known message types with the fields it renders, of the
// right types. The host is ours, but a message that does not fit is refused (and the host told)
// rather than half-rendered or thrown on.
import type { HostMessage } from '../protocol';

type Obj = Record<string, unknown>;
const OUTCOMES = ['failed', 'notSent', 'invalid', 'planned', 'done'];
const PHASES = ['dryRun', 'running', 'finished'];

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string';
const isOptional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);

function snapshotProblem(s: unknown): string | undefined {
  if (!isObj(s)) return 'snapshot is not an object';
  if (!PHASES.includes(s.phase as string)) return 'snapshot phase is unknown';
  const h = s.header;
  if (!isObj(h) || !isText(h.title) || !isText(h.source) || !isCount(h.quotaPerSecond)) return 'snapshot header is malformed';
  if (!Array.isArray(s.summary) || !s.summary.every(isText)) return 'snapshot summary is malformed';
  const c = s.counts;
  if (!isObj(c) || !OUTCOMES.every((o) => isCount(c[o]))) return 'snapshot counts are malformed';
  if (typeof s.countsOnly !== 'boolean') return 'snapshot countsOnly flag is missing';
  const l = s.live;
  if (!isObj(l) || !['total', 'done', 'failed', 'requests'].every((k) => isCount(l[k]))) return 'snapshot live counts are malformed';
  if (!isCount(s.elapsedMs) || typeof s.cancelled !== 'boolean' || typeof s.canRun !== 'boolean' || !isCount(s.retryable)) return 'snapshot state is malformed';
  const chart = s.chart;
  if (!isObj(chart) || !isCount(chart.bucketMs) || chart.bucketMs === 0 || !Array.isArray(chart.buckets)) return 'snapshot chart is malformed';
  if (!chart.buckets.every((b) => isObj(b) && isCount(b.atMs) && isCount(b.requests) && isCount(b.retries) && isCount(b.throttled))) return 'snapshot chart buckets are malformed';
  return undefined;
}

function rowProblem(r: unknown): boolean {
  return !(isObj(r) && isText(r.kind) && isText(r.origin) && isText(r.id) && OUTCOMES.includes(r.outcome as string) && isCount(r.attempts)
    && isOptional(r.reason, isText) && isOptional(r.detail, isText) && isOptional(r.errorCode, (v) => typeof v === 'number'));
}

/** The message when it fits, else why not. */
export function parseHostMessage(raw: unknown): HostMessage | string {
  if (!isObj(raw)) return 'message is not an object';
  switch (raw.type) {
    case 'snapshot': {
      const problem = snapshotProblem(raw.snapshot) ?? (typeof raw.markdown === 'boolean' ? undefined : 'markdown flag is missing');
      return problem ?? (raw as unknown as HostMessage);
    }
    case 'rows':
      if (!isCount(raw.requestId) || !isCount(raw.total) || !isCount(raw.offset) || !Array.isArray(raw.rows)) return 'rows message is malformed';
      if (raw.rows.some(rowProblem)) return 'a row is malformed';
      return raw as unknown as HostMessage;
    case 'notice':
      return isText(raw.text) ? (raw as unknown as HostMessage) : 'notice text is missing';
    default:
      return `unknown message type "${String(raw.type).slice(0, 40)}"`;
  }
}
