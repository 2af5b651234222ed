// "Bulk Create / Update / Update If ETag Matches / Delete": the four service modes, from a CSV or
// JSON file, a folder of certificates, or the enrollments selected in the tree. Every job goes
// through the dry run in bulkUi before anything is sent.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { certificateFolderSource, parseEnrollmentCsv, parseJsonSources, selectionSource, type SourceResult } from '../bulk';
import type { Item } from '../dps/items';
import type { BulkMode } from '../dps/models';
import type { ConnectionRecord } from '../connections/connectionStore';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { asFileUri, runBulkFlow } from './bulkUi';
import { itemTargetOf, pickConnection, selectedNodes, type ItemTarget } from './targets';

type SourceKind = 'csv' | 'json' | 'certificates' | 'selection';

/** Bigger inputs are refused before parsing: a bulk file is data, not a place for gigabytes. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

export const bulkCreate = (ctx: CommandContext, ...args: unknown[]): Promise<void> => runBulkCommand(ctx, 'create', args);
export const bulkUpdate = (ctx: CommandContext, ...args: unknown[]): Promise<void> => runBulkCommand(ctx, 'update', args);
export const bulkUpdateIfMatchETag = (ctx: CommandContext, ...args: unknown[]): Promise<void> => runBulkCommand(ctx, 'updateIfMatchETag', args);
export const bulkDelete = (ctx: CommandContext, ...args: unknown[]): Promise<void> => runBulkCommand(ctx, 'delete', args);

async function runBulkCommand(ctx: CommandContext, mode: BulkMode, args: unknown[]): Promise<void> {
  // From the tree: the selected items are the source. From the explorer: the clicked file.
  const selected = selectedItems(args);
  if (selected.length > 0) {
    await runBulkFlow(ctx, selected[0].connection, [selectionOf(selected, mode)], mode);
    return;
  }
  const fileArg = asFileUri(args[0]);
  const kind = fileArg !== undefined ? kindOfFile(fileArg) : await pickSourceKind(ctx);
  if (kind === 'selection') {
    const fromTree = treeSelection(ctx);
    await runBulkFlow(ctx, fromTree[0].connection, [selectionOf(fromTree, mode)], mode);
    return;
  }
  const uri = fileArg ?? (await pickSourceUri(kind));
  const sources = await readSource(kind, uri, mode);
  const connection: ConnectionRecord = await pickConnection(ctx, fileArg !== undefined ? undefined : args[0]);
  await runBulkFlow(ctx, connection, sources, mode);
}

function selectedItems(args: unknown[]): ItemTarget[] {
  return selectedNodes(args).map(itemTargetOf).filter((t): t is ItemTarget => t !== undefined);
}

function treeSelection(ctx: CommandContext): ItemTarget[] {
  const items = ctx.treeView.selection.map(itemTargetOf).filter((t): t is ItemTarget => t !== undefined);
  if (items.length === 0) throw new Error('No enrollments are selected in the DPS tree: select them first (Ctrl/Shift-click for several).');
  return items;
}

/** One connection and one kind per job: the service takes enrollments and groups in separate requests. */
function selectionOf(targets: ItemTarget[], mode: BulkMode): SourceResult {
  const connection = targets[0].connection;
  if (targets.some((t) => t.connection.id !== connection.id)) throw new Error('The selection spans several connections; select items of one connection.');
  const kind = targets[0].kind;
  if (targets.some((t) => t.kind !== kind)) throw new Error('The selection mixes individual enrollments and groups; select one kind at a time.');
  const missing = targets.find((t) => t.item === undefined);
  if (missing !== undefined) throw new Error(`"${missing.id}" has not been loaded; refresh the tree and select again.`);
  return selectionSource(targets.map((t) => t.item as Item), kind, mode);
}

function kindOfFile(uri: vscode.Uri): SourceKind {
  const name = uri.fsPath.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.json')) return 'json';
  throw new Error(`${basename(uri.fsPath)} is neither a .csv nor a .json file.`);
}

async function pickSourceKind(ctx: CommandContext): Promise<SourceKind> {
  const choices: Array<vscode.QuickPickItem & { source: SourceKind }> = [
    { label: '$(file) CSV file', detail: 'One item per line; the header names the columns: registrationId for enrollments or enrollmentGroupId for groups, then primaryKey, certificate, hub, status, tags, …', source: 'csv' },
    { label: '$(json) JSON file', detail: 'An array of enrollments or groups, or an export file', source: 'json' },
    { label: '$(folder) Folder of certificates', detail: 'One individual X.509 enrollment per device certificate; the id is its CN', source: 'certificates' },
  ];
  if (ctx.treeView.selection.some((n) => itemTargetOf(n) !== undefined)) {
    choices.push({ label: '$(list-selection) Selected in the tree', detail: `${ctx.treeView.selection.length} selected`, source: 'selection' });
  }
  const picked = await vscode.window.showQuickPick(choices, { placeHolder: 'Where do the enrollments come from?', ignoreFocusOut: true });
  if (picked === undefined) throw new UserCancelledError();
  return picked.source;
}

async function pickSourceUri(kind: Exclude<SourceKind, 'selection'>): Promise<vscode.Uri> {
  const folder = kind === 'certificates';
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: !folder,
    canSelectFolders: folder,
    canSelectMany: false,
    openLabel: folder ? 'Use Folder' : 'Use File',
    ...(folder ? {} : { filters: kind === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] } }),
  });
  const uri = picked?.[0];
  if (uri === undefined) throw new UserCancelledError();
  return uri;
}

async function readText(uri: vscode.Uri): Promise<string> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (error) {
    // Said as it is: a file typed into the dialog that is not there is not "empty".
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') throw new Error(`The file ${uri.fsPath} does not exist.`, { cause: error });
    throw error;
  }
  if (stat.size > MAX_SOURCE_BYTES) throw new Error(`${basename(uri.fsPath)} is ${Math.round(stat.size / 1048576)} MB; split it into files under 64 MB.`);
  return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
}

export async function readSource(kind: Exclude<SourceKind, 'selection'>, uri: vscode.Uri, mode: BulkMode): Promise<SourceResult[]> {
  const fileName = basename(uri.fsPath);
  switch (kind) {
    case 'csv': {
      const folder = dirname(uri.fsPath);
      // Certificate cells may name files; relative names are relative to the CSV. The header's id
      // column says whether the file holds enrollments or groups, so the job follows the file.
      const readCertificateFile = (path: string): Uint8Array => readFileSync(isAbsolute(path) ? path : resolve(folder, path));
      return [parseEnrollmentCsv(await readText(uri), { mode, fileName, readCertificateFile })];
    }
    case 'json':
      return parseJsonSources(await readText(uri), { mode, fileName });
    case 'certificates':
      return [await certificateFolderSource(uri.fsPath, mode)];
  }
}
