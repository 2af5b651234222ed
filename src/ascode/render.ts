// A plan and an apply report as text people read: plain text for a terminal or a pipeline log, and
// Markdown for the editor. Both show fields by name with before → after; no key is ever in a plan.
import { ITEM_KIND_FACTS } from '../dps/items';
import type { ApplyReport } from './apply';
import type { FieldChange, Plan, PlanEntry } from './plan';

const SYMBOL = { create: '+', update: '~', delete: '-', unchanged: '=' } as const;

export function summarisePlan(plan: Plan): string {
  const { create, update, delete: del, unchanged } = plan.counts;
  const rest = plan.notInFile.length > 0 ? `; ${plan.notInFile.length} on the service but not in the file (kept: prune is off)` : '';
  return `${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged${rest}.`;
}

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function changeLine(change: FieldChange): string {
  if (change.before === undefined) return `${change.field}: ${value(change.after)}`;
  if (change.after === undefined) return `${change.field}: ${value(change.before)} → (removed)`;
  return `${change.field}: ${value(change.before)} → ${value(change.after)}`;
}

function title(entry: PlanEntry): string {
  const where = entry.position ? ` (line ${entry.position.line})` : '';
  return `${SYMBOL[entry.action]} ${ITEM_KIND_FACTS[entry.kind].singular} ${entry.id}${where}`;
}

export function renderPlanText(plan: Plan, options: { showUnchanged?: boolean } = {}): string {
  const lines = [`Plan for ${plan.hostName} from ${plan.fileName}${plan.prune ? ' (prune: items not in the file are deleted)' : ''}`];
  for (const entry of plan.entries) {
    if (entry.action === 'unchanged' && options.showUnchanged !== true) continue;
    lines.push(title(entry));
    for (const change of entry.changes) lines.push(`    ${changeLine(change)}`);
  }
  lines.push(summarisePlan(plan));
  return lines.join('\n') + '\n';
}

export function renderPlanMarkdown(plan: Plan): string {
  const lines = [`# Plan for \`${plan.hostName}\``, '', `From \`${plan.fileName}\`, ${plan.createdAtUtc}. ${summarisePlan(plan)}`, ''];
  if (plan.prune) lines.push('Prune is on: items on the service that the file does not name are deleted.', '');
  for (const action of ['create', 'update', 'delete'] as const) {
    const entries = plan.entries.filter((e) => e.action === action);
    if (entries.length === 0) continue;
    lines.push(`## ${action === 'create' ? 'Create' : action === 'update' ? 'Update' : 'Delete'} (${entries.length})`, '');
    for (const entry of entries) {
      lines.push(`### ${ITEM_KIND_FACTS[entry.kind].singular} \`${entry.id}\`${entry.position ? ` — line ${entry.position.line}` : ''}`, '');
      if (entry.changes.length > 0) {
        lines.push('```diff');
        for (const c of entry.changes) {
          if (c.before !== undefined) lines.push(`- ${c.field}: ${value(c.before)}`);
          if (c.after !== undefined) lines.push(`+ ${c.field}: ${value(c.after)}`);
        }
        lines.push('```', '');
      }
    }
  }
  if (plan.notInFile.length > 0) {
    lines.push(`## On the service, not in the file (${plan.notInFile.length}, kept)`, '');
    for (const item of plan.notInFile.slice(0, 200)) lines.push(`- ${ITEM_KIND_FACTS[item.kind].singular} \`${item.id}\``);
    if (plan.notInFile.length > 200) lines.push(`- … and ${plan.notInFile.length - 200} more`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The live items the file does not name, one a line (the first `limit`), for a terminal: prune off
 * keeps them, so they are not drift, but someone may have added them by hand.
 */
export function renderNotInFileText(plan: Plan, limit = 20): string {
  if (plan.notInFile.length === 0) return '';
  const lines = [`On ${plan.hostName} but not in ${plan.fileName} (${plan.notInFile.length}; kept, as prune is off: with --prune they are drift, to be deleted):`];
  for (const item of plan.notInFile.slice(0, limit)) lines.push(`    ${ITEM_KIND_FACTS[item.kind].singular} ${item.id}`);
  if (plan.notInFile.length > limit) lines.push(`    … and ${plan.notInFile.length - limit} more (--json lists them all)`);
  return lines.join('\n') + '\n';
}

export function summariseApply(report: ApplyReport): string {
  const { done, failed, notSent } = report.counts;
  return `${done} done, ${failed} failed, ${notSent} not sent${report.cancelled ? ' (cancelled)' : ''}; ${report.requests} requests in ${(report.elapsedMs / 1000).toFixed(1)} s.`;
}

export function renderApplyText(report: ApplyReport): string {
  const lines: string[] = [];
  for (const item of report.items) {
    if (item.outcome === 'done') lines.push(`${SYMBOL[item.action]} ${ITEM_KIND_FACTS[item.kind].singular} ${item.id}: ${item.action}d`);
    else if (item.outcome === 'failed') lines.push(`! ${ITEM_KIND_FACTS[item.kind].singular} ${item.id}: ${item.action} failed${item.errorCode ? ` (${item.errorCode})` : ''}: ${item.message ?? ''}`);
    else lines.push(`? ${ITEM_KIND_FACTS[item.kind].singular} ${item.id}: ${item.action} not sent`);
  }
  lines.push(summariseApply(report));
  if (report.counts.failed + report.counts.notSent > 0) lines.push('What was not done is still in the file: plan again and apply to finish (done items then plan as unchanged).');
  return lines.join('\n') + '\n';
}
