// Export a connection's enrollments and groups to one JSON file (keys only after a modal warning),
// and import such a file into another connection through the bulk dry run and runner.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { defaultSaveUri } from '../ui/saveLocation';
import { BulkSourceError, describeThrottle, exportConnectionToFile, readJsonSourcesFromFile } from '../bulk';
import type { BulkMode } from '../dps/models';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { asFileUri, jobBudget, runBulkFlow } from './bulkUi';
import { importStreamed } from './streamedImportUi';
import { pickConnection } from './targets';
import { withProgress } from '../ui/progress';

/**
 * Files at least this large are imported streamed: counts and the rows needing attention, never a
 * row per item (at 100,000 items, bench/import-command.ts: 154 MB peak heap growth with a row
 * each, 38 MB streamed). Below it the dry run lists every row, which is cheap and more useful.
 * 8 MiB is about 20,000 exported items.
 */
export const STREAMED_IMPORT_MIN_BYTES = 8 * 2 ** 20;

export async function exportEnrollments(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const connection = await pickConnection(ctx, args[0]);
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Without keys', detail: 'Symmetric keys are left out; importing creates new keys.', includeKeys: false },
      { label: 'With keys', detail: 'Symmetric keys of every enrollment and group are written into the file.', includeKeys: true },
    ],
    { placeHolder: `Export the enrollments and groups of ${connection.label}`, ignoreFocusOut: true },
  );
  if (choice === undefined) throw new UserCancelledError();
  if (choice.includeKeys) {
    const go = await vscode.window.showWarningMessage(
      'The file will hold the symmetric keys of every enrollment and group. Anyone with the file can provision devices as them. Keep it out of source control and delete it when done.',
      { modal: true },
      'Export With Keys',
    );
    if (go !== 'Export With Keys') throw new UserCancelledError();
  }
  const uri = await vscode.window.showSaveDialog({
    title: 'Export enrollments',
    filters: { JSON: ['json'] },
    saveLabel: 'Export',
    defaultUri: defaultSaveUri(`${connection.label.replace(/[^A-Za-z0-9._-]+/g, '-')}-enrollments.json`),
  });
  if (uri === undefined) throw new UserCancelledError();
  const client = await ctx.clients.clientFor(connection);
  // Written as it is read, paced under the instance's budget; the file appears only when complete.
  const budget = jobBudget(ctx);
  const counts = await withProgress(`Exporting ${connection.label}`, async (signal, report) => {
    const stop = budget.onThrottle((waitMs) => report({ message: describeThrottle(waitMs) }));
    try {
      return await exportConnectionToFile(client, uri.fsPath, {
        includeKeys: choice.includeKeys,
        budget,
        signal,
        onProgress: (written) => report({ message: `${written.toLocaleString('en-US')} written` }),
      });
    } finally {
      stop();
    }
  });
  ctx.logger.info(`Exported ${counts.enrollments} enrollments and ${counts.enrollmentGroups} groups of ${connection.hostName}${choice.includeKeys ? ' with keys' : ''} to ${uri.fsPath}`);
  void vscode.window.showInformationMessage(`Exported ${counts.enrollments} enrollments and ${counts.enrollmentGroups} enrollment groups to ${basename(uri.fsPath)}.`);
}

export async function importEnrollments(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const fileArg = asFileUri(args[0]);
  const uri = fileArg ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ['json'] }, openLabel: 'Import' }))?.[0];
  if (uri === undefined) throw new UserCancelledError();
  const connection = await pickConnection(ctx, fileArg === undefined ? args[0] : undefined);
  const modes: Array<vscode.QuickPickItem & { mode: BulkMode }> = [
    { label: 'Create', detail: 'Items that already exist fail and are listed in the report.', mode: 'create' },
    { label: 'Create or update', detail: 'New items are created; existing ones are updated if unchanged since the dry run, keeping their keys when the file has none.', mode: 'update' },
  ];
  const picked = await vscode.window.showQuickPick(
    modes,
    { placeHolder: `Import ${basename(uri.fsPath)} into ${connection.label}`, ignoreFocusOut: true },
  );
  if (picked === undefined) throw new UserCancelledError();
  if ((await fileSize(uri.fsPath)) >= STREAMED_IMPORT_MIN_BYTES) {
    await importStreamed(ctx, connection, uri.fsPath, picked.mode);
    return;
  }
  // Read as it comes: an export of a large instance is never held as text.
  const sources = await readJsonSourcesFromFile(uri.fsPath, { mode: picked.mode, fileName: basename(uri.fsPath) });
  await runBulkFlow(ctx, connection, sources, picked.mode);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw new BulkSourceError(`${basename(path)} could not be read.`);
  }
}
