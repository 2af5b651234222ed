// The editor side of a bulk job, shared by the bulk commands and import: dry run (a modal summary
// plus a Markdown document with every invalid row), the run under a cancellable progress
// notification with counts and rate, and the report as a document with "Retry Failed" and
// "Save Report". The domain work happens in src/bulk; this module only shows and asks.
import * as vscode from 'vscode';
import { defaultSaveUri } from '../ui/saveLocation';
import {
  bulkPacing, describeProgress, describeThrottle, planBulk, readExistingItems, renderPlanMarkdown, renderReportJson, renderReportMarkdown,
  retrySource, runBulkJob, summarisePlan, summariseReport, writeFileAtomic, type BulkJobReport, type BulkPlan, type SourceResult,
} from '../bulk';
import { InstanceBudget } from '../dps/budget';
import type { BulkMode } from '../dps/models';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { DpsApi } from '../dps/api';
import { ITEM_KIND_FACTS } from '../dps/items';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { withProgress, type ReportProgress } from '../ui/progress';

const BULK_CONCURRENCY = 4;

/** A file URI passed by the explorer's context menu; duck-typed so a node or anything else is not one. */
export function asFileUri(value: unknown): vscode.Uri | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<vscode.Uri>;
  return candidate.scheme === 'file' && typeof candidate.fsPath === 'string' ? (value as vscode.Uri) : undefined;
}

export async function openMarkdown(content: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(document, { preview: false });
}

/** One pacing budget for everything a job does against the instance: dry-run reads, key reads, writes. */
export function jobBudget(ctx: CommandContext): InstanceBudget {
  return new InstanceBudget(bulkPacing(ctx.settings.value.bulkOperationsPerMinute));
}

/** Shows a 429's wait in the progress message while it lasts; returns the unsubscribe. */
function showThrottling(budget: InstanceBudget, report: ReportProgress): () => void {
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
        planned.push(planBulk(source, mode, existing));
      }
      return planned;
    } finally {
      stop();
    }
  });
}

/**
 * Plans every source (asking the service which ids exist, so create/update counts are real),
 * shows the dry run, and asks to go on. Returns the plans to run, or throws UserCancelledError.
 */
export async function dryRun(ctx: CommandContext, client: DpsApi, sources: SourceResult[], mode: BulkMode, budget = jobBudget(ctx)): Promise<BulkPlan[]> {
  if (sources.length === 0) throw new Error('The source holds no enrollments or enrollment groups.');
  const plans = await planSources(client, sources, mode, budget);
  const toSend = plans.reduce((n, p) => n + p.planned.length, 0);
  const invalid = plans.reduce((n, p) => n + p.invalid.length, 0);
  ctx.logger.info(`Bulk dry run (${mode}): ${plans.map(summarisePlan).join(' ')}`);
  if (invalid > 0 || plans.some((p) => p.warnings > 0)) await openMarkdown(plans.map((p) => renderPlanMarkdown(p)).join('\n---\n\n'));
  if (toSend === 0) {
    throw new Error(`Nothing to send: all ${invalid} rows are invalid. The dry-run document lists each with its reason.`);
  }
  const run = 'Run';
  const details = 'Show Details';
  const choice = await vscode.window.showWarningMessage(
    `${plans.map(summarisePlan).join('\n')}\n\nNothing has been sent yet.`,
    { modal: true },
    run,
    ...(invalid === 0 ? [details] : []),
  );
  if (choice === details) {
    await openMarkdown(plans.map((p) => renderPlanMarkdown(p)).join('\n---\n\n'));
    const again = await vscode.window.showWarningMessage(`Run the job? ${toSend} items will be sent.`, { modal: true }, run);
    if (again !== run) throw new UserCancelledError();
  } else if (choice !== run) {
    throw new UserCancelledError();
  }
  return plans.filter((p) => p.planned.length > 0);
}

/** Runs the plans one after another under one cancellable notification. */
export async function runPlans(ctx: CommandContext, client: DpsApi, plans: BulkPlan[], budget = jobBudget(ctx)): Promise<BulkJobReport[]> {
  return withProgress('Bulk job', async (signal, report) => {
    const stop = showThrottling(budget, report);
    try {
      const reports: BulkJobReport[] = [];
      for (const plan of plans) {
        // Reports after cancellation still run: the runner marks the rest "not sent".
        const jobReport = await runBulkJob(client, plan, {
          budget,
          concurrency: BULK_CONCURRENCY,
          signal,
          onProgress: (p) => report({ message: describeProgress(p), done: (p.done + p.failed) / Math.max(1, p.total) }),
        });
        reports.push(jobReport);
        ctx.logger.info(`Bulk ${plan.mode} of ${ITEM_KIND_FACTS[plan.kind].plural} from ${plan.description}: ${summariseReport(jobReport)}`);
      }
      return reports;
    } finally {
      stop();
    }
  });
}

/** The whole flow: dry run, run, report with its actions. */
export async function runBulkFlow(ctx: CommandContext, connection: ConnectionRecord, sources: SourceResult[], mode: BulkMode): Promise<void> {
  const client = await ctx.clients.clientFor(connection);
  const budget = jobBudget(ctx);
  const plans = await dryRun(ctx, client, sources, mode, budget);
  await runAndReport(ctx, client, connection, plans, budget);
}

async function runAndReport(ctx: CommandContext, client: DpsApi, connection: ConnectionRecord, plans: BulkPlan[], budget: InstanceBudget): Promise<void> {
  const reports = await runPlans(ctx, client, plans, budget);
  ctx.tree.refresh();
  await openMarkdown(reports.map((r) => renderReportMarkdown(r)).join('\n---\n\n'));
  const retryable = reports.reduce((n, r) => n + r.counts.failed + r.counts.notSent, 0);
  const retryFailed = 'Retry Failed';
  const save = 'Save Report';
  const summary = reports.map(summariseReport).join(' ');
  const show = retryable > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(`Bulk job on ${connection.label}: ${summary}`, ...(retryable > 0 ? [retryFailed] : []), save);
  if (choice === save) await saveReports(reports);
  if (choice === retryFailed) {
    // A fresh existence and etag read: what failed may have been created or changed since.
    const retries: BulkPlan[] = [];
    for (const [i, report] of reports.entries()) {
      const source = retrySource(report, plans[i]);
      if (source.rows.length > 0) retries.push(...(await planSources(client, [source], plans[i].mode, budget)));
    }
    const go = await vscode.window.showWarningMessage(`Retry ${retryable} failed or unsent items?\n\n${retries.map(summarisePlan).join('\n')}`, { modal: true }, 'Retry');
    if (go !== 'Retry') throw new UserCancelledError();
    await runAndReport(ctx, client, connection, retries.filter((p) => p.planned.length > 0), budget);
  }
}

/** Saves the reports as JSON (or Markdown, by the chosen extension); written whole or not at all. */
export async function saveReports(reports: BulkJobReport[]): Promise<void> {
  const uri = await vscode.window.showSaveDialog({
    title: 'Save the bulk report',
    filters: { JSON: ['json'], Markdown: ['md'] },
    saveLabel: 'Save Report',
    defaultUri: defaultSaveUri('bulk-report.json'),
  });
  if (uri === undefined) throw new UserCancelledError();
  const content = uri.fsPath.toLowerCase().endsWith('.md')
    ? reports.map((r) => renderReportMarkdown(r, Number.MAX_SAFE_INTEGER)).join('\n---\n\n')
    : reports.length === 1 ? renderReportJson(reports[0]) : JSON.stringify(reports, null, 2) + '\n';
  await writeFileAtomic(uri.fsPath, content);
  void vscode.window.setStatusBarMessage(`Bulk report saved to ${uri.fsPath}`, 5000);
}
