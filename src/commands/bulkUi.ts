// The editor side of a bulk job, shared by the bulk commands and import: the dry run in the Jobs
// view with Run and Cancel, the run under a cancellable progress notification and live in the
// view, and the outcome there with "Retry Failed" and "Save Report". The domain work happens in
// src/bulk; this module only shows and asks.
import * as vscode from 'vscode';
import {
  bulkPacing, describeProgress, describeThrottle, planBulk, readExistingItems, renderReportMarkdown,
  retrySource, runBulkJob, summarisePlan, summariseReport, type BulkJobReport, type BulkPlan, type SourceResult,
} from '../bulk';
import { MODE_LABELS } from '../bulk/markdown';
import { bulkPlansRows, bulkReportRow, bulkReportRows } from '../jobs';
import { JobsPanel, type JobsPanelDeps } from '../jobsView/jobsPanel';
import { InstanceBudget } from '../dps/budget';
import type { BulkMode } from '../dps/models';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { DpsApi } from '../dps/api';
import { ITEM_KIND_FACTS } from '../dps/items';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { withProgress, type ReportProgress } from '../ui/progress';

export const BULK_CONCURRENCY = 4;

/** A file URI passed by the explorer's context menu; duck-typed so a node or anything else is not one. */
export function asFileUri(value: unknown): vscode.Uri | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<vscode.Uri>;
  return candidate.scheme === 'file' && typeof candidate.fsPath === 'string' ? (value as vscode.Uri) : undefined;
}

/** One pacing budget for everything a job does against the instance: dry-run reads, key reads, writes. */
export function jobBudget(ctx: CommandContext): InstanceBudget {
  return new InstanceBudget(bulkPacing(ctx.settings.value.bulkOperationsPerMinute));
}

/** Shows a 429's wait in the progress message while it lasts; returns the unsubscribe. */
export function showThrottling(budget: InstanceBudget, report: ReportProgress): () => void {
  return budget.onThrottle((waitMs) => report({ message: describeThrottle(waitMs) }));
}

/** Plans every source after reading which items exist and their etags (under the job's budget). */
export async function planSources(client: DpsApi, sources: SourceResult[], mode: BulkMode, budget: InstanceBudget): Promise<BulkPlan[]> {
  return withProgress('Checking which items exist…', async (signal, report) => {
    const stop = showThrottling(budget, report);
    try {
      const planned: BulkPlan[] = [];
      for (const source of sources) {
        const existing = await readExistingItems(client, source.kind, {
          budget,
          signal,
          onProgress: (read) => report({ message: `${read.toLocaleString('en-US')} existing ${ITEM_KIND_FACTS[source.kind].plural} read` }),
        });
        planned.push(planBulk(source, mode, existing, client.apiVersion));
      }
      return planned;
    } finally {
      stop();
    }
  });
}

/** The dry run's lines (also logged); throws when nothing could be sent. */
function checkSendable(ctx: CommandContext, plans: BulkPlan[], mode: BulkMode): void {
  const toSend = plans.reduce((n, p) => n + p.planned.length, 0);
  const invalid = plans.reduce((n, p) => n + p.invalid.length, 0);
  ctx.logger.info(`Bulk dry run (${mode}): ${plans.map(summarisePlan).join(' ')}`);
  if (toSend === 0) throw new Error(`Nothing to send: all ${invalid} rows are invalid. The Jobs view lists each with its reason.`);
}

/**
 * Runs the plans one after another under one cancellable notification, reporting to the Jobs view:
 * counts, and each row as it settles, at the row the view's dry run listed it (`rowStarts`, see bulkPlansRows).
 */
export async function runPlans(
  ctx: CommandContext, client: DpsApi, plans: BulkPlan[], budget = jobBudget(ctx), view?: JobsPanel, rowStarts?: ReadonlyMap<BulkPlan, number>,
): Promise<BulkJobReport[]> {
  return withProgress('Bulk job', async (notificationSignal, report) => {
    const stop = showThrottling(budget, report);
    // Cancel in the notification or in the Jobs view stops the job.
    const signal = view === undefined ? notificationSignal : AbortSignal.any([notificationSignal, view.startRun()]);
    try {
      const reports: BulkJobReport[] = [];
      // Counts of earlier plans, so the view's live counts cover the whole job.
      const before = { done: 0, failed: 0, requests: 0 };
      const total = plans.reduce((n, p) => n + p.planned.length, 0);
      for (const plan of plans) {
        const start = rowStarts?.get(plan);
        // Reports after cancellation still run: the runner marks the rest "not sent".
        const jobReport = await runBulkJob(client, plan, {
          budget,
          concurrency: BULK_CONCURRENCY,
          signal,
          onRetry: (throttled) => view?.retried(throttled),
          onRowsSettled: view === undefined || start === undefined ? undefined : (rows) => view.settleRows(
            rows.map(({ planIndex, item }) => ({ index: start + planIndex, row: bulkReportRow(plan.kind, item) })),
          ),
          onProgress: (p) => {
            report({ message: describeProgress(p), done: (p.done + p.failed) / Math.max(1, p.total) });
            view?.progress({ total, done: before.done + p.done, failed: before.failed + p.failed, requests: before.requests + p.requests });
          },
        });
        reports.push(jobReport);
        before.done += jobReport.counts.done;
        before.failed += jobReport.counts.failed;
        before.requests += jobReport.requests;
        ctx.logger.info(`Bulk ${plan.mode} of ${ITEM_KIND_FACTS[plan.kind].plural} from ${plan.description}: ${summariseReport(jobReport)}`);
      }
      return reports;
    } finally {
      stop();
    }
  });
}

/** The whole flow: dry run in the Jobs view, Run there, the outcome there with Retry Failed and Save Report. */
export async function runBulkFlow(ctx: CommandContext, connection: ConnectionRecord, sources: SourceResult[], mode: BulkMode): Promise<void> {
  if (sources.length === 0) throw new Error('The source holds no enrollments or enrollment groups.');
  const client = await ctx.clients.clientFor(connection);
  const budget = jobBudget(ctx);
  const plans = await planSources(client, sources, mode, budget);
  const view = JobsPanel.open(jobsPanelDeps(ctx), {
    title: `${MODE_LABELS[mode]} ${[...new Set(plans.map((p) => ITEM_KIND_FACTS[p.kind].plural))].join(' and ')}`,
    source: `${sources.map((s) => s.description).join(', ')} → ${connection.label}`,
    quotaPerSecond: ctx.settings.value.bulkOperationsPerMinute / 60,
  });
  await dryRunAndRun(ctx, client, connection, plans, budget, view);
}

export function jobsPanelDeps(ctx: CommandContext): JobsPanelDeps {
  return {
    extensionUri: ctx.extensionUri,
    log: (line) => ctx.logger.info(line),
    reportError: (error, context) => void ctx.errors.report(error, context),
  };
}

async function dryRunAndRun(ctx: CommandContext, client: DpsApi, connection: ConnectionRecord, plans: BulkPlan[], budget: InstanceBudget, view: JobsPanel): Promise<void> {
  const dryRun = bulkPlansRows(plans);
  const run = view.askToRun(dryRun.rows, plans.map(summarisePlan));
  checkSendable(ctx, plans, plans[0].mode);
  if (!(await run)) throw new UserCancelledError();
  const sendable = plans.filter((p) => p.planned.length > 0);
  const reports = await runPlans(ctx, client, sendable, budget, view, dryRun.starts);
  ctx.tree.refresh();
  const summary = reports.map(summariseReport);
  const retryable = reports.reduce((n, r) => n + r.counts.failed + r.counts.notSent, 0);
  view.finish(reports.flatMap(bulkReportRows), summary, reports.some((r) => r.cancelled), {
    markdown: () => reports.map((r) => renderReportMarkdown(r, Number.MAX_SAFE_INTEGER)).join('\n---\n\n'),
    ...(retryable > 0 ? { retryFailed: () => retryFailed(ctx, client, connection, reports, sendable, budget, view) } : {}),
  });
  const show = retryable > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Bulk job on ${connection.label}: ${summary.join(' ')} Details in the Jobs view.`);
}

/** A fresh existence and etag read of the failed items (they may have been created or changed since), then the dry run again. */
async function retryFailed(ctx: CommandContext, client: DpsApi, connection: ConnectionRecord, reports: BulkJobReport[], plans: BulkPlan[], budget: InstanceBudget, view: JobsPanel): Promise<void> {
  view.notice('Checking the failed items again…');
  const retries: BulkPlan[] = [];
  for (const [i, report] of reports.entries()) {
    const source = retrySource(report, plans[i]);
    if (source.rows.length > 0) retries.push(...(await planSources(client, [source], plans[i].mode, budget)));
  }
  await dryRunAndRun(ctx, client, connection, retries, budget, view);
}
