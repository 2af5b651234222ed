// The editor side of a streamed import (src/bulk/streamedImport.ts): a file too large to hold a row
// per item. The Jobs view shows the dry run as counts plus the invalid and repeated rows, runs it
// with live progress, and ends with the rows that did not end done, read back from the JSON-lines
// report that stays in the extension's storage for the person to open. Retry Failed plans and runs
// again the file's rows the report names as failed or not sent (the report holds no item content),
// with a fresh existence read, and only while the file is unchanged.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import {
  newReportFile, planJsonFileStreamed, readStreamedReport, retrySelection, runStreamedPlan, summarisePlanCounts, summariseStreamedReport,
  type StreamedImportReport, type StreamedPlan, type StreamedPlanOptions,
} from '../bulk';
import { MODE_LABELS } from '../bulk/markdown';
import { emptyCounts, streamedInvalidRows, streamedReportRows, type OutcomeCounts } from '../jobs';
import { JobsPanel } from '../jobsView/jobsPanel';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { DpsApi } from '../dps/api';
import type { InstanceBudget } from '../dps/budget';
import { ITEM_KIND_FACTS } from '../dps/items';
import type { BulkMode } from '../dps/models';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import { BULK_CONCURRENCY, jobBudget, jobsPanelDeps, showThrottling } from './bulkUi';
import type { CommandContext } from './commandContext';

/** Invalid or repeated rows listed in the dry run; all are counted, and the report after the run has every one. */
export const INVALID_ROWS_LISTED = 1_000;
/** Rows of the report (those that did not end done) listed at the end; the file has them all. */
export const REPORT_ROWS_LISTED = 10_000;

const count = (n: number): string => n.toLocaleString('en-US');

export async function importStreamed(ctx: CommandContext, connection: ConnectionRecord, path: string, mode: BulkMode): Promise<void> {
  const client = await ctx.clients.clientFor(connection);
  const budget = jobBudget(ctx);
  const plan = await dryRun(client, path, { mode, budget });
  if (plan.kinds.length === 0) throw new Error('The source holds no enrollments or enrollment groups.');
  const view = JobsPanel.open(jobsPanelDeps(ctx), {
    title: `${MODE_LABELS[mode]} ${plan.kinds.map((k) => ITEM_KIND_FACTS[k.kind].plural).join(' and ')}`,
    source: `${plan.description} → ${connection.label}`,
    quotaPerSecond: ctx.settings.value.bulkOperationsPerMinute / 60,
  });
  await dryRunAndRun(ctx, client, connection, plan, budget, view);
}

/** The dry run in the view; on Run the run, then the outcome (with Retry Failed when something failed or was not sent). */
async function dryRunAndRun(ctx: CommandContext, client: DpsApi, connection: ConnectionRecord, plan: StreamedPlan, budget: InstanceBudget, view: JobsPanel): Promise<void> {
  const { mode } = plan;
  const toSend = plan.kinds.reduce((n, k) => n + k.toSend, 0);
  const invalid = plan.kinds.reduce((n, k) => n + k.invalid, 0);
  const description = plan.only === undefined ? plan.description : `the failed or unsent items of ${plan.description}`;
  const summary = plan.kinds.map((k) => summarisePlanCounts({ ...k, mode, description }));
  ctx.logger.info(`Bulk dry run (${mode}, streamed): ${summary.join(' ')}`);
  summary.push(invalid > plan.invalidRows.length
    ? `The rows to send are counted, not listed (the file is large). The list shows the first ${count(plan.invalidRows.length)} of the ${count(invalid)} invalid rows; the report after the run has them all.`
    : 'The rows to send are counted, not listed (the file is large); the invalid rows are listed.');
  const run = view.askToRun(streamedInvalidRows(plan.invalidRows), summary, { ...emptyCounts(), planned: toSend, invalid });
  if (toSend === 0) throw new Error(`Nothing to send: all ${count(invalid)} rows are invalid. The Jobs view lists them with their reasons.`);
  if (!(await run)) throw new UserCancelledError();

  const reportFile = await newReportFile(join(ctx.globalStorageUri.fsPath, 'import-reports'), plan.description);
  let report: StreamedImportReport;
  try {
    report = await runPlan(client, plan, budget, reportFile, view);
  } catch (error: unknown) {
    // The view leaves "running": what settled before the stop is counted, the rest is not sent.
    const { live } = view.model.snapshot();
    const message = error instanceof Error ? error.message : String(error);
    view.finish([], [`The import stopped: ${message}`, 'Items done before it stopped stay on the service; import again in "create or update" mode to finish.'], true, {},
      { ...emptyCounts(), done: live.done, failed: live.failed, notSent: Math.max(0, toSend - live.done - live.failed) });
    throw error;
  } finally {
    ctx.tree.refresh();
  }
  const retryable = report.kinds.reduce((n, k) => n + k.counts.failed + k.counts.notSent, 0);
  await showOutcome(ctx, connection, report, view, retryable > 0 ? () => retryFailed(ctx, client, connection, plan, report.reportFile, budget, view) : undefined);
}

/** The rows the report names as failed or not sent, planned again (their existence and etags read afresh) from the unchanged file. */
async function retryFailed(ctx: CommandContext, client: DpsApi, connection: ConnectionRecord, plan: StreamedPlan, reportFile: string, budget: InstanceBudget, view: JobsPanel): Promise<void> {
  view.notice('Checking the failed items again…');
  const { only } = await retrySelection(reportFile);
  const retry = await dryRun(client, plan.path, { mode: plan.mode, budget, fileName: plan.description, only, expectedStamp: plan.stamp });
  await dryRunAndRun(ctx, client, connection, retry, budget, view);
}

/** One read of the file against the ids the instance holds, under a cancellable notification. */
function dryRun(client: DpsApi, path: string, options: Omit<StreamedPlanOptions, 'signal' | 'apiVersion' | 'keepInvalidRows' | 'onExistingProgress'>): Thenable<StreamedPlan> {
  const { budget } = options;
  return withProgress('Checking which items exist…', async (signal, report) => {
    const stop = showThrottling(budget, report);
    try {
      return await planJsonFileStreamed(client, path, {
        ...options,
        signal,
        fileName: options.fileName ?? basename(path),
        apiVersion: client.apiVersion,
        keepInvalidRows: INVALID_ROWS_LISTED,
        onExistingProgress: (read) => report({ message: `${count(read)} existing items read` }),
      });
    } finally {
      stop();
    }
  });
}

/** The second read, sent in chunks; Cancel in the notification or the view stops it. */
function runPlan(client: DpsApi, plan: StreamedPlan, budget: InstanceBudget, reportFile: string, view: JobsPanel): Thenable<StreamedImportReport> {
  return withProgress('Bulk job', async (notificationSignal, report) => {
    const stop = showThrottling(budget, report);
    const signal = AbortSignal.any([notificationSignal, view.startRun()]);
    const started = Date.now();
    try {
      return await runStreamedPlan(client, plan, {
        budget,
        reportFile,
        concurrency: BULK_CONCURRENCY,
        signal,
        onRetry: (throttled) => view.retried(throttled),
        onProgress: (p) => {
          const settled = p.done + p.failed;
          const seconds = Math.max(0.001, (Date.now() - started) / 1000);
          const failed = p.failed > 0 ? ` · ${count(p.failed)} failed` : '';
          report({ message: `${count(settled)} of ${count(p.total)}${failed} · ${Math.round(settled / seconds)}/s`, done: settled / Math.max(1, p.total) });
          view.progress(p);
        },
      });
    } finally {
      stop();
    }
  });
}

async function showOutcome(ctx: CommandContext, connection: ConnectionRecord, report: StreamedImportReport, view: JobsPanel, retryFailed?: () => Promise<void>): Promise<void> {
  const page = await readStreamedReport(report.reportFile, REPORT_ROWS_LISTED);
  const totals: OutcomeCounts = emptyCounts();
  for (const { counts } of report.kinds) {
    totals.done += counts.done;
    totals.failed += counts.failed;
    totals.notSent += counts.notSent;
    totals.invalid += counts.invalid;
  }
  const outcome = summariseStreamedReport(report);
  const where = page.total === 0
    ? 'Every row ended done.'
    : page.total > page.lines.length
      ? `The list shows the first ${count(page.lines.length)} of the ${count(page.total)} rows that did not end done; ${count(page.total - page.lines.length)} more in ${report.reportFile} (JSON lines).`
      : `The ${count(page.total)} rows that did not end done are listed, and kept in ${report.reportFile} (JSON lines).`;
  ctx.logger.info(`Bulk ${report.cancelled ? 'import (cancelled)' : 'import'}, streamed, into ${connection.label}: ${outcome.join(' ')} Report: ${report.reportFile}`);
  // Done rows are counted, not listed: nothing they need.
  view.finish(streamedReportRows(page.lines), [...outcome, where], report.cancelled, retryFailed === undefined ? {} : { retryFailed }, totals);
  if (page.total > 0) view.notice(`Full report of the rows that did not end done: ${report.reportFile}`);
  const attention = totals.failed + totals.notSent + totals.invalid;
  const show = attention > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Bulk job on ${connection.label}: ${outcome.join(' ')} Details in the Jobs view.`);
}
