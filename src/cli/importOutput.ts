// The import command's text output: counts per kind and a short sample of rows, so a million rows
// make a few lines. The JSON output carries the same figures (src/cli/import.ts).
import { ACTION_LABELS, type PlannedAction, type ReportItem, type ReportOutcome, type StreamedKindReport, type StreamedPlan } from '../bulk';
import type { InvalidStreamedRow } from '../bulk/streamedInvalidRows';
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';

/** A line of the JSON-lines report. */
export type ReportLine = ReportItem & { kind: ItemKind };

export interface ImportOutcome {
  kinds: StreamedKindReport[];
  requests: number;
  /** Dry run and run. */
  elapsedMs: number;
  cancelled: boolean;
  /** Rows that did not end done (failed, not sent). */
  notDone: number;
  /** The report's absolute path; null when every row ended done (no report is left). */
  reportFile: string | null;
  /** The report's first lines. */
  failedSample: unknown[];
}

const OUTCOME_LABELS: Record<ReportOutcome, string> = { done: 'done', failed: 'failed', notSent: 'not sent', invalid: 'invalid' };

const n = (value: number): string => value.toLocaleString('en-US');
const requests = (count: number): string => `${n(count)} request${count === 1 ? '' : 's'}`;

function invalidLine(row: InvalidStreamedRow): string {
  return `${ITEM_KIND_FACTS[row.kind].singular} ${row.id || '(no id)'} (${row.origin}): ${row.reasons.join(' ')}`;
}

function moreLine(total: number, listed: number, where: string): string[] {
  return total > listed ? [`and ${n(total - listed)} more${where}`] : [];
}

export function renderDryRun(plan: StreamedPlan, hostName: string, invalid: number, sample: readonly InvalidStreamedRow[]): string {
  const lines = [`Dry run of ${plan.description} against ${hostName} (mode ${plan.mode}); nothing was sent.`];
  if (plan.kinds.length === 0) lines.push('  The file holds no items.');
  for (const k of plan.kinds) {
    const actions = (Object.entries(k.counts) as Array<[PlannedAction, number]>).map(([action, count]) => `${n(count)} ${ACTION_LABELS[action]}`);
    const extra = [
      ...(k.invalid ? [`${n(k.invalid)} invalid`] : []),
      ...(k.warnings ? [`${n(k.warnings)} with warnings`] : []),
      ...(k.keysKept ? [`${n(k.keysKept)} keep their keys`] : []),
    ];
    lines.push(`  ${ITEM_KIND_FACTS[k.kind].plural}: ${n(k.rows)} rows: ${[...actions, ...extra].join(', ') || 'nothing to send'}; ${requests(k.requests)}`);
  }
  if (invalid > 0) {
    lines.push(`${n(invalid)} invalid item(s); an import would send nothing:`, ...sample.map((r) => `  ! ${invalidLine(r)}`), ...moreLine(invalid, sample.length, '.').map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

/** The error message of an import refused for invalid rows. */
export function renderInvalid(file: string, invalid: number, sample: readonly InvalidStreamedRow[], reportFile: string): string {
  return [
    `${file} has ${n(invalid)} invalid item(s); nothing was sent:`,
    ...sample.map((r) => `  ${invalidLine(r)}`),
    ...moreLine(invalid, sample.length, '.').map((l) => `  ${l}`),
    `All of them are in ${reportFile} (one JSON object a line).`,
  ].join('\n');
}

function reportLine(line: ReportLine): string {
  const code = line.errorCode !== undefined ? ` (${line.errorCode})` : '';
  return `! ${ITEM_KIND_FACTS[line.kind].singular} ${line.id || '(no id)'} (${line.origin}): ${OUTCOME_LABELS[line.outcome]}${code}${line.reason ? `: ${line.reason}` : ''}`;
}

export function renderImport(file: string, hostName: string, mode: string, outcome: ImportOutcome): string {
  const total = (o: ReportOutcome): number => outcome.kinds.reduce((sum, k) => sum + k.counts[o], 0);
  const all = total('done') + outcome.notDone;
  if (all === 0) return `Nothing to import: ${file} holds no items.\n`;
  const lines = [`${outcome.cancelled ? 'Cancelled: imported' : 'Imported'} ${n(total('done'))} of ${n(all)} items of ${file} into ${hostName} (mode ${mode}).`];
  for (const k of outcome.kinds) {
    const counts = (Object.keys(OUTCOME_LABELS) as ReportOutcome[]).filter((o) => o === 'done' || k.counts[o] > 0).map((o) => `${n(k.counts[o])} ${OUTCOME_LABELS[o]}`);
    lines.push(`  ${ITEM_KIND_FACTS[k.kind].plural}: ${counts.join(', ')}`);
  }
  lines.push(`${requests(outcome.requests)}, ${(outcome.elapsedMs / 1000).toFixed(1)} s.`);
  if (outcome.reportFile !== null) {
    lines.push(...(outcome.failedSample as ReportLine[]).map(reportLine), ...moreLine(outcome.notDone, outcome.failedSample.length, '.'));
    lines.push(`${n(outcome.notDone)} item(s) did not end done; all are in ${outcome.reportFile} (one JSON object a line).`);
  }
  return lines.join('\n') + '\n';
}
