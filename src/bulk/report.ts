// The report of a bulk job: every input row with its outcome. Rows the dry run set aside are
// "invalid"; the rest carry the runner's outcome, which is "done" only when the service confirmed
// it. The report holds ids, origins and the service's reasons, never an item's content (keys).
import type { BulkItemOutcome, BulkReport } from '../dps/bulk';
import type { BulkMode } from '../dps/models';
import type { ItemKind } from '../dps/items';
import type { BulkPlan } from './plan';
import type { SourceResult, SourceRow } from './rows';
import { MODE_LABELS, table } from './markdown';
import { ITEM_KIND_FACTS } from '../dps/items';

export type ReportOutcome = 'done' | 'failed' | 'notSent' | 'invalid';

export interface ReportItem {
  origin: string;
  id: string;
  outcome: ReportOutcome;
  /** Why it failed or was not sent; the service's reason when it gave one. */
  reason?: string;
  errorCode?: number;
  /** Bulk requests that carried the item. */
  attempts: number;
  /** For a done item: what the service did, by the bulk mode that carried it. */
  doneAs?: DoneAs;
}

export type DoneAs = 'created' | 'updated (etag matched)' | 'created or updated' | 'deleted';

const DONE_AS: Record<BulkMode, DoneAs> = {
  create: 'created',
  updateIfMatchETag: 'updated (etag matched)',
  update: 'created or updated',
  delete: 'deleted',
};

export interface BulkJobReport {
  kind: ItemKind;
  mode: BulkMode;
  source: string;
  startedAtUtc: string;
  elapsedMs: number;
  requests: number;
  cancelled: boolean;
  counts: Record<ReportOutcome, number>;
  items: ReportItem[];
}

const NOT_SENT_REASON = 'Not sent: the job was cancelled first.';

/** Joins the plan and the runner's report; the runner's items are in plan order, `sentAs` the mode each was sent with. */
export function buildJobReport(plan: BulkPlan, run: BulkReport, startedAt: Date, sentAs?: readonly (BulkMode | undefined)[]): BulkJobReport {
  if (run.items.length !== plan.planned.length) {
    throw new RangeError(`The run reported ${run.items.length} items for ${plan.planned.length} sent; the report would be wrong.`);
  }
  const items: ReportItem[] = plan.planned.map(({ row }, i) => reportItemOf(row, run.items[i], sentAs?.[i] ?? plan.mode));
  for (const { row, reasons } of plan.invalid) {
    items.push({ origin: row.origin, id: row.id, outcome: 'invalid', reason: reasons.join(' '), attempts: 0 });
  }
  const counts: Record<ReportOutcome, number> = { done: 0, failed: 0, notSent: 0, invalid: 0 };
  for (const item of items) counts[item.outcome]++;
  return {
    kind: plan.kind,
    mode: plan.mode,
    source: plan.description,
    startedAtUtc: startedAt.toISOString(),
    elapsedMs: run.elapsedMs,
    requests: run.requests,
    cancelled: run.cancelled,
    counts,
    items,
  };
}

/** One planned row's line of the report, from the runner's outcome and the mode that carried it (also used live, as rows settle). */
export function reportItemOf(row: Pick<SourceRow, 'origin' | 'id'>, outcome: BulkItemOutcome, sentAs: BulkMode): ReportItem {
  const item: ReportItem = { origin: row.origin, id: row.id, outcome: outcome.outcome, attempts: outcome.attempts };
  if (outcome.outcome === 'failed') item.reason = outcome.errorStatus ?? 'The service reported a failure without a reason.';
  if (outcome.outcome === 'notSent') item.reason = outcome.errorStatus ?? NOT_SENT_REASON;
  if (outcome.outcome === 'done') item.doneAs = DONE_AS[sentAs];
  if (outcome.errorCode !== undefined) item.errorCode = outcome.errorCode;
  return item;
}

/**
 * The rows to run again: those that failed at the service or were not sent. Invalid rows stay out
 * (sending them again cannot succeed); `rowsOfPlan` gives back the original rows with their items.
 */
export function retrySource(report: BulkJobReport, plan: BulkPlan): SourceResult {
  const retry = new Set(report.items.filter((i) => i.outcome === 'failed' || i.outcome === 'notSent').map((i) => i.origin));
  const rows: SourceRow[] = plan.planned.map((p) => p.row).filter((row) => retry.has(row.origin));
  return { kind: plan.kind, rows, description: `${rows.length} failed or unsent items of ${plan.description}` };
}

export function renderReportJson(report: BulkJobReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function summariseReport(report: BulkJobReport): string {
  const c = report.counts;
  const seconds = report.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round((c.done + c.failed) / seconds)} items/s)` : '';
  return `${c.done} done, ${c.failed} failed, ${c.notSent} not sent${report.cancelled ? ' (cancelled)' : ''}, ${c.invalid} invalid; ${report.requests} requests in ${seconds.toFixed(1)} s${rate}.`;
}

export function renderReportMarkdown(report: BulkJobReport, maxListed = 10_000): string {
  const out = [
    `# Bulk report: ${MODE_LABELS[report.mode]} ${ITEM_KIND_FACTS[report.kind].plural}`,
    '',
    `Source: ${report.source}  `,
    `Started: ${report.startedAtUtc}  `,
    summariseReport(report),
    '',
  ];
  const order: Array<[ReportOutcome, string]> = [['failed', 'Failed'], ['notSent', 'Not sent'], ['invalid', 'Invalid (not sent)'], ['done', 'Done']];
  for (const [outcome, title] of order) {
    const items = report.items.filter((i) => i.outcome === outcome);
    if (items.length === 0) continue;
    out.push(`## ${title} (${items.length})`, '');
    const rows = items.slice(0, maxListed).map((i) => (outcome === 'done'
      ? [i.origin, i.id, i.doneAs ?? '', String(i.attempts)]
      : [i.origin, i.id, i.errorCode !== undefined ? String(i.errorCode) : '', i.reason ?? '']));
    out.push(outcome === 'done' ? table(['Row', 'Id', 'Done as', 'Requests'], rows) : table(['Row', 'Id', 'Code', 'Reason'], rows));
    if (items.length > maxListed) out.push('', `…and ${items.length - maxListed} more (save the report as JSON for all).`);
    out.push('');
  }
  return out.join('\n');
}
