// The dry run as text: a one-line summary for the confirmation dialog and a full Markdown
// document listing every invalid row with its reasons.
import { ACTION_LABELS, type BulkPlan, type PlannedAction } from './plan';
import { MODE_LABELS, table } from './markdown';
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';

/** What a dry-run summary says: a BulkPlan's counts, or a streamed dry run's (which holds no rows). */
export interface PlanCounts {
  kind: ItemKind;
  mode: BulkMode;
  description: string;
  toSend: number;
  invalid: number;
  counts: Partial<Record<PlannedAction, number>>;
  requests: number;
  warnings: number;
  keysKept: number;
}

/** Counts for the modal: "120 to send in 12 requests: 100 create (new), 20 update (exists). 3 invalid rows not sent." */
export function summarisePlan(plan: BulkPlan): string {
  return summarisePlanCounts({ ...plan, toSend: plan.planned.length, invalid: plan.invalid.length });
}

export function summarisePlanCounts(plan: PlanCounts): string {
  const actions = (Object.entries(plan.counts) as Array<[PlannedAction, number]>)
    .map(([action, count]) => `${count} ${ACTION_LABELS[action]}`)
    .join(', ');
  const parts = [`${MODE_LABELS[plan.mode]} ${ITEM_KIND_FACTS[plan.kind].plural} from ${plan.description}: ${plan.toSend} to send in ${plan.requests} bulk request${plan.requests === 1 ? '' : 's'}${actions !== '' ? ` (${actions})` : ''}.`];
  if (plan.keysKept > 0) {
    parts.push(`${plan.keysKept} existing symmetric-key item${plan.keysKept === 1 ? ' has' : 's have'} no keys in the source: ${plan.keysKept === 1 ? 'its' : 'their'} current keys are read (one call each) and sent, so devices keep working.`);
  } else if (plan.counts.updateExisting !== undefined) {
    parts.push('Symmetric keys are sent as the source has them.');
  }
  if (plan.invalid > 0) parts.push(`${plan.invalid} invalid row${plan.invalid === 1 ? '' : 's'} will not be sent.`);
  if (plan.warnings > 0) parts.push(`${plan.warnings} row${plan.warnings === 1 ? ' has' : 's have'} warnings.`);
  return parts.join(' ');
}

export function renderPlanMarkdown(plan: BulkPlan, maxListed = 5_000): string {
  const out = [`# Dry run: ${MODE_LABELS[plan.mode]} ${ITEM_KIND_FACTS[plan.kind].plural}`, '', summarisePlan(plan), '', '## Actions', ''];
  out.push(table(['Action', 'Items'], (Object.entries(plan.counts) as Array<[PlannedAction, number]>).map(([a, n]) => [ACTION_LABELS[a], String(n)])));
  out.push('', `## Invalid rows (${plan.invalid.length})`, '');
  if (plan.invalid.length === 0) out.push('None.');
  else out.push(table(['Row', 'Id', 'Reason'], plan.invalid.slice(0, maxListed).map(({ row, reasons }) => [row.origin, row.id, reasons.join(' ')])));
  if (plan.invalid.length > maxListed) out.push('', `…and ${plan.invalid.length - maxListed} more.`);
  const warned = plan.planned.filter((p) => p.row.warnings.length > 0);
  if (warned.length > 0) {
    out.push('', `## Warnings (${warned.length} rows, sent anyway)`, '');
    out.push(table(['Row', 'Id', 'Warning'], warned.slice(0, maxListed).map(({ row }) => [row.origin, row.id, row.warnings.join(' ')])));
  }
  return out.join('\n') + '\n';
}
