// Device keys at scale: for a symmetric-key enrollment group, the derived key of each registration
// id (pasted, from a file, or a range pattern) into a CSV for factory provisioning. The group key
// is read only for this, registered with the logger as a secret, and never written anywhere.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { defaultSaveUri } from '../ui/saveLocation';
import { parse } from 'csv-parse/sync';
import { deviceKeyCsv, expandIdPattern, parseRegistrationIdList, writeFileAtomic } from '../bulk';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import { showReport } from '../ui/reportDocuments';
import { resolveItemTargets } from './targets';
import { cell } from '../bulk/markdown';

export async function deriveDeviceKeysCsv(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [group] = await resolveItemTargets(ctx, args, 'group');
  if (group === undefined) throw new UserCancelledError();
  const ids = await pickRegistrationIds();
  if (ids.length === 0) throw new Error('No registration ids were given.');
  const client = await ctx.clients.clientFor(group.connection);
  const mechanism = await client.getEnrollmentGroupAttestation(group.id);
  const groupKey = mechanism.symmetricKey?.primaryKey;
  if (mechanism.type !== 'symmetricKey' || groupKey === undefined || groupKey === '') {
    throw new Error(`"${group.id}" uses ${mechanism.type} attestation: only symmetric-key groups have device keys to derive.`);
  }
  ctx.logger.addSecret(groupKey);
  const result = deviceKeyCsv(groupKey, ids);
  if (result.count === 0) {
    await showRejected(result.rejected);
    throw new Error(`None of the ${ids.length} registration ids is valid; the document lists the reasons.`);
  }
  const uri = await vscode.window.showSaveDialog({
    title: `Save ${result.count} device keys of "${group.id}"`,
    filters: { CSV: ['csv'] },
    saveLabel: 'Save Device Keys',
    defaultUri: defaultSaveUri(`${group.id}-device-keys.csv`),
  });
  if (uri === undefined) throw new UserCancelledError();
  // The file holds device credentials: readable by the user only, written whole or not at all.
  await writeFileAtomic(uri.fsPath, result.csv, { mode: 0o600 });
  ctx.logger.info(`Wrote ${result.count} derived device keys of group ${group.id} to ${uri.fsPath} (${result.rejected.length} ids rejected)`);
  if (result.rejected.length > 0) await showRejected(result.rejected);
  void vscode.window.showInformationMessage(
    `${result.count} device keys saved to ${basename(uri.fsPath)}${result.rejected.length > 0 ? `; ${result.rejected.length} ids were rejected (see the document)` : ''}. The file holds device credentials: keep it safe.`,
  );
}

async function pickRegistrationIds(): Promise<string[]> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(symbol-numeric) Range pattern', detail: 'e.g. dev-{0001..0500}', from: 'pattern' as const },
      { label: '$(edit) Type or paste ids', detail: 'Separated by commas; ranges allowed', from: 'paste' as const },
      { label: '$(file) From a file', detail: 'A text file with one id per line, or a CSV with a registrationId column', from: 'file' as const },
    ],
    { placeHolder: 'Which devices?', ignoreFocusOut: true },
  );
  if (picked === undefined) throw new UserCancelledError();
  if (picked.from === 'file') return idsFromFile();
  const text = await vscode.window.showInputBox({
    prompt: picked.from === 'pattern' ? 'Registration id pattern' : 'Registration ids, separated by commas',
    placeHolder: picked.from === 'pattern' ? 'dev-{0001..0500}' : 'dev-1, dev-2, line-{1..3}',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        for (const entry of value.split(',')) if (entry.trim() !== '') expandIdPattern(entry.trim());
        return undefined;
      } catch (error: unknown) {
        return error instanceof Error ? error.message : 'Not a valid pattern.';
      }
    },
  });
  if (text === undefined) throw new UserCancelledError();
  return parseRegistrationIdList(text).ids;
}

async function idsFromFile(): Promise<string[]> {
  const uri = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Ids': ['txt', 'csv'], 'All files': ['*'] }, openLabel: 'Use File' }))?.[0];
  if (uri === undefined) throw new UserCancelledError();
  const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  if (!uri.fsPath.toLowerCase().endsWith('.csv')) return parseRegistrationIdList(text).ids;
  const records = parse<Record<string, string>>(text, { bom: true, columns: true, skip_empty_lines: true });
  const column = Object.keys(records[0] ?? {}).find((name) => name.toLowerCase().replace(/[\s_-]+/g, '') === 'registrationid');
  if (column === undefined) throw new Error(`${basename(uri.fsPath)} has no "registrationId" column.`);
  return records.map((r) => (r[column] ?? '').trim()).filter((id) => id !== '');
}

async function showRejected(rejected: ReturnType<typeof deviceKeyCsv>['rejected']): Promise<void> {
  if (rejected.length === 0) return;
  const lines = ['# Registration ids without a device key', '', '| Id | Reason |', '|---|---|'];
  for (const r of rejected) lines.push(`| ${cell(r.registrationId)} | ${cell(r.problems.map((p) => p.message).join(' '))} |`);
  await showReport('Registration ids without a device key', lines.join('\n') + '\n');
}
