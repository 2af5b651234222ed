// Azure: add a connection from a subscription's DPS instances (Entra ID or a policy key read through
// ARM), and the CA certificates of a linked instance (list, upload, delete, verify in one step).
// Nothing of a token is stored; a key read through ARM goes only to SecretStorage.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import type { ArmClient } from '../azure/armClient';
import type { CaCertificate, LinkedHub, ProvisioningServiceInfo } from '../azure/armModels';
import { verifyCaCertificate } from '../azure/caVerification';
import { linkedHubsOf } from '../azure/linkedHubs';
import { AttestationError, certificateFacts, readCertificates } from '../attestation';
import { connectionIdFor, type AzureLink, type ConnectionRecord, type SavedConnection } from '../connections/connectionStore';
import { UserCancelledError } from '../common/errorPresentation';
import type { ApiVersion } from '../dps/apiVersion';
import { askApiVersion } from './connectionCommands';
import { withProgress } from '../ui/progress';
import { EMULATOR_CLOUD } from '../ui/azureSignIn';
import type { CommandContext } from './commandContext';
import { pickConnection } from './targets';
import { CaCertificateNode } from '../tree/nodes';
import { caReferenceRefusal } from '../enrollmentForm/caCertificateChoices';

async function pick<T extends vscode.QuickPickItem>(items: T[], placeHolder: string): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true });
  if (!chosen) throw new UserCancelledError();
  return chosen;
}

/** "Add Connection from Azure…": sign in, pick a subscription and an instance, then how to connect. */
export async function addConnectionFromAzure(ctx: CommandContext): Promise<unknown> {
  const cloud = ctx.azure.configuredCloud();
  const sources = [{ label: `$(azure) Microsoft account (${cloud.name})`, cloud: cloud.name as string }];
  if (ctx.emulator.isRunning) sources.push({ label: '$(beaker) Local emulator (test account)', cloud: EMULATOR_CLOUD });
  const source = sources.length === 1 ? sources[0] : await pick(sources, 'Sign in with');
  let link: Pick<AzureLink, 'cloud' | 'tenantId'> = { cloud: source.cloud };
  let arm = await ctx.azure.armClient(link, true);
  // One finally for whichever client is current: a cancelled pick or a failed call closes it too.
  try {
    const tenants = await withProgress('Reading your Azure directories…', () => arm.listTenants());
    if (tenants.length > 1) {
      const tenant = await pick(tenants.map((t) => ({ label: t.displayName ?? t.tenantId, description: t.tenantId, tenantId: t.tenantId })), 'Choose a directory (tenant)');
      arm.dispose();
      link = { ...link, tenantId: tenant.tenantId };
      arm = await ctx.azure.armClient(link, true);
    } else if (tenants[0]) {
      link = { ...link, tenantId: tenants[0].tenantId };
    }
    const subscriptions = await withProgress('Listing subscriptions…', () => arm.listSubscriptions());
    if (subscriptions.length === 0) throw new Error('This account sees no Azure subscription in this directory.');
    const subscription = await pick(subscriptions.map((s) => ({ label: s.displayName, description: s.subscriptionId, s })), 'Choose a subscription');
    const instances = await withProgress('Listing Device Provisioning Service instances…', () => arm.listProvisioningServices(subscription.s.subscriptionId));
    if (instances.length === 0) throw new Error(`The subscription "${subscription.s.displayName}" has no Device Provisioning Service instance.`);
    const instance = await pick(
      instances.map((i) => ({ label: i.name, description: `${i.resourceGroup} · ${i.location}${i.idScope ? ` · ID scope ${i.idScope}` : ''}`, i })),
      'Choose a provisioning service',
    );
    const azureLink: AzureLink = { ...link, subscriptionId: subscription.s.subscriptionId, resourceId: instance.i.id };
    const how = await pick(
      [
        { label: 'Microsoft Entra ID', detail: 'No secret stored; needs a "Device Provisioning Service Data Reader/Contributor" role.', auth: 'entra' as const },
        { label: 'Shared access policy', detail: "The policy's key is read through Azure and kept in VS Code's secret storage.", auth: 'sas' as const },
      ],
      'Connect with',
    );
    // As the manual add does; a connection already saved for this host offers its version first.
    const saved = ctx.store.list().find((c) => c.hostName.toLowerCase() === hostOf(instance.i).toLowerCase());
    const apiVersion = await askApiVersion('Add Connection from Azure', saved?.apiVersion);
    const { record, replaced } = how.auth === 'entra' ? await saveEntraConnection(ctx, instance.i, azureLink, apiVersion) : await saveSasConnection(ctx, arm, instance.i, azureLink, apiVersion);
    await proveConnection(ctx, record, replaced);
    ctx.tree.refresh();
    void vscode.window.showInformationMessage(`Connected to ${instance.i.name} with ${how.label}.`);
    return record;
  } finally {
    arm.dispose();
  }
}

function hostOf(instance: ProvisioningServiceInfo): string {
  if (!instance.serviceHostName) throw new Error(`Azure reports no service host name for ${instance.name} (is it still being created?).`);
  return instance.serviceHostName;
}

function emulatorCa(ctx: CommandContext, link: AzureLink): string | undefined {
  return link.cloud === EMULATOR_CLOUD ? ctx.store.get('local-emulator')?.caCertificatePath : undefined;
}

/** What was saved, and the connection with the same id it replaced (put back if the new one fails its test). */
interface SavedFromAzure {
  record: ConnectionRecord;
  replaced?: SavedConnection;
}

async function saveEntraConnection(ctx: CommandContext, instance: ProvisioningServiceInfo, link: AzureLink, apiVersion: ApiVersion): Promise<SavedFromAzure> {
  // Ask for the data-plane consent now, while the user is here, so later requests can stay silent.
  await ctx.azure.tokenProvider(link, 'dps', true)();
  const hostName = hostOf(instance);
  const caCertificatePath = emulatorCa(ctx, link);
  const id = `${hostName.toLowerCase()}/entra`;
  const replaced = await ctx.store.snapshot(id);
  const record = await ctx.store.add({ id, label: instance.name, hostName, keyName: 'Microsoft Entra ID', authKind: 'entra', azure: link, apiVersion, ...(caCertificatePath ? { caCertificatePath } : {}) });
  return { record, ...(replaced ? { replaced } : {}) };
}

async function saveSasConnection(ctx: CommandContext, arm: ArmClient, instance: ProvisioningServiceInfo, link: AzureLink, apiVersion: ApiVersion): Promise<SavedFromAzure> {
  const keyName = await vscode.window.showInputBox({ title: 'Shared access policy', value: 'provisioningserviceowner', prompt: 'The policy whose key to use (needs EnrollmentRead/EnrollmentWrite rights).', ignoreFocusOut: true, validateInput: (v) => (v.trim() === '' ? 'Enter a policy name.' : undefined) });
  if (keyName === undefined) throw new UserCancelledError();
  const keys = await withProgress(`Reading the key of ${keyName.trim()}…`, () => arm.listKeysForKeyName(instance.id, keyName.trim()));
  ctx.logger.addSecret(keys.primaryKey);
  if (keys.secondaryKey) ctx.logger.addSecret(keys.secondaryKey);
  const hostName = hostOf(instance);
  const connectionString = `HostName=${hostName};SharedAccessKeyName=${keys.keyName};SharedAccessKey=${keys.primaryKey}`;
  ctx.logger.addSecret(connectionString);
  const caCertificatePath = emulatorCa(ctx, link);
  const replaced = await ctx.store.snapshot(connectionIdFor(hostName, keys.keyName));
  const record = await ctx.store.add({ label: instance.name, hostName, keyName: keys.keyName, connectionString, azure: link, apiVersion, ...(caCertificatePath ? { caCertificatePath } : {}) });
  return { record, ...(replaced ? { replaced } : {}) };
}

/**
 * One cheap call proves the host answers and the credential is accepted. A failed proof takes the new
 * record away and puts back the connection it replaced, so a working connection is never lost to it.
 */
async function proveConnection(ctx: CommandContext, record: ConnectionRecord, replaced: SavedConnection | undefined): Promise<void> {
  try {
    const client = await ctx.clients.clientFor(record);
    await withProgress(`Testing the connection to ${record.hostName}…`, (signal) => client.queryEnrollments({ pageSize: 1 }, { signal }));
  } catch (error) {
    ctx.clients.invalidate(record.id);
    if (replaced) await ctx.store.restore(replaced);
    else await ctx.store.remove(record.id);
    throw error;
  }
}

// ---- linked hubs (for the enrollment form's hub picker)

/** Hubs linked to the instance behind a connection; [] for a connection without Azure ids. */
export async function listLinkedHubs(ctx: Pick<CommandContext, 'azure'>, connection: ConnectionRecord): Promise<LinkedHub[]> {
  if (!connection.azure) return [];
  const arm = await ctx.azure.armClient(connection.azure);
  try {
    return await linkedHubsOf(arm, connection.azure.resourceId);
  } finally {
    arm.dispose();
  }
}

// ---- CA certificates

/** The CA certificates of a connection added from Azure, for the tree's "CA Certificates" folder. */
export async function readCaCertificates(ctx: Pick<CommandContext, 'azure'>, connection: ConnectionRecord): Promise<CaCertificate[]> {
  if (!connection.azure) return [];
  const arm = await ctx.azure.armClient(connection.azure);
  try {
    return await arm.listCertificates(connection.azure.resourceId);
  } finally {
    arm.dispose();
  }
}

/** The certificate a tree row stands for; from the palette there is none and the command asks. */
export function certificateNameOf(arg: unknown): string | undefined {
  return arg instanceof CaCertificateNode ? arg.certificate.name : undefined;
}

/** After any change (or a failed attempt that moved the etag), the folder shows the service's state again. */
function refreshCaFolder(ctx: CommandContext, connection: ConnectionRecord): void {
  const folder = ctx.tree.rootFor(connection.id)?.caCertificates;
  if (folder) ctx.tree.refresh(folder);
}

async function armConnection(ctx: CommandContext, arg: unknown): Promise<{ connection: ConnectionRecord & { azure: AzureLink }; arm: ArmClient }> {
  const connection = await pickConnection(ctx, arg);
  if (!connection.azure) throw new Error(`"${connection.label}" was not added from Azure, so its CA certificates cannot be reached. Use "Add Connection from Azure…".`);
  const linked = connection as ConnectionRecord & { azure: AzureLink };
  return { connection: linked, arm: await ctx.azure.armClient(linked.azure, true) };
}

function describeCertificate(c: CaCertificate): string {
  const expiry = c.expiry ? `expires ${c.expiry.slice(0, 10)}${Date.parse(c.expiry) < Date.now() ? ' (expired)' : ''}` : 'no expiry';
  return `${c.isVerified ? '$(pass) verified' : '$(circle-large-outline) not verified'} · ${expiry}`;
}

async function pickCertificate(arm: ArmClient, resourceId: string, filter: (c: CaCertificate) => boolean = () => true): Promise<CaCertificate> {
  const all = (await withProgress('Reading CA certificates…', () => arm.listCertificates(resourceId))).filter(filter);
  if (all.length === 0) throw new Error('There is no matching CA certificate on this instance.');
  return (await pick(all.map((c) => ({ label: c.name, description: describeCertificate(c), detail: `${c.subject ?? ''} · thumbprint ${c.thumbprint ?? '?'}`, c })), 'Choose a CA certificate')).c;
}

export async function listCaCertificates(ctx: CommandContext, arg?: unknown): Promise<unknown> {
  const { connection, arm } = await armConnection(ctx, arg);
  try {
    const certificates = await withProgress('Reading CA certificates…', () => arm.listCertificates(connection.azure.resourceId));
    const actions = [
      { label: '$(cloud-upload) Upload CA certificate…', run: () => uploadCaCertificate(ctx, arg) },
      ...certificates.map((c) => ({ label: c.name, description: describeCertificate(c), detail: `${c.subject ?? ''} · thumbprint ${c.thumbprint ?? '?'}`, run: () => certificateActions(ctx, arg, c) })),
    ];
    const chosen = await pick(actions, `${certificates.length} CA certificate(s) on ${connection.label}`);
    return await chosen.run();
  } finally {
    arm.dispose();
  }
}

async function certificateActions(ctx: CommandContext, arg: unknown, c: CaCertificate): Promise<unknown> {
  const actions = [
    ...(c.isVerified ? [] : [{ label: '$(verified) Verify (proof of possession)', run: () => verifyCaCertificateCommand(ctx, arg, c.name) }]),
    { label: '$(trash) Delete', run: () => deleteCaCertificate(ctx, arg, c.name) },
  ];
  return await (await pick(actions, c.name)).run();
}

/**
 * The connection and the current state of a CA certificate a group may reference: read fresh through
 * ARM (a tree row may be stale), or picked among the verified ones from the palette. An unverified or
 * expired one is refused with what to do first.
 */
export async function referencableCaCertificate(ctx: CommandContext, arg: unknown, name: string | undefined): Promise<{ connection: ConnectionRecord; certificate: CaCertificate }> {
  const { connection, arm } = await armConnection(ctx, arg);
  try {
    const certificate = name
      ? await withProgress(`Reading ${name}…`, () => arm.getCertificate(connection.azure.resourceId, name))
      : await pickCertificate(arm, connection.azure.resourceId, (c) => caReferenceRefusal(c) === undefined);
    const refusal = caReferenceRefusal(certificate);
    if (refusal) throw new Error(refusal);
    return { connection, certificate };
  } finally {
    arm.dispose();
  }
}

export async function uploadCaCertificate(ctx: CommandContext, arg?: unknown): Promise<unknown> {
  const { connection, arm } = await armConnection(ctx, arg);
  try {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Upload this CA', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, filters: { Certificates: ['pem', 'crt', 'cer', 'der'] } });
    const file = files?.[0];
    if (!file) throw new UserCancelledError();
    const content = await readFile(file.fsPath);
    const read = readCertificates(content);
    const first = read.certificates[0];
    if (!first) throw new Error(`${file.fsPath} holds no certificate: ${read.problems.find((p) => p.severity === 'error')?.message ?? 'nothing readable'}`);
    const facts = certificateFacts(first.x509);
    if (!facts.isCA) throw new Error(`"${facts.commonName ?? facts.subject}" is not a CA certificate; upload the root or intermediate that signs your devices.`);
    if (facts.validity === 'expired') throw new Error(`"${facts.commonName ?? facts.subject}" expired on ${facts.notAfter}.`);
    const suggested = (facts.commonName ?? 'ca').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128);
    const name = await vscode.window.showInputBox({ title: 'Certificate name in DPS', value: suggested, ignoreFocusOut: true, validateInput: (v) => (/^[A-Za-z0-9_.-]{1,128}$/.test(v) ? undefined : 'Letters, digits, dots, dashes and underscores (1-128).') });
    if (name === undefined) throw new UserCancelledError();
    const saved = await withProgress(`Uploading ${name}…`, () => arm.createOrUpdateCertificate(connection.azure.resourceId, name, first.x509.toString()));
    ctx.logger.info(`Uploaded CA certificate ${saved.name} (thumbprint ${saved.thumbprint ?? '?'}) to ${connection.label}`);
    const next = await vscode.window.showInformationMessage(`Uploaded "${saved.name}". Verify it now (proof of possession)?`, 'Verify');
    if (next === 'Verify') return await verifyCaCertificateCommand(ctx, arg, saved.name, file);
    return saved;
  } finally {
    arm.dispose();
    refreshCaFolder(ctx, connection);
  }
}

export async function deleteCaCertificate(ctx: CommandContext, arg?: unknown, name?: string): Promise<unknown> {
  const { connection, arm } = await armConnection(ctx, arg);
  try {
    const c = name ? await arm.getCertificate(connection.azure.resourceId, name) : await pickCertificate(arm, connection.azure.resourceId);
    const sure = await vscode.window.showWarningMessage(`Delete the CA certificate "${c.name}" from ${connection.label}? Groups that reference it stop accepting its devices.`, { modal: true }, 'Delete');
    if (sure !== 'Delete') throw new UserCancelledError();
    await withProgress(`Deleting ${c.name}…`, () => arm.deleteCertificate(connection.azure.resourceId, c.name, c.etag ?? '*'));
    ctx.logger.info(`Deleted CA certificate ${c.name} from ${connection.label}`);
    return undefined;
  } finally {
    arm.dispose();
    refreshCaFolder(ctx, connection);
  }
}

/** Code, verification certificate signed with the CA's key from the workspace, verify: one step. */
export async function verifyCaCertificateCommand(ctx: CommandContext, arg?: unknown, name?: string, caFile?: vscode.Uri): Promise<unknown> {
  const { connection, arm } = await armConnection(ctx, arg);
  try {
    const c = name ? await arm.getCertificate(connection.azure.resourceId, name) : await pickCertificate(arm, connection.azure.resourceId, (x) => !x.isVerified);
    const defaultUri = vscode.workspace.workspaceFolders?.[0]?.uri;
    const certFile = caFile ?? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: `CA certificate of ${c.name}`, defaultUri, filters: { Certificates: ['pem', 'crt', 'cer', 'der'] } }))?.[0];
    if (!certFile) throw new UserCancelledError();
    const keyFile = (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: "The CA's private key", defaultUri, filters: { Keys: ['pem', 'key', 'der'] } }))?.[0];
    if (!keyFile) throw new UserCancelledError();
    const input = { caCertificate: await readFile(certFile.fsPath), caPrivateKey: await readFile(keyFile.fsPath) };
    let passphrase: string | undefined;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const outcome = await withProgress(`Verifying ${c.name}…`, () => verifyCaCertificate(arm, connection.azure.resourceId, c.name, { ...input, passphrase }));
        void vscode.window.showInformationMessage(outcome.changed ? `"${c.name}" is verified: groups may now reference it.` : `"${c.name}" was already verified.`);
        return outcome.certificate;
      } catch (error) {
        const code = error instanceof AttestationError ? error.problem.code : undefined;
        if ((code === 'passphraseRequired' || code === 'wrongPassphrase') && attempt < 3) {
          // Asked each time, held only for this call.
          passphrase = await vscode.window.showInputBox({ title: `Passphrase of ${keyFile.fsPath.split(/[\\/]/).pop() ?? 'the key'}`, prompt: code === 'wrongPassphrase' ? 'That passphrase did not decrypt the key. Try again.' : 'The private key is encrypted.', password: true, ignoreFocusOut: true });
          if (passphrase === undefined) throw new UserCancelledError();
          continue;
        }
        throw error;
      }
    }
  } finally {
    arm.dispose();
    refreshCaFolder(ctx, connection);
  }
}
