// The enrollment form (src/webview) is wired to these ids later. Until then they open the JSON
// editor: a blank document for "create", the item's document for "edit", and a document with the
// certificate filled in for the certificate-file commands.
import * as vscode from 'vscode';
import { checkRegistrationId } from '../attestation/registrationId';
import { isDpsError } from '../dps/errors';
import type { DocumentKind } from '../documents/documentUri';
import { UserCancelledError } from '../platform/errorMapping';
import type { CommandContext } from './commandContext';
import { openJson } from './itemCommands';
import { pickConnection } from './targets';

async function openDraft(ctx: CommandContext, kind: DocumentKind, arg: unknown, suggestedId = '', certificatePem?: string): Promise<void> {
  const connection = await pickConnection(ctx, arg);
  const what = kind === 'enrollments' ? 'registration id' : 'enrollment group id';
  const id = await vscode.window.showInputBox({
    title: kind === 'enrollments' ? 'Create Individual Enrollment' : 'Create Enrollment Group',
    prompt: `The ${what}`,
    value: suggestedId,
    ignoreFocusOut: true,
    validateInput: (v) => checkRegistrationId(v).find((p) => p.severity === 'error')?.message,
  });
  if (id === undefined) throw new UserCancelledError();
  const client = await ctx.clients.clientFor(connection);
  try {
    await (kind === 'enrollments' ? client.getEnrollment(id) : client.getEnrollmentGroup(id));
    throw new Error(`"${id}" already exists on ${connection.label}; open it from the tree to edit it.`);
  } catch (error) {
    if (!(isDpsError(error) && error.status === 404)) throw error;
  }
  const uri = ctx.documents.openDraft({ connectionId: connection.id, kind, id }, certificatePem);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc);
  void vscode.window.showInformationMessage(`Edit the new ${kind === 'enrollments' ? 'enrollment' : 'group'} and save (Ctrl+S) to create it.`);
}

async function readCertificate(arg: unknown): Promise<{ pem: string; name: string }> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (!uri) {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Certificates: ['pem', 'crt', 'cer'] } });
    uri = files?.[0];
  }
  if (!uri) throw new UserCancelledError();
  const pem = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('The file holds no PEM certificate (-----BEGIN CERTIFICATE-----).');
  const name = uri.path.split('/').pop()?.replace(/\.(pem|crt|cer)$/i, '') ?? '';
  return { pem, name };
}

export const createEnrollment = (ctx: CommandContext, arg?: unknown) => openDraft(ctx, 'enrollments', arg);
export const createEnrollmentGroup = (ctx: CommandContext, arg?: unknown) => openDraft(ctx, 'enrollmentGroups', arg);
export const editWithForm = (ctx: CommandContext, ...args: unknown[]) => openJson(ctx, ...args);

export async function enrollCertificateFile(ctx: CommandContext, arg?: unknown): Promise<void> {
  const cert = await readCertificate(arg);
  await openDraft(ctx, 'enrollments', undefined, cert.name, cert.pem);
}

export async function createGroupFromCertificateFile(ctx: CommandContext, arg?: unknown): Promise<void> {
  const cert = await readCertificate(arg);
  await openDraft(ctx, 'enrollmentGroups', undefined, cert.name, cert.pem);
}
