// Runs a planned job on the client's bulk runner and joins the outcome into the job report. The
// progress it reports adds what a person watching wants: how many settled and at what rate.
import { runBulk, type BulkClient, type BulkProgress, type BulkRunOptions } from '../dps/bulk';
import { plannedItems, type BulkPlan } from './plan';
import { buildJobReport, type BulkJobReport } from './report';

export interface JobProgress extends BulkProgress {
  /** Items settled (done or failed) per second since the start. */
  itemsPerSecond: number;
  elapsedMs: number;
}

export type BulkJobOptions = Omit<BulkRunOptions, 'client' | 'kind' | 'mode' | 'items' | 'onProgress'> & {
  onProgress?: (progress: JobProgress) => void;
};

export async function runBulkJob(client: BulkClient, plan: BulkPlan, options: BulkJobOptions = {}): Promise<BulkJobReport> {
  const startedAt = new Date();
  const started = Date.now();
  const { onProgress, ...runOptions } = options;
  const run = await runBulk({
    ...runOptions,
    client,
    kind: plan.kind,
    mode: plan.mode,
    items: plannedItems(plan),
    onProgress: onProgress === undefined ? undefined : (progress) => {
      const elapsedMs = Date.now() - started;
      const settled = progress.done + progress.failed;
      onProgress({ ...progress, elapsedMs, itemsPerSecond: elapsedMs > 0 ? (settled * 1000) / elapsedMs : 0 });
    },
  });
  return buildJobReport(plan, run, startedAt);
}

/** "1,230 of 5,000 · 120 failed · 95/s" for a progress notification. */
export function describeProgress(progress: JobProgress): string {
  const settled = progress.done + progress.failed;
  const failed = progress.failed > 0 ? ` · ${progress.failed.toLocaleString('en-US')} failed` : '';
  return `${settled.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')}${failed} · ${Math.round(progress.itemsPerSecond)}/s`;
}

/** Start burst that lets small jobs finish at once, as a share of the budget (at most 20 operations). */
const MAX_START_BURST = 20;

/** Pacing for a per-minute budget: the steady rate plus the start burst stay within the budget in any minute. */
export function bulkPacing(budgetPerMinute: number): { operationsPerMinute: number; burst: number } {
  const burst = Math.max(1, Math.min(MAX_START_BURST, Math.floor(budgetPerMinute / 50)));
  return { operationsPerMinute: budgetPerMinute - burst, burst };
}
