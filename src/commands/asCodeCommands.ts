// Enrollments as code in the editor: plan a desired-state file against a connection (a Markdown
// document with a diff per item), apply it from the Jobs view (the plan as its dry run, Run there),
// check drift, and export a connection as a desired-state file. The work is src/ascode's; this module asks, shows and reports.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  applyPlan, exportDesiredState, formatDesiredState, planDesiredStateFile, planHasChanges, renderApplyText, renderPlanMarkdown,
  summariseApply, summarisePlan, type Plan,
} from '../ascode';
import { writeFileAtomic } from '../util/atomicWrite';
import { UserCancelledError } from '../common/errorPresentation';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { CommandContext } from './commandContext';
import { asFileUri, jobsPanelDeps } from './bulkUi';
import { reportSource, showReport } from '../ui/reportDocuments';
import { applyPlanRows, applyReportRow, applyReportRows } from '../jobs';
import { JobsPanel } from '../jobsView/jobsPanel';
import { pickConnection } from './targets';
import { withProgress } from '../ui/progress';
import { defaultSaveUri } from '../ui/saveLocation';

/** The file from the Explorer or editor title, else the active editor's (or the file of the active plan), else asked for. */
async function desiredStateFile(arg: unknown): Promise<{ uri: vscode.Uri; text: string }> {
  let uri = asFileUri(arg);
  const active = vscode.window.activeTextEditor?.document;
  if (uri === undefined && active?.uri.scheme === 'file' && /\.(json|jsonc|yaml|yml)$/i.test(active.uri.fsPath)) uri = active.uri;
  // A plan shown from a file stands for that file: Apply (or Plan again) right from the plan.
  if (uri === undefined && active !== undefined) uri = reportSource(active.uri);
  uri ??= (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Desired state': ['json', 'jsonc', 'yaml', 'yml'] }, openLabel: 'Plan' }))?.[0];
  if (uri === undefined) throw new UserCancelledError();
  // An open editor's text wins, saved or not: the plan is of what the user sees.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const text = open?.getText() ?? new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  return { uri, text };
}

async function planFor(ctx: CommandContext, args: unknown[], prune: boolean): Promise<{ plan: Plan; connection: ConnectionRecord; uri: vscode.Uri }> {
  const { uri, text } = await desiredStateFile(args[0]);
  const connection = await pickConnection(ctx, asFileUri(args[0]) === undefined ? args[0] : undefined);
  const client = await ctx.clients.clientFor(connection);
  const { plan } = await withProgress(`Planning ${basename(uri.fsPath)} against ${connection.label}`, (signal, report) =>
    planDesiredStateFile(client, uri.fsPath, {
      prune,
      text,
      signal,
      operationsPerMinute: ctx.settings.value.bulkOperationsPerMinute,
      onProgress: (read) => report({ message: `${read.toLocaleString('en-US')} items read` }),
    }),
  );
  return { plan, connection, uri };
}

async function askPrune(): Promise<boolean> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Keep items the file does not name', prune: false },
      { label: 'Delete items the file does not name (prune)', prune: true },
    ],
    { placeHolder: 'Items on the service that the file does not name', ignoreFocusOut: true },
  );
  if (choice === undefined) throw new UserCancelledError();
  return choice.prune;
}

export async function planDesiredState(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { plan, connection, uri } = await planFor(ctx, args, await askPrune());
  await showReport(`Plan ${plan.fileName} for ${connection.label}`, renderPlanMarkdown(plan), { source: uri });
}

export async function applyDesiredState(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { plan, connection } = await planFor(ctx, args, await askPrune());
  if (!planHasChanges(plan)) {
    void vscode.window.showInformationMessage(`Nothing to apply: ${connection.label} matches ${plan.fileName}.`);
    return;
  }
  // The plan is the dry run: shown in the Jobs view with Run and Cancel.
  const view = JobsPanel.open(jobsPanelDeps(ctx), {
    title: `Apply ${plan.fileName}`,
    source: `${plan.fileName} → ${connection.label}`,
    quotaPerSecond: ctx.settings.value.bulkOperationsPerMinute / 60,
  });
  const go = await view.askToRun(applyPlanRows(plan), [summarisePlan(plan), 'Items changed on the service since this plan are not overwritten.']);
  if (!go) throw new UserCancelledError();
  const client = await ctx.clients.clientFor(connection);
  const report = await withProgress(`Applying ${plan.fileName} to ${connection.label}`, (signal, progress) =>
    applyPlan(client, plan, {
      signal: AbortSignal.any([signal, view.startRun()]),
      operationsPerMinute: ctx.settings.value.bulkOperationsPerMinute,
      onRetry: (throttled) => view.retried(throttled),
      // Indexes are into the plan's changes, the rows applyPlanRows listed in the dry run.
      onItemsSettled: (settled) => view.settleRows(settled.map(({ index, item }) => ({ index, row: applyReportRow(item, plan.fileName) }))),
      onProgress: (p) => {
        progress({ message: `${p.phase}: ${p.settled}/${p.total}`, done: p.total === 0 ? 1 : p.settled / p.total });
        view.progress({ total: p.total, done: p.settled - p.failed, failed: p.failed, requests: p.requests });
      },
    }),
  );
  ctx.tree.refresh();
  ctx.logger.info(`Applied ${plan.fileName} to ${connection.hostName}: ${summariseApply(report)}`);
  const summary = summariseApply(report);
  // No Retry Failed: what failed is planned again (the service may have changed), so the notification says so.
  view.finish(applyReportRows(report, plan.fileName), [summary], report.cancelled, {
    markdown: () => `# Apply report for \`${plan.hostName}\`\n\n\`\`\`\n${renderApplyText(report)}\`\`\`\n`,
  });
  if (report.counts.failed + report.counts.notSent > 0) void vscode.window.showWarningMessage(`Applied with problems: ${summary} Plan again and apply to finish.`);
  else void vscode.window.showInformationMessage(`Applied: ${summary}`);
}

export async function checkDrift(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  // As Plan asks: with prune, items added by hand are drift (to delete); without, they are counted and kept.
  const { plan, connection, uri } = await planFor(ctx, args, await askPrune());
  const showPlan = () => showReport(`Plan ${plan.fileName} for ${connection.label}`, renderPlanMarkdown(plan), { source: uri });
  if (!planHasChanges(plan)) {
    if (plan.notInFile.length === 0) {
      void vscode.window.showInformationMessage(`No drift: ${connection.label} matches ${plan.fileName}. ${summarisePlan(plan)}`);
      return;
    }
    // Not drift with prune off, but someone may have added them by hand: say so, and offer the list.
    offerPlan(vscode.window.showInformationMessage(
      `No drift in the items ${plan.fileName} names, but ${connection.label} holds ${plan.notInFile.length} it does not name. ${summarisePlan(plan)}`, 'Show Plan'), showPlan);
    return;
  }
  offerPlan(vscode.window.showWarningMessage(`Drift: ${connection.label} no longer matches ${plan.fileName}. ${summarisePlan(plan)}`, 'Show Plan'), showPlan);
}

/** The notification is not awaited (the command ends now); its button opens the plan when pressed. */
function offerPlan(notification: Thenable<string | undefined>, showPlan: () => Promise<unknown>): void {
  void Promise.resolve(notification).then((picked) => (picked === 'Show Plan' ? showPlan() : undefined));
}

export async function exportDesiredStateFile(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const connection = await pickConnection(ctx, args[0]);
  const uri = await vscode.window.showSaveDialog({
    title: 'Export as desired state',
    filters: { 'Desired state (JSON)': ['json'], 'Desired state (YAML)': ['yaml', 'yml'] },
    saveLabel: 'Export',
    defaultUri: defaultSaveUri(`${connection.label.replace(/[^A-Za-z0-9._-]+/g, '-')}.dps.json`),
  });
  if (uri === undefined) throw new UserCancelledError();
  const client = await ctx.clients.clientFor(connection);
  const document = await withProgress(`Exporting ${connection.label} as desired state`, (signal, report) =>
    exportDesiredState(client, {
      signal,
      operationsPerMinute: ctx.settings.value.bulkOperationsPerMinute,
      onProgress: (read) => report({ message: `${read.toLocaleString('en-US')} read` }),
    }),
  );
  // No keys in it: symmetric keys are written as "keep", certificates as thumbprints.
  await writeFileAtomic(uri.fsPath, formatDesiredState(document, uri.fsPath));
  await vscode.window.showTextDocument(uri);
}
