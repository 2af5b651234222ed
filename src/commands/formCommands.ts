// The enrollment form's commands: create and edit from the tree or the palette, and the Explorer's
// right-click on a certificate file. The form itself lives in src/enrollmentForm; this module only supplies
// what it needs from the extension (connection choice, clients, logging, tree refresh).
import type * as vscode from 'vscode';
import { openEnrollmentForm, openExistingInForm, type FormConnection, type FormHostDeps } from '../enrollmentForm/enrollmentFormPanel';
import { createGroupFromCertificateFile as openGroupFromFile, enrollCertificateFile as openEnrollmentFromFile, quickEnrollCertificateFile as quickEnroll } from '../commands/certificateCommands';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { CommandContext } from './commandContext';
import { pickConnection, resolveItemTargets } from './targets';
import { certificateNameOf, listLinkedHubs, readCaCertificates, referencableCaCertificate } from './azureCommands';

function formConnection(ctx: CommandContext, connection: ConnectionRecord): FormConnection {
  return {
    label: connection.label,
    getClient: () => ctx.clients.clientFor(connection),
    ...(connection.apiVersion ? { apiVersion: connection.apiVersion } : {}),
    // Read when the form asks: a connection added from Azure offers its linked hubs in the picker.
    ...(connection.azure ? { linkedHubs: () => listLinkedHubs(ctx, connection) } : {}),
    // Likewise its CA certificates feed the CA reference picker.
    ...(connection.azure ? { caCertificates: () => readCaCertificates(ctx, connection) } : {}),
  };
}

/** The form's dependencies; `arg` is the tree node a command was run on, if any, to preselect its connection. */
function formDeps(ctx: CommandContext, extensionUri: vscode.Uri, arg?: unknown): FormHostDeps {
  return {
    extensionUri,
    pickConnection: async () => formConnection(ctx, await pickConnection(ctx, arg)),
    log: ctx.logger,
    onSaved: () => ctx.tree.refresh(),
  };
}

export async function createEnrollment(ctx: CommandContext, arg?: unknown): Promise<void> {
  await openEnrollmentForm(formDeps(ctx, ctx.extensionUri, arg), { kind: 'enrollment', mode: 'create' });
}

export async function createEnrollmentGroup(ctx: CommandContext, arg?: unknown): Promise<void> {
  await openEnrollmentForm(formDeps(ctx, ctx.extensionUri, arg), { kind: 'group', mode: 'create' });
}

/** "Create Enrollment Group with This CA…" on a verified CA certificate row: the group form, CA reference filled in. */
export async function createGroupWithCaCertificate(ctx: CommandContext, arg?: unknown): Promise<void> {
  const { connection, certificate } = await referencableCaCertificate(ctx, arg, certificateNameOf(arg));
  await openEnrollmentForm(formDeps(ctx, ctx.extensionUri), { kind: 'group', mode: 'create', connection: formConnection(ctx, connection), caReference: certificate.name });
}

/** Opens each selected enrollment or group in the form, prefilled from the service (with its ETag). */
export async function editWithForm(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  for (const target of await resolveItemTargets(ctx, args)) {
    await openExistingInForm(formDeps(ctx, ctx.extensionUri), formConnection(ctx, target.connection), target.kind, target.id);
  }
}

// From the Explorer VS Code passes the clicked file's Uri; from the palette the user picks a file.
export const enrollCertificateFile = (ctx: CommandContext, arg?: unknown): Promise<void> => openEnrollmentFromFile(formDeps(ctx, ctx.extensionUri), arg);
export const createGroupFromCertificateFile = (ctx: CommandContext, arg?: unknown): Promise<void> => openGroupFromFile(formDeps(ctx, ctx.extensionUri), arg);
export const quickEnrollCertificateFile = (ctx: CommandContext, arg?: unknown): Promise<void> => quickEnroll(formDeps(ctx, ctx.extensionUri), arg);
