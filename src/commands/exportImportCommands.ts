// Export a connection's enrollments and groups to one JSON file (keys only after a modal warning),
// and import such a file into another connection through the bulk dry run and runner.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { defaultSaveUri } from '../ui/saveLocation';
import { exportConnection, parseJsonSources, writeFileAtomic } from '../bulk';
import type { BulkMode } from '../dps/models';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { asFileUri, runBulkFlow } from './bulkUi';
import { pickConnection } from './targets';
import { withProgress } from '../ui/progress';

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
  const document = await withProgress(`Exporting ${connection.label}`, (signal, report) =>
    exportConnection(client, {
      includeKeys: choice.includeKeys,
      signal,
      onProgress: (read) => report({ message: `${read.toLocaleString('en-US')} read` }),
    }),
  );
  // Keys live only in the file the user chose, readable by the user alone.
  await writeFileAtomic(uri.fsPath, JSON.stringify(document, null, 2) + '\n', { mode: choice.includeKeys ? 0o600 : 0o644 });
  ctx.logger.info(`Exported ${document.enrollments.length} enrollments and ${document.enrollmentGroups.length} groups of ${connection.hostName}${choice.includeKeys ? ' with keys' : ''} to ${uri.fsPath}`);
  void vscode.window.showInformationMessage(`Exported ${document.enrollments.length} enrollments and ${document.enrollmentGroups.length} enrollment groups to ${basename(uri.fsPath)}.`);
}

export async function importEnrollments(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const fileArg = asFileUri(args[0]);
  const uri = fileArg ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ['json'] }, openLabel: 'Import' }))?.[0];
  if (uri === undefined) throw new UserCancelledError();
  const connection = await pickConnection(ctx, fileArg === undefined ? args[0] : undefined);
  const modes: Array<vscode.QuickPickItem & { mode: BulkMode }> = [
    { label: 'Create', detail: 'Items that already exist fail and are listed in the report.', mode: 'create' },
    { label: 'Create or update', detail: 'Existing items are replaced by the file\'s content.', mode: 'update' },
  ];
  const picked = await vscode.window.showQuickPick(
    modes,
    { placeHolder: `Import ${basename(uri.fsPath)} into ${connection.label}`, ignoreFocusOut: true },
  );
  if (picked === undefined) throw new UserCancelledError();
  const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  const sources = parseJsonSources(text, { mode: picked.mode, fileName: basename(uri.fsPath) });
  await runBulkFlow(ctx, connection, sources, picked.mode);
}
