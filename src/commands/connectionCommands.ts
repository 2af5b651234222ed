// Add, rename, update and remove connections; start and stop the local emulator.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { ConnectionStringError, formatConnectionString, isLoopbackHost, parseConnectionString, type DpsConnectionString } from '../dps/connectionString';
import { isDpsError } from '../dps/errors';
import { DEFAULT_API_VERSION, type ApiVersion } from '../dps/apiVersion';
import { createClient } from '../connections/clientFactory';
import { connectionIdFor, type AzureLink, type ConnectionRecord } from '../connections/connectionStore';
import { distinctCopy, findSameIdentity } from '../connections/duplicates';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import { ConnectionNode } from '../tree/nodes';
import { TREE_VIEW_ID } from '../tree/treeProvider';
import type { CommandContext } from './commandContext';
import { pickConnection } from './targets';

/** The message shown under the input box while the pasted text is not a DPS connection string. */
export function validateConnectionStringInput(text: string): string | undefined {
  if (text.trim() === '') return 'Paste the connection string of a shared access policy (DPS → Shared access policies).';
  try {
    parseConnectionString(text);
    return undefined;
  } catch (error) {
    return error instanceof ConnectionStringError ? error.message : 'This is not a valid connection string.';
  }
}

/**
 * For a connection linked to an Azure instance: the pasted string must be of that instance's host, or the
 * link (CA certificates, linked hubs) would point at another instance.
 */
export function validateLinkedConnectionStringInput(text: string, linkedHost: string): string | undefined {
  const problem = validateConnectionStringInput(text);
  if (problem !== undefined) return problem;
  const host = parseConnectionString(text.trim()).hostName;
  if (host.toLowerCase() === linkedHost.toLowerCase()) return undefined;
  return `This connection is linked to the Azure instance at ${linkedHost}, but the string is for ${host}. Paste a string of ${linkedHost}, or use "Add Connection" for another instance.`;
}

async function askConnectionString(title: string, linkedHost?: string): Promise<{ text: string; parsed: DpsConnectionString }> {
  const validate = (v: string) => (linkedHost === undefined ? validateConnectionStringInput(v) : validateLinkedConnectionStringInput(v, linkedHost));
  const text = await vscode.window.showInputBox({
    title,
    prompt: `HostName=${linkedHost ?? '<name>.azure-devices-provisioning.net'};SharedAccessKeyName=<policy>;SharedAccessKey=<key>`,
    placeHolder: 'HostName=…;SharedAccessKeyName=…;SharedAccessKey=…',
    password: true, // the key is a secret: do not show it on screen
    ignoreFocusOut: true,
    validateInput: validate,
  });
  if (text === undefined) throw new UserCancelledError();
  const trimmed = text.trim();
  const parsed = parseConnectionString(trimmed);
  // The box refuses such a string already; this guards callers that bypass its validation.
  const problem = validate(trimmed);
  if (problem !== undefined) throw new Error(problem);
  return { text: trimmed, parsed };
}

/** One line per version saying what it changes; the current choice is listed first. */
export const API_VERSION_CHOICES: readonly { version: ApiVersion; detail: string }[] = [
  { version: '2021-10-01', detail: 'Deployed everywhere; what the Azure SDKs and the az CLI send.' },
  { version: '2026-11-01', detail: 'Adds Azure Device Registry certificate policies on enrollments (device certificates issued from a CSR).' },
];

export async function askApiVersion(title: string, current: ApiVersion = DEFAULT_API_VERSION): Promise<ApiVersion> {
  const items = [...API_VERSION_CHOICES]
    .sort((a, b) => Number(b.version === current) - Number(a.version === current))
    .map((c) => ({ label: c.version, description: c.version === current ? 'current' : undefined, detail: c.detail, version: c.version }));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Service API version for this connection', ignoreFocusOut: true });
  if (picked === undefined) throw new UserCancelledError();
  return picked.version;
}

/**
 * One cheap call (a one-item query) proves the host answers and the key is accepted, before anything is
 * saved. For a loopback host whose certificate is not trusted, the user may pick the emulator's CA file.
 */
async function testConnection(ctx: CommandContext, text: string, parsed: DpsConnectionString, apiVersion: ApiVersion, caPath?: string): Promise<string | undefined> {
  const timeoutMs = ctx.settings.value.requestTimeoutSeconds * 1000;
  const ca = caPath ? await readFile(caPath, 'utf8') : undefined;
  try {
    await withProgress(`Testing the connection to ${parsed.hostName}…`, (signal) =>
      createClient(text, ctx.logger, timeoutMs, ca, apiVersion).queryEnrollments({ pageSize: 1 }, { signal }),
    );
    return caPath;
  } catch (error) {
    if (isDpsError(error) && error.kind === 'tls' && isLoopbackHost(parsed.hostName) && !caPath) {
      const choice = await vscode.window.showWarningMessage(
        `The certificate of ${parsed.hostName} is not trusted. If this is a local DPS emulator, select its CA certificate file to trust it for this loopback host only.`,
        'Select CA File…',
      );
      if (choice !== 'Select CA File…') throw new UserCancelledError();
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Trust this CA', filters: { 'PEM certificate': ['pem', 'crt', 'cer'] } });
      const file = files?.[0];
      if (!file) throw new UserCancelledError();
      return testConnection(ctx, text, parsed, apiVersion, file.fsPath);
    }
    throw error;
  }
}

export async function addConnection(ctx: CommandContext): Promise<ConnectionRecord> {
  const { text, parsed } = await askConnectionString('Add DPS Connection');
  ctx.logger.addSecret(text);
  ctx.logger.addSecret(parsed.sharedAccessKey);
  const saved = ctx.store.list();
  const same = findSameIdentity(saved, parsed.hostName, parsed.sharedAccessKeyName);
  let copy: { id: string; label: string } | undefined;
  if (same) {
    const choice = await vscode.window.showWarningMessage(
      `A connection to ${parsed.hostName} with the policy "${parsed.sharedAccessKeyName}" already exists: "${same.label}".`,
      { modal: true, detail: 'Replace its key with the one you pasted, or keep both as separate connections.' },
      'Replace',
      'Keep Both',
    );
    if (choice === undefined) throw new UserCancelledError();
    if (choice === 'Keep Both') copy = distinctCopy(saved, parsed.hostName, parsed.sharedAccessKeyName, same.label);
  }
  const label = await vscode.window.showInputBox({
    title: 'Add DPS Connection',
    prompt: 'A name for this connection',
    value: copy?.label ?? same?.label ?? parsed.hostName.split('.')[0] ?? parsed.hostName,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'The name cannot be empty.'),
  });
  if (label === undefined) throw new UserCancelledError();
  const apiVersion = await askApiVersion('Add DPS Connection', same?.apiVersion);
  const caPath = await testConnection(ctx, text, parsed, apiVersion, same?.caCertificatePath);
  const record = await ctx.store.add({
    ...(copy ? { id: copy.id } : {}),
    connectionString: text,
    hostName: parsed.hostName,
    keyName: parsed.sharedAccessKeyName,
    label,
    apiVersion,
    ...(caPath ? { caCertificatePath: caPath } : {}),
  });
  ctx.clients.invalidate(record.id);
  ctx.logger.info(`Added connection "${record.label}" (${record.hostName}, policy ${record.keyName})`);
  await vscode.commands.executeCommand(`${TREE_VIEW_ID}.focus`);
  return record;
}

/**
 * Update Connection keeps what kind of connection it is: an Entra one has no key (only its api-version
 * can change), a SAS one added from Azure keeps its Azure link (its key read again through Azure, or a
 * pasted string of the same host), a plain SAS one takes a new connection string.
 */
export async function updateConnection(ctx: CommandContext, arg?: unknown): Promise<void> {
  const connection = await pickConnection(ctx, arg instanceof ConnectionNode ? arg : undefined);
  if (connection.authKind === 'entra') return await updateEntraConnection(ctx, connection);
  const title = `Update "${connection.label}"`;
  const { text, parsed } = connection.azure ? await newKeyOfAzureConnection(ctx, connection, connection.azure, title) : await askConnectionString(title);
  ctx.logger.addSecret(text);
  ctx.logger.addSecret(parsed.sharedAccessKey);
  const apiVersion = await askApiVersion(title, connection.apiVersion);
  const caPath = await testConnection(ctx, text, parsed, apiVersion, connection.caCertificatePath);
  // Same id when host and policy are unchanged; otherwise it becomes another connection.
  const sameIdentity = connectionIdFor(parsed.hostName, parsed.sharedAccessKeyName) === connection.id || connection.isEmulator;
  if (!sameIdentity) await ctx.store.remove(connection.id);
  const record = await ctx.store.add({
    ...(sameIdentity ? { id: connection.id } : {}),
    connectionString: text,
    hostName: parsed.hostName,
    keyName: parsed.sharedAccessKeyName,
    label: connection.label,
    apiVersion,
    ...(connection.isEmulator ? { isEmulator: true } : {}),
    ...(caPath ? { caCertificatePath: caPath } : {}),
    ...(connection.azure ? { azure: connection.azure } : {}),
  });
  ctx.clients.invalidate(connection.id);
  ctx.tree.refresh();
  ctx.logger.info(`Updated connection "${record.label}"`);
}

/** No key to replace: the sign-in stays, only the api-version is asked, and proved before it is saved. */
async function updateEntraConnection(ctx: CommandContext, connection: ConnectionRecord): Promise<void> {
  const apiVersion = await askApiVersion(`Update "${connection.label}"`, connection.apiVersion);
  const updated: ConnectionRecord = { ...connection, apiVersion };
  try {
    const client = await ctx.clients.clientFor(updated);
    await withProgress(`Testing the connection to ${connection.hostName}…`, (signal) => client.queryEnrollments({ pageSize: 1 }, { signal }));
  } finally {
    // The client built for the test must not outlive it (on failure the saved version stays in use).
    ctx.clients.invalidate(connection.id);
  }
  const record = await ctx.store.add(updated);
  ctx.tree.refresh();
  ctx.logger.info(`Updated connection "${record.label}" (Microsoft Entra ID, api-version ${apiVersion})`);
}

/** A connection added from Azure: its policy key read again through Azure (nothing to paste), or a string of the same host. */
async function newKeyOfAzureConnection(ctx: CommandContext, connection: ConnectionRecord, link: AzureLink, title: string): Promise<{ text: string; parsed: DpsConnectionString }> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(azure) Read the key again through Azure', detail: `The current key of the policy "${connection.keyName}", read with your Azure sign-in.`, fromAzure: true },
      { label: '$(key) Paste a connection string', detail: `Of ${connection.hostName}; the link to the Azure instance (CA certificates, linked hubs) stays.`, fromAzure: false },
    ],
    { title, placeHolder: 'Where the new key comes from', ignoreFocusOut: true },
  );
  if (choice === undefined) throw new UserCancelledError();
  if (!choice.fromAzure) return await askConnectionString(title, connection.hostName);
  const arm = await ctx.azure.armClient(link, true);
  try {
    const keys = await withProgress(`Reading the key of ${connection.keyName}…`, () => arm.listKeysForKeyName(link.resourceId, connection.keyName));
    ctx.logger.addSecret(keys.primaryKey);
    if (keys.secondaryKey) ctx.logger.addSecret(keys.secondaryKey);
    const text = formatConnectionString({ hostName: connection.hostName, sharedAccessKeyName: keys.keyName, sharedAccessKey: keys.primaryKey });
    return { text, parsed: parseConnectionString(text) };
  } finally {
    arm.dispose();
  }
}

export async function renameConnection(ctx: CommandContext, arg?: unknown): Promise<void> {
  const connection = await pickConnection(ctx, arg);
  const label = await vscode.window.showInputBox({
    title: 'Rename Connection',
    value: connection.label,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'The name cannot be empty.'),
  });
  if (label === undefined) throw new UserCancelledError();
  await ctx.store.rename(connection.id, label);
}

export async function removeConnection(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const nodes = [args[0], ...(Array.isArray(args[1]) ? (args[1] as unknown[]) : [])].filter((n): n is ConnectionNode => n instanceof ConnectionNode);
  const connections = nodes.length > 0 ? [...new Map(nodes.map((n) => [n.connection.id, n.connection])).values()] : [await pickConnection(ctx)];
  const names = connections.map((c) => `"${c.label}"`).join(', ');
  const choice = await vscode.window.showWarningMessage(
    `Remove ${connections.length === 1 ? 'the connection' : `${connections.length} connections`} ${names}?`,
    { modal: true, detail: 'Only the saved connection and its key are removed from VS Code; nothing changes on the service.' },
    'Remove',
  );
  if (choice !== 'Remove') throw new UserCancelledError();
  for (const c of connections) {
    await ctx.store.remove(c.id);
    ctx.clients.invalidate(c.id);
    ctx.logger.info(`Removed connection "${c.label}"`);
  }
}

export async function startEmulator(ctx: CommandContext): Promise<void> {
  const record = await withProgress('Starting the local DPS emulator…', () => ctx.emulator.start());
  ctx.clients.invalidate(record.id);
  ctx.tree.refresh();
  await vscode.commands.executeCommand(`${TREE_VIEW_ID}.focus`);
}

export async function stopEmulator(ctx: CommandContext): Promise<void> {
  await ctx.emulator.stop();
  ctx.tree.refresh();
}
