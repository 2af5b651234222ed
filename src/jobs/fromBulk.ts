// Job rows from what the bulk and as-code libraries produce: a dry-run plan, a bulk job report, an
// as-code plan and apply report. Ids, origins and reasons only; no item content.
import type { AppliedItem, ApplyReport, Plan } from '../ascode';
import { ACTION_LABELS, type BulkJobReport, type BulkPlan, type ReportItem, type StreamedInvalidRow, type StreamedReportLine } from '../bulk';
import type { ItemKind } from '../dps/itemKind';
import type { JobRow } from './jobRows';

export function bulkPlanRows(plan: BulkPlan): JobRow[] {
  const rows: JobRow[] = plan.planned.map(({ row, action }) => ({
    kind: plan.kind,
    origin: row.origin,
    id: row.id,
    outcome: 'planned',
    attempts: 0,
    detail: ACTION_LABELS[action],
    ...(row.warnings.length > 0 ? { reason: `Warning: ${row.warnings.join(' ')}` } : {}),
  }));
  for (const { row, reasons } of plan.invalid) {
    rows.push({ kind: plan.kind, origin: row.origin, id: row.id, outcome: 'invalid', attempts: 0, reason: reasons.join(' ') });
  }
  return rows;
}

/**
 * The dry run's rows of several plans, one after another (each plan's planned rows, then its
 * invalid ones), and where each plan's rows start: plan row i of `plan` is row `starts.get(plan) + i`.
 */
export function bulkPlansRows(plans: readonly BulkPlan[]): { rows: JobRow[]; starts: Map<BulkPlan, number> } {
  const rows: JobRow[] = [];
  const starts = new Map<BulkPlan, number>();
  for (const plan of plans) {
    starts.set(plan, rows.length);
    rows.push(...bulkPlanRows(plan));
  }
  return { rows, starts };
}

export function bulkReportRows(report: BulkJobReport): JobRow[] {
  return report.items.map((item) => bulkReportRow(report.kind, item));
}

/** One report line as a row: at the end for every item, and while running for each one as it settles. */
export function bulkReportRow(kind: ItemKind, item: ReportItem): JobRow {
  return {
    kind,
    origin: item.origin,
    id: item.id,
    outcome: item.outcome,
    attempts: item.attempts,
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    ...(item.errorCode !== undefined ? { errorCode: item.errorCode } : {}),
    ...(item.doneAs !== undefined ? { detail: item.doneAs } : {}),
  };
}

/** A streamed dry run's invalid and repeated rows (the rows to send are only counted). */
export function streamedInvalidRows(rows: readonly StreamedInvalidRow[]): JobRow[] {
  return rows.map(({ kind, origin, id, reason }) => ({ kind, origin, id, outcome: 'invalid', attempts: 0, reason }));
}

/** Lines read back from a streamed import's report: the rows that did not end done. */
export function streamedReportRows(lines: readonly StreamedReportLine[]): JobRow[] {
  return lines.map((line) => ({
    kind: line.kind,
    origin: line.origin,
    id: line.id,
    outcome: line.outcome,
    attempts: line.attempts,
    ...(line.reason !== undefined ? { reason: line.reason } : {}),
    ...(line.errorCode !== undefined ? { errorCode: line.errorCode } : {}),
  }));
}

/** The as-code plan's changes (unchanged items left out: nothing is sent for them). */
export function applyPlanRows(plan: Plan): JobRow[] {
  return plan.entries
    .filter((entry) => entry.action !== 'unchanged')
    .map((entry) => ({
      kind: entry.kind,
      origin: entry.position !== undefined ? `${plan.fileName}:${entry.position.line}` : plan.fileName,
      id: entry.id,
      outcome: 'planned',
      attempts: 0,
      detail: entry.changes.length > 0 ? `${entry.action}: ${entry.changes.map((c) => c.field).join(', ')}` : entry.action,
    }));
}

export function applyReportRows(report: ApplyReport, fileName: string): JobRow[] {
  return report.items.map((item) => applyReportRow(item, fileName));
}

/** One applied item as a row: at the end for every item, and while applying for each one as it settles. */
export function applyReportRow(item: AppliedItem, fileName: string): JobRow {
  return {
    kind: item.kind,
    origin: fileName,
    id: item.id,
    outcome: item.outcome,
    attempts: item.outcome === 'notSent' ? 0 : 1,
    detail: item.action,
    ...(item.message !== undefined ? { reason: item.message } : {}),
    ...(item.errorCode !== undefined ? { errorCode: item.errorCode } : {}),
  };
}
