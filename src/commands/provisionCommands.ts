// "Provision Test Device…": registers a device against an enrollment or group through the device
// API (src/device) to prove the enrollment works, and shows what DPS assigned. Keys, tokens and
// private keys stay in memory: the device connection string goes to the clipboard only.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { checkRegistrationId } from '../attestation/registrationId';
import { deriveDeviceKey } from '../attestation/symmetricKey';
import { generateDeviceCertificate } from '../attestation/generate';
import { loadPrivateKey } from '../attestation/privateKey';
import { AttestationError } from '../attestation/problems';
import { UserCancelledError } from '../common/errorPresentation';
import type { ConnectionRecord } from '../connections/connectionStore';
import { isLoopbackHost, parseConnectionString } from '../dps/connectionString';
import { getItemAttestation } from '../dps/items';
import type { AttestationMechanism } from '../dps/models';
import { GLOBAL_DEVICE_ENDPOINT, provisionDevice, type DeviceCredential } from '../device/client';
import { DeviceProvisioningError } from '../device/errors';
import { errorMarkdown, howToFix, resultMarkdown } from '../device/report';
import { deviceConnectionString } from '../device/sas';
import { Tpm2ToolsTpm } from '../device/tpm2Tools';
import { idScopeForKey, isValidIdScope } from '../emulator/device/idScope';
import { withProgress } from '../ui/progress';
import type { CommandContext } from './commandContext';
import { showRegistrationInTree } from './registrationInTree';
import { resolveItemTargets, type ItemTarget } from './targets';
import { planCertificateRequest, saveIssued } from './issuedCertificateUi';
import { showReport } from '../ui/reportDocuments';

export const TPM_SETTING = 'dpsEnrollments.device.tpmTcti';
const OPEN_SETTING = 'Open Setting';

/**
 * A TPM enrollment with no TPM to sign with: said at once, with the setting to open, before
 * anything is asked or sent. True when the command should stop.
 */
function stopWithoutTpm(ctx: CommandContext, target: ItemTarget, attestationType: string | undefined): boolean {
  if (attestationType !== 'tpm' || ctx.settings.value.deviceTpmTcti !== '') return false;
  // The settings service drops a value that is no TCTI; the user needs to hear which one it was.
  const raw = vscode.workspace.getConfiguration().get<unknown>(TPM_SETTING);
  const typed = typeof raw === 'string' ? raw.trim() : '';
  const text = typed === ''
    ? `"${target.id}" uses TPM attestation: a test device needs a TPM to sign with. Set ${TPM_SETTING} (for a software TPM: swtpm:host=127.0.0.1,port=2321) and install tpm2-tools.`
    : `"${target.id}" uses TPM attestation, and ${TPM_SETTING} ("${typed.slice(0, 60)}") is not a tpm2-tools TCTI. Use swtpm:host=127.0.0.1,port=2321 for a software TPM, or device:/dev/tpmrm0.`;
  // Not awaited: the command ends now, as every command does, while the notification stays up.
  void vscode.window.showWarningMessage(text, OPEN_SETTING).then((picked) =>
    picked === OPEN_SETTING ? vscode.commands.executeCommand('workbench.action.openSettings', TPM_SETTING) : undefined);
  return true;
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new UserCancelledError();
  return value;
}

async function idScopeFor(ctx: CommandContext, connection: ConnectionRecord): Promise<string> {
  if (connection.isEmulator === true) return idScopeForKey(parseConnectionString(await ctx.store.connectionString(connection.id)).sharedAccessKey);
  const known = ctx.idScopes.get(connection.id);
  if (known !== undefined) return known;
  // An emulator this extension did not start (e.g. `dps-emulator` in a terminal) derives its scope
  // from its key unless started with --id-scope: offered, not assumed.
  const loopback = isLoopbackHost(connection.hostName);
  const scope = (await ask({
    title: `ID Scope of ${connection.label}`,
    prompt: loopback
      ? 'The ID scope the emulator printed when it started (prefilled: the one it derives from its key). Asked once per connection.'
      : 'The ID scope devices use (Azure portal: the DPS instance Overview page). Asked once per connection.',
    ...(loopback ? { value: idScopeForKey(parseConnectionString(await ctx.store.connectionString(connection.id)).sharedAccessKey) } : {}),
    placeHolder: '0ne00012345',
    validateInput: (v) => (/^0ne[0-9A-Fa-f]{8}$/.test(v.trim()) || isValidIdScope(v.trim()) ? undefined : 'An ID scope looks like 0ne followed by 8 hexadecimal digits.'),
  })).trim();
  await ctx.idScopes.set(connection.id, scope);
  return scope;
}

async function pickFile(title: string): Promise<Uint8Array> {
  const picked = await vscode.window.showOpenDialog({
    title, canSelectMany: false, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Certificates and keys': ['pem', 'crt', 'cer', 'der', 'key'], 'All files': ['*'] },
  });
  if (picked?.[0] === undefined) throw new UserCancelledError();
  return vscode.workspace.fs.readFile(picked[0]);
}

/** Loads a key, asking for the passphrase when it is encrypted; returns the passphrase used. */
async function keyPassphrase(key: Uint8Array, of: 'CA' | 'device'): Promise<string | undefined> {
  try {
    loadPrivateKey(key, undefined, of);
    return undefined;
  } catch (error) {
    if (!(error instanceof AttestationError) || error.problem.code !== 'passphraseRequired') throw error;
  }
  const passphrase = await ask({ title: `Passphrase of the ${of} key`, password: true });
  loadPrivateKey(key, passphrase, of); // a wrong passphrase fails here, with its own message
  return passphrase;
}

async function x509Credential(registrationId: string): Promise<DeviceCredential> {
  const choice = await vscode.window.showQuickPick([
    { label: 'Use a device certificate and key', description: 'PEM or DER files in the workspace', make: false },
    { label: 'Make a device certificate', description: `CN=${registrationId}, signed by a CA certificate and key you pick`, make: true },
  ], { title: 'X.509 test device' });
  if (choice === undefined) throw new UserCancelledError();
  if (!choice.make) {
    const certificate = await pickFile('Device certificate (leaf first; intermediates may follow)');
    const privateKey = await pickFile('Private key of the device certificate');
    return { kind: 'x509', certificate: Buffer.from(certificate).toString('utf8').includes('-----BEGIN') ? Buffer.from(certificate).toString('utf8') : certificate, privateKey, passphrase: await keyPassphrase(privateKey, 'device') };
  }
  const caCertificate = Buffer.from(await pickFile('CA certificate that signs the device certificate')).toString('utf8');
  const caKey = await pickFile('Private key of that CA certificate');
  const passphrase = await keyPassphrase(caKey, 'CA');
  const device = await generateDeviceCertificate({ commonName: registrationId, issuer: { certificate: caCertificate, privateKey: caKey, passphrase } });
  // The device sends its chain up to the CA DPS knows: the CA itself may follow the leaf.
  const chain = caCertificate.includes('-----BEGIN') ? `${device.certificatePem}${caCertificate}` : device.certificatePem;
  return { kind: 'x509', certificate: chain, privateKey: device.privateKeyPem };
}

async function credentialFor(ctx: CommandContext, target: ItemTarget, mechanism: AttestationMechanism, registrationId: string): Promise<{ credential: DeviceCredential; deviceKey?: string }> {
  switch (mechanism.type) {
    case 'symmetricKey': {
      const key = mechanism.symmetricKey?.primaryKey;
      if (key === undefined || key === '') throw new Error(`"${target.id}" has no primary key to sign with.`);
      ctx.logger.addSecret(key);
      const deviceKey = target.kind === 'group' ? deriveDeviceKey(key, registrationId) : key;
      ctx.logger.addSecret(deviceKey);
      return { credential: { kind: 'symmetricKey', key: deviceKey }, deviceKey };
    }
    case 'x509':
      return { credential: await x509Credential(registrationId) };
    case 'tpm': {
      const tcti = ctx.settings.value.deviceTpmTcti;
      // Checked before anything was asked; this catches a setting cleared while a prompt was open
      // (tpm2-tools would otherwise fall back to a default TPM).
      if (tcti === '') throw new Error(`${TPM_SETTING} was cleared: set it again (for a software TPM: swtpm:host=127.0.0.1,port=2321), then provision again.`);
      return { credential: { kind: 'tpm', tpm: new Tpm2ToolsTpm({ tcti }) } };
    }
    default:
      throw new Error(`"${target.id}" uses ${mechanism.type} attestation: a device cannot register with it.`);
  }
}

export async function provisionTestDevice(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [target] = await resolveItemTargets(ctx, args);
  if (target === undefined) throw new UserCancelledError();
  // The tree's item knows its attestation type already; the read below is the check for any other.
  if (stopWithoutTpm(ctx, target, target.item?.attestation?.type)) return;
  const client = await ctx.clients.clientFor(target.connection);
  const mechanism = await withProgress(`Reading the attestation of ${target.id}…`, (signal) => getItemAttestation(client, target.kind, target.id, { signal }));
  if (stopWithoutTpm(ctx, target, mechanism.type)) return;
  const registrationId = target.kind === 'enrollment' ? target.id : (await ask({
    title: `Provision a Test Device in "${target.id}"`,
    prompt: 'Registration id of the test device',
    validateInput: (v) => checkRegistrationId(v).find((p) => p.severity === 'error')?.message,
  })).trim();
  const idScope = await idScopeFor(ctx, target.connection);
  const { credential, deviceKey } = await credentialFor(ctx, target, mechanism, registrationId);
  // 2026-11-01: asked (with where to save) before anything is sent, so a cancel loses no certificate.
  const certificatePlan = await planCertificateRequest(client, target, registrationId);
  const payloadText = await ask({ title: 'Payload (optional)', prompt: 'JSON sent with the registration (a custom allocation webhook sees it); leave empty for none', validateInput: (v) => {
    if (v.trim() === '') return undefined;
    try {
      JSON.parse(v);
      return undefined;
    } catch {
      return 'Not valid JSON.';
    }
  } });
  const emulator = target.connection.isEmulator === true || isLoopbackHost(target.connection.hostName);
  const host = emulator ? target.connection.hostName : GLOBAL_DEVICE_ENDPOINT;
  const ca = emulator && target.connection.caCertificatePath !== undefined ? await readFile(target.connection.caCertificatePath, 'utf8') : undefined;
  // Before the notification, which waits for the user: the registration shows while it is open.
  const refreshTree = () => showRegistrationInTree(ctx, client, target).catch((e: unknown) => ctx.logger.warn(`Could not show the registration of ${registrationId} in the tree: ${String(e)}`));
  try {
    const result = await withProgress(`Provisioning ${registrationId}…`, (signal, report) => provisionDevice({
      host, ca, idScope, registrationId, credential, signal,
      payload: payloadText.trim() === '' ? undefined : JSON.parse(payloadText) as unknown,
      onStatus: (status) => report({ message: status }),
      ...(certificatePlan ? { requestCertificate: true } : {}),
    }));
    ctx.logger.info(`Provisioned test device ${registrationId}: ${result.assignedHub} (${result.substatus ?? ''})`);
    await refreshTree();
    const issued = certificatePlan && result.issuedCertificate ? await saveIssued(ctx, certificatePlan, result.issuedCertificate) : undefined;
    await showReport(`Provisioned ${registrationId}`, resultMarkdown(result, { host, idScope }) + (issued?.markdown ?? ''), { preview: true });
    const actions = [...(deviceKey !== undefined ? ['Copy Device Connection String'] : []), ...(issued ? ['Open Certificate'] : [])];
    const picked = await vscode.window.showInformationMessage(`"${registrationId}" is assigned to ${result.assignedHub} as ${result.deviceId}.`, ...actions);
    if (picked === 'Copy Device Connection String' && deviceKey !== undefined) {
      await vscode.env.clipboard.writeText(deviceConnectionString(result.assignedHub, result.deviceId, deviceKey));
      void vscode.window.setStatusBarMessage(`Device connection string of "${result.deviceId}" copied`, 3000);
    } else if (picked === 'Open Certificate' && issued) {
      await vscode.window.showTextDocument(issued.certificate);
    }
  } catch (error) {
    if (!(error instanceof DeviceProvisioningError) || error.kind === 'cancelled') throw error;
    ctx.logger.warn(`Test provisioning of ${registrationId} failed: ${error.kind} ${error.status ?? ''} ${error.errorCode ?? ''} trackingId=${error.trackingId ?? ''}`);
    await refreshTree(); // a refused attempt can leave a failed registration to look at
    // The fix offered for a refused ID scope is to run the command again and enter another one.
    if (error.kind === 'unauthorized' && /ID scope/i.test(error.message)) await ctx.idScopes.forget(target.connection.id);
    await showReport(`Provisioning ${registrationId} failed`, errorMarkdown(error, registrationId), { preview: true });
    void vscode.window.showWarningMessage(`${error.message} ${howToFix(error)}`);
  }
}
