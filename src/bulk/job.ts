// Runs a planned job on the client's bulk runner and joins the outcome into the job report. An
// update job is sent as up to two runs (bulk `create` for new ids, bulk `updateIfMatchETag` with the
// dry run's etags for existing ones), all under one pacing budget shared with the reads. The
// progress it reports adds what a person watching wants: how many settled and at what rate.
import type { DpsApi } from '../dps/api';
import { runBulk, type BulkClient, type BulkItemOutcome, type BulkProgress, type BulkReport, type BulkRunOptions } from '../dps/bulk';
import { InstanceBudget } from '../dps/budget';
import type { BulkMode } from '../dps/models';
import { sendModeOf, type BulkPlan } from './plan';
import { withCurrentKeys } from './keepKeys';
import { buildJobReport, reportItemOf, type BulkJobReport, type ReportItem } from './report';

/** The bulk runner's calls plus the attestation reads that keep symmetric keys on update. */
export type BulkJobClient = BulkClient & Pick<DpsApi, 'getEnrollmentAttestation' | 'getEnrollmentGroupAttestation'>;

export interface JobProgress extends BulkProgress {
  /** Items settled (done or failed) per second since the start. */
  itemsPerSecond: number;
  elapsedMs: number;
}

/** A plan row whose outcome is final, as the job report will list it; `planIndex` is into `plan.planned`. */
export interface SettledRow {
  planIndex: number;
  item: ReportItem;
}

export type BulkJobOptions = Omit<BulkRunOptions, 'client' | 'kind' | 'mode' | 'items' | 'onProgress' | 'onItemsSettled'> & {
  onProgress?: (progress: JobProgress) => void;
  /**
   * Hears rows as their outcome becomes final: a batch at a time from the runner, and the rows whose
   * key read failed. Each row is heard at most once, with the item the report gives it.
   */
  onRowsSettled?: (rows: SettledRow[]) => void;
};

export async function runBulkJob(client: BulkJobClient, plan: BulkPlan, options: BulkJobOptions = {}): Promise<BulkJobReport> {
  const startedAt = new Date();
  const started = Date.now();
  const { onProgress, onRowsSettled, budget: given, ...runOptions } = options;
  const settle = (rows: SettledRow[]): void => {
    if (onRowsSettled === undefined || rows.length === 0) return;
    try {
      onRowsSettled(rows);
    } catch {
      // A failing listener must not break the job (as with progress).
    }
  };
  const budget = given ?? new InstanceBudget({
    operationsPerMinute: options.operationsPerMinute,
    burst: options.burst,
    clock: options.clock,
    random: options.random,
    retry: options.retry,
  });
  // Plan rows by the bulk mode they are sent with, in plan order within each mode.
  const byMode = new Map<BulkMode, number[]>();
  plan.planned.forEach((row, index) => {
    const mode = sendModeOf(plan, row);
    const list = byMode.get(mode) ?? [];
    list.push(index);
    byMode.set(mode, list);
  });
  const outcomes: BulkItemOutcome[] = plan.planned.map((p) => ({ id: p.row.id, outcome: 'notSent', attempts: 0 }));
  const sentAs: (BulkMode | undefined)[] = plan.planned.map(() => undefined);
  const settledBefore = { done: 0, failed: 0, requests: 0, batchesSettled: 0, batches: 0 };
  let requests = 0;
  for (const [mode, indexes] of byMode) {
    if (options.signal?.aborted) break;
    const { items, readFailures, reads } = await withCurrentKeys(client, plan, indexes, budget, options.signal);
    const refused: SettledRow[] = [];
    for (const [index, failure] of readFailures) {
      outcomes[index] = { id: plan.planned[index].row.id, outcome: failure.outcome, errorStatus: failure.reason, attempts: 0 };
      if (failure.outcome === 'failed') settledBefore.failed++;
      refused.push({ planIndex: index, item: reportItemOf(plan.planned[index].row, outcomes[index], mode) });
    }
    settle(refused);
    requests += reads;
    const toSend = indexes.filter((index) => !readFailures.has(index));
    if (toSend.length === 0) continue;
    const run: BulkReport = await runBulk({
      ...runOptions,
      budget,
      client,
      kind: plan.kind,
      mode,
      items: toSend.map((index) => items.get(index) ?? (plan.planned[index].row.item as never)),
      onItemsSettled: onRowsSettled === undefined ? undefined : (settled) => settle(settled.map(({ index, outcome }) => ({
        planIndex: toSend[index],
        item: reportItemOf(plan.planned[toSend[index]].row, outcome, mode),
      }))),
      onProgress: onProgress === undefined ? undefined : (progress) => {
        const elapsedMs = Date.now() - started;
        const done = settledBefore.done + progress.done;
        const failed = settledBefore.failed + progress.failed;
        onProgress({
          ...progress,
          total: plan.planned.length,
          done,
          failed,
          requests: settledBefore.requests + progress.requests,
          batchesSettled: settledBefore.batchesSettled + progress.batchesSettled,
          batches: settledBefore.batches + progress.batches,
          elapsedMs,
          itemsPerSecond: elapsedMs > 0 ? ((done + failed) * 1000) / elapsedMs : 0,
        });
      },
    });
    run.items.forEach((outcome, i) => {
      outcomes[toSend[i]] = outcome;
      sentAs[toSend[i]] = mode;
    });
    requests += run.requests;
    settledBefore.done += run.counts.done;
    settledBefore.failed += run.counts.failed;
    settledBefore.requests += run.requests;
    settledBefore.batchesSettled += Math.ceil(toSend.length / 10);
    settledBefore.batches += Math.ceil(toSend.length / 10);
  }
  const counts = { done: 0, failed: 0, notSent: 0 };
  for (const outcome of outcomes) counts[outcome.outcome]++;
  const joined: BulkReport = {
    items: outcomes,
    requests,
    elapsedMs: Date.now() - started,
    cancelled: options.signal?.aborted === true,
    counts,
  };
  return buildJobReport(plan, joined, startedAt, sentAs);
}

/** "1,230 of 5,000 · 120 failed · 95/s" for a progress notification. */
export function describeProgress(progress: JobProgress): string {
  const settled = progress.done + progress.failed;
  const failed = progress.failed > 0 ? ` · ${progress.failed.toLocaleString('en-US')} failed` : '';
  return `${settled.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')}${failed} · ${Math.round(progress.itemsPerSecond)}/s`;
}

/** "Throttled by the service: waiting 59 s…" while a 429's Retry-After is waited out. */
export function describeThrottle(waitMs: number): string {
  return `Throttled by the service: waiting ${Math.ceil(waitMs / 1000)} s…`;
}

/** Start burst that lets small jobs finish at once, as a share of the budget (at most 20 operations). */
const MAX_START_BURST = 20;

/** Pacing for a per-minute budget: the steady rate plus the start burst stay within the budget in any minute. */
export function bulkPacing(budgetPerMinute: number): { operationsPerMinute: number; burst: number } {
  const burst = Math.max(1, Math.min(MAX_START_BURST, Math.floor(budgetPerMinute / 50)));
  return { operationsPerMinute: budgetPerMinute - burst, burst };
}
