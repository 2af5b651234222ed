// "Provision Test Device…" driven through the vscode stub against an emulator: the device
// connection string goes to the clipboard and nowhere else (log, messages, result document), the
// tree shows the new registration without a manual refresh, a refusal says what to fix, and a
// hand-added loopback connection gets its ID scope prefilled.
import '../../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recorder, resetRecorder, vscodeStub } from '../../support/vscodeStub';
import { LogRecorder } from '../../support/vscodeFakes';
import { startTestEmulator, type TestEmulator } from '../../support/emulator';
import { symmetricEnrollment, symmetricGroup, x509Enrollment } from '../../support/deviceEnrollments';
import { generateDeviceCertificate, generateRootCertificate, type GeneratedCertificate } from '../../../src/attestation';
import { provisionTestDevice, TPM_SETTING } from '../../../src/commands/provisionCommands';
import { UserCancelledError } from '../../../src/common/errorPresentation';
import { SoftwareTpm } from '../../support/softwareTpm';
import { registerReportDocuments } from '../../../src/ui/reportDocuments';
import type { CommandContext } from '../../../src/commands/commandContext';
import type { ConnectionRecord } from '../../../src/connections/connectionStore';
import { createLogger } from '../../../src/common/logger';
import { describeError } from '../../../src/common/errorPresentation';
import { deriveDeviceKey } from '../../../src/attestation/symmetricKey';
import { DpsClient } from '../../../src/dps/client';
import { ConnectionNode, EnrollmentNode, GroupNode } from '../../../src/tree/nodes';

const HUB = 'lab-hub.azure-devices.net';
const COPY = 'Copy Device Connection String';

let env: TestEmulator;
let client: DpsClient;

let reports: { dispose(): void };
/** The workspace the file dialogs pick from. */
let workspaceDir: string;
let ca: GeneratedCertificate;

// The picked files are read through workspace.fs, which the shared stub leaves out.
(vscodeStub.workspace as Record<string, unknown>).fs = { readFile: async (uri: { fsPath: string }) => new Uint8Array(await fs.readFile(uri.fsPath)) };
const picked = (path: string) => [{ scheme: 'file', fsPath: path, path }];

before(async () => {
  reports = registerReportDocuments();
  workspaceDir = mkdtempSync(join(tmpdir(), 'provision-workspace-'));
  ca = await generateRootCertificate({ commonName: 'Provision Test CA', key: 'ecdsa-p256' });
  env = await startTestEmulator({ device: { retryAfterSeconds: 0, assignDelayMs: 0 } });
  client = DpsClient.fromConnectionString(env.emu.connectionString, { ca: env.emu.caCertificatePem });
});
after(async () => {
  rmSync(workspaceDir, { recursive: true, force: true });
  reports.dispose();
  client.dispose();
  await env.dispose();
});

function setup(connection: Partial<ConnectionRecord> = {}, deviceTpmTcti = '') {
  const record: ConnectionRecord = { id: 'emu', label: 'test emulator', hostName: env.emu.hostName, keyName: 'provisioningserviceowner', isEmulator: true, caCertificatePath: env.emu.caCertificatePath, ...connection };
  const log = new LogRecorder();
  const root = new ConnectionNode(record, { clientFor: () => Promise.resolve(client), pageSize: () => 100, filter: () => ({}), describeError });
  const refreshed: unknown[] = [];
  const repainted: unknown[] = [];
  const scopes = new Map<string, string>();
  const clientRequests: unknown[] = [];
  const ctx = {
    store: { list: () => [record], connectionString: () => Promise.resolve(env.emu.connectionString) },
    clients: { clientFor: (c: unknown) => (clientRequests.push(c), Promise.resolve(client)) },
    idScopes: {
      get: (id: string) => scopes.get(id),
      set: (id: string, scope: string) => Promise.resolve(void scopes.set(id, scope)),
      forget: (id: string) => Promise.resolve(void scopes.delete(id)),
    },
    settings: { value: { deviceTpmTcti } },
    tree: { refresh: (n: unknown) => refreshed.push(n), repaint: (n: unknown) => repainted.push(n) },
    logger: createLogger(log),
  } as unknown as CommandContext;
  return { root, ctx, log, refreshed, repainted, scopes, clientRequests };
}

/** Everything the user or a log reader can see, besides the clipboard. */
function visibleText(log: LogRecorder): string {
  return [log.lines.join('\n'), JSON.stringify(recorder.messages), JSON.stringify(recorder.documents), recorder.statusMessages.join('\n')].join('\n');
}

void describe('Provision Test Device command', () => {
  beforeEach(() => resetRecorder());

  void test('group: the registration shows under the group before the notification; "Copy" puts the connection string on the clipboard only', async () => {
    const groupKey = symmetricGroup(env.emu, 'cmd-fleet', { iotHubs: [HUB] });
    const { root, ctx, log, refreshed } = setup();
    const group = ((await root.groups.getChildren()) as GroupNode[]).find((g) => g.itemId === 'cmd-fleet');
    assert.ok(group);
    let refreshedBeforeNotification = false;
    recorder.answers.push('cmd-device-1', '', () => {
      refreshedBeforeNotification = refreshed.includes(group);
      return COPY;
    });
    await provisionTestDevice(ctx, group);

    const deviceKey = deriveDeviceKey(groupKey, 'cmd-device-1');
    assert.deepEqual(recorder.clipboard, [`HostName=${HUB};DeviceId=cmd-device-1;SharedAccessKey=${deviceKey}`]);
    assert.ok(refreshedBeforeNotification, 'the group was refreshed while the notification was open');
    assert.match(recorder.messages.at(-1)?.text ?? '', new RegExp(`"cmd-device-1" is assigned to ${HUB}`));
    assert.deepEqual(recorder.messages.at(-1)?.items, [COPY], 'no "Refresh" button: the tree is already refreshed');
    assert.match(recorder.documents[0]?.content ?? '', new RegExp(`Assigned hub \\| ${HUB}`));
    // Read-only (never "save changes?" on close), under a title naming the device.
    assert.match(recorder.documents[0]?.uri ?? '', /^dps-enrollments-report:\/Provisioned .+\.md$/);
    const seen = visibleText(log);
    assert.ok(seen.includes('cmd-device-1'), 'the log and messages were captured');
    for (const secret of [deviceKey, groupKey, 'SharedAccessKey=']) assert.ok(!seen.includes(secret), `"${secret.slice(0, 16)}…" is not in the log, messages or documents`);
    // After a refresh the group lists the registration with its hub.
    group.pages.reset();
    const [registration] = await group.getChildren();
    assert.match(registration?.describe().description ?? '', new RegExp(`cmd-device-1 @ ${HUB}`));
  });

  void test('dismissing the notification copies nothing', async () => {
    symmetricGroup(env.emu, 'cmd-fleet-2', { iotHubs: [HUB] });
    const { root, ctx } = setup();
    const group = ((await root.groups.getChildren()) as GroupNode[]).find((g) => g.itemId === 'cmd-fleet-2');
    recorder.answers.push('cmd-device-2', '', undefined);
    await provisionTestDevice(ctx, group);
    assert.deepEqual(recorder.clipboard, []);
  });

  void test('individual enrollment: the enrollment is read again and shows its registration', async () => {
    symmetricEnrollment(env.emu, 'cmd-single', { iotHubs: [HUB] });
    const { root, ctx, repainted } = setup();
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-single');
    assert.ok(node);
    assert.equal(node.describe().collapsible, 'none', 'not registered yet');
    recorder.answers.push('', undefined);
    await provisionTestDevice(ctx, node);
    assert.ok(repainted.includes(root.enrollments));
    const after = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-single');
    assert.equal(after?.enrollment.registrationState?.assignedHub, HUB);
    assert.notEqual(after?.describe().collapsible, 'none', 'the registration is its child now');
  });

  void test('a disabled enrollment: the error document and warning say what to fix; nothing is copied', async () => {
    symmetricEnrollment(env.emu, 'cmd-disabled', { provisioningStatus: 'disabled' });
    const { root, ctx, log } = setup();
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-disabled');
    recorder.answers.push('');
    await provisionTestDevice(ctx, node);
    const warning = recorder.messages.find((m) => m.level === 'warn');
    assert.match(warning?.text ?? '', /Enable the enrollment \(and its group\), then provision again\./);
    assert.match(recorder.documents[0]?.content ?? '', /was not provisioned[\s\S]*What to do: Enable the enrollment/);
    assert.deepEqual(recorder.clipboard, []);
    assert.match(log.lines.join('\n'), /Test provisioning of cmd-disabled failed: disabled/);
  });

  /** A device certificate of `registrationId` enrolled individually; its files are in the workspace. */
  async function enrolledDevice(registrationId: string): Promise<GeneratedCertificate> {
    const device = await generateDeviceCertificate({ commonName: registrationId, key: 'ecdsa-p256', issuer: { certificate: ca.certificatePem, privateKey: ca.privateKeyPem } });
    x509Enrollment(env.emu, registrationId, device.certificatePem, { iotHubs: [HUB] });
    return device;
  }
  const useOwnCertificate = (items: Array<{ label: string }>) => items.find((i) => i.label === 'Use a device certificate and key');

  void test('X.509 individual: "Use a device certificate and key" with a PEM pair from the workspace provisions it; the key shows nowhere', async () => {
    const device = await enrolledDevice('cmd-x509');
    const certificatePath = join(workspaceDir, 'cmd-x509.pem');
    const keyPath = join(workspaceDir, 'cmd-x509.key');
    await fs.writeFile(certificatePath, device.certificatePem);
    await fs.writeFile(keyPath, device.privateKeyPem);
    const { root, ctx, log } = setup();
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-x509');
    assert.ok(node);
    recorder.answers.push(useOwnCertificate, picked(certificatePath), picked(keyPath), '', undefined);
    await provisionTestDevice(ctx, node);

    assert.equal(recorder.answers.length, 0, 'no passphrase asked for a plain key, nothing else asked');
    const done = recorder.messages.at(-1);
    assert.match(done?.text ?? '', new RegExp(`"cmd-x509" is assigned to ${HUB} as cmd-x509`));
    assert.deepEqual(done?.items, [], 'no connection string to copy: an X.509 device has no key to put in one');
    assert.equal(env.emu.store.getRegistration('cmd-x509')?.state.status, 'assigned');
    const keyBody = device.privateKeyPem.split('\n')[1] ?? '';
    assert.ok(keyBody.length > 20 && !visibleText(log).includes(keyBody), 'the private key is not in the log, messages or documents');
    assert.deepEqual(recorder.clipboard, []);
  });

  void test('X.509 individual: a DER certificate and an encrypted key (its passphrase asked) provision it; the wrong key for the certificate is refused with what to fix', async () => {
    const device = await enrolledDevice('cmd-x509-der');
    const certificatePath = join(workspaceDir, 'cmd-x509-der.der');
    const keyPath = join(workspaceDir, 'cmd-x509-der.key');
    await fs.writeFile(certificatePath, new X509Certificate(device.certificatePem).raw);
    await fs.writeFile(keyPath, createPrivateKey(device.privateKeyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'device pass' }));
    const { root, ctx, log } = setup();
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-x509-der');
    let passphraseAsked = false;
    recorder.answers.push(useOwnCertificate, picked(certificatePath), picked(keyPath), (box: { password?: boolean }) => ((passphraseAsked = box.password === true), 'device pass'), '', undefined);
    await provisionTestDevice(ctx, node);
    assert.ok(passphraseAsked, 'the passphrase was asked in a password box');
    assert.match(recorder.messages.at(-1)?.text ?? '', /"cmd-x509-der" is assigned/);
    assert.ok(!visibleText(log).includes('device pass'), 'the passphrase shows nowhere');

    // The certificate picked twice: the second pick is named for what it should have been.
    resetRecorder();
    recorder.answers.push(useOwnCertificate, picked(certificatePath), picked(certificatePath));
    await assert.rejects(provisionTestDevice(ctx, node), /No private key found where the device's private key was expected\. It holds a certificate\. Choose the key file that belongs to the device certificate\./);

    // Another device's key with this certificate: refused before anything is sent, saying why.
    resetRecorder();
    const stranger = await generateDeviceCertificate({ commonName: 'stranger', key: 'ecdsa-p256', issuer: { certificate: ca.certificatePem, privateKey: ca.privateKeyPem } });
    const strangerKeyPath = join(workspaceDir, 'stranger.key');
    await fs.writeFile(strangerKeyPath, stranger.privateKeyPem);
    recorder.answers.push(useOwnCertificate, picked(certificatePath), picked(strangerKeyPath), '');
    await provisionTestDevice(ctx, node);
    const warning = recorder.messages.find((m) => m.level === 'warn');
    assert.match(warning?.text ?? '', /private key does not belong to the device certificate/);
  });

  void test('a loopback connection added by hand: the ID scope is asked once, prefilled with the emulator\'s', async () => {
    symmetricEnrollment(env.emu, 'cmd-scope', { iotHubs: [HUB] });
    const { root, ctx, scopes } = setup({ id: 'by-hand', isEmulator: false });
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-scope');
    let prefilled: unknown;
    recorder.answers.push((box: { value?: string }) => (prefilled = box.value), '', undefined);
    await provisionTestDevice(ctx, node);
    assert.equal(prefilled, env.emu.idScope);
    assert.equal(scopes.get('by-hand'), env.emu.idScope, 'remembered for the connection');
    assert.match(recorder.messages.at(-1)?.text ?? '', /"cmd-scope" is assigned/);
  });

  void test('a refused ID scope is forgotten, so running the command again asks for another one', async () => {
    symmetricEnrollment(env.emu, 'cmd-wrong-scope', { iotHubs: [HUB] });
    const { root, ctx, scopes } = setup({ id: 'wrong-scope', isEmulator: false });
    scopes.set('wrong-scope', '0ne00000000');
    const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === 'cmd-wrong-scope');
    recorder.answers.push('');
    await provisionTestDevice(ctx, node);
    assert.match(recorder.messages.find((m) => m.level === 'warn')?.text ?? '', /run the command again to enter another one/);
    assert.equal(scopes.get('wrong-scope'), undefined);
    let asked = false;
    recorder.answers.push(() => ((asked = true), env.emu.idScope), '', undefined);
    await provisionTestDevice(ctx, node);
    assert.ok(asked, 'the ID scope was asked again');
    assert.match(recorder.messages.at(-1)?.text ?? '', /"cmd-wrong-scope" is assigned/);
  });

  void describe('TPM enrollments need a TPM set up', () => {
    const OPEN = 'Open Setting';
    function tpmEnrollment(registrationId: string): void {
      env.emu.store.enrollments.put({ registrationId, attestation: { type: 'tpm', tpm: { endorsementKey: new SoftwareTpm('rsa').ekPublic.toString('base64') } } });
    }
    async function nodeOf(root: ConnectionNode, id: string): Promise<EnrollmentNode> {
      const node = ((await root.enrollments.getChildren()) as EnrollmentNode[]).find((e) => e.itemId === id);
      assert.ok(node, id);
      return node;
    }

    void test('none set: said at once, with the setting to open; no ID scope asked, nothing read or sent', async () => {
      tpmEnrollment('cmd-tpm');
      // A hand-added connection: the ID scope would be the first question.
      const { root, ctx, scopes, clientRequests } = setup({ id: 'tpm-by-hand', isEmulator: false });
      const node = await nodeOf(root, 'cmd-tpm');
      recorder.answers.push(OPEN);
      await provisionTestDevice(ctx, node);
      assert.equal(recorder.answers.length, 0, 'one answer consumed: the warning\'s');
      assert.equal(recorder.messages.length, 1);
      const [warning] = recorder.messages;
      assert.equal(warning?.level, 'warn');
      assert.match(warning?.text ?? '', /"cmd-tpm" uses TPM attestation: a test device needs a TPM to sign with\. Set dpsEnrollments\.device\.tpmTcti \(for a software TPM: swtpm:host=127\.0\.0\.1,port=2321\) and install tpm2-tools\./);
      assert.deepEqual(warning?.items, [OPEN]);
      await new Promise(setImmediate); // the command did not wait for the notification; its button acts after
      assert.deepEqual(recorder.executedCommands, [{ id: 'workbench.action.openSettings', args: [TPM_SETTING] }]);
      assert.equal(scopes.size, 0, 'no ID scope asked');
      assert.deepEqual(clientRequests, [], 'not even the attestation was read');
      assert.equal(env.emu.store.getRegistration('cmd-tpm'), undefined);
    });

    void test('an item whose type the tree does not know: the attestation read finds TPM, and the same message comes before any question', async () => {
      tpmEnrollment('cmd-tpm-unlisted');
      const { root, ctx, scopes } = setup({ id: 'tpm-unlisted', isEmulator: false });
      const listed = await nodeOf(root, 'cmd-tpm-unlisted');
      const bare = new EnrollmentNode(listed.parent, { registrationId: 'cmd-tpm-unlisted' } as EnrollmentNode['enrollment']);
      recorder.answers.push(undefined);
      await provisionTestDevice(ctx, bare);
      assert.match(recorder.messages[0]?.text ?? '', /"cmd-tpm-unlisted" uses TPM attestation/);
      assert.deepEqual(recorder.executedCommands, [], 'dismissed: no settings opened');
      assert.equal(scopes.size, 0);
    });

    void test('a value that is no TCTI: the message names it and says what a TCTI looks like', async () => {
      tpmEnrollment('cmd-tpm-typo');
      const { root, ctx } = setup();
      const node = await nodeOf(root, 'cmd-tpm-typo');
      const workspace = vscodeStub.workspace as { getConfiguration: (section?: string) => { get: (key: string) => unknown } };
      const original = workspace.getConfiguration;
      workspace.getConfiguration = (section?: string) => ({ ...original(section), get: (key: string) => (section === undefined && key === TPM_SETTING ? ' swtpm;port=2321 ' : original(section).get(key)) });
      try {
        recorder.answers.push(undefined);
        await provisionTestDevice(ctx, node);
      } finally {
        workspace.getConfiguration = original;
      }
      assert.match(recorder.messages[0]?.text ?? '', /dpsEnrollments\.device\.tpmTcti \("swtpm;port=2321"\) is not a tpm2-tools TCTI\. Use swtpm:host=127\.0\.0\.1,port=2321 for a software TPM, or device:\/dev\/tpmrm0\./);
    });

    void test('with a TPM set up the command goes on to its questions', async () => {
      tpmEnrollment('cmd-tpm-ready');
      const { root, ctx } = setup({ id: 'tpm-ready', isEmulator: false }, 'swtpm:host=127.0.0.1,port=2321');
      const node = await nodeOf(root, 'cmd-tpm-ready');
      let scopeAsked = false;
      recorder.answers.push(() => void (scopeAsked = true));
      await assert.rejects(provisionTestDevice(ctx, node), UserCancelledError);
      assert.ok(scopeAsked, 'the ID scope was asked');
      assert.deepEqual(recorder.messages, []);
    });

    void test('the tree menu: TPM items offer "Provision Test Device…" only with a TPM set up, else the item that says one is missing', () => {
      const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
        contributes: { commands: Array<{ command: string; title: string }>; menus: Record<string, Array<{ command: string; when?: string }>> };
      };
      const offered = (viewItem: string, tpmConfigured: boolean): string[] => (manifest.contributes.menus['view/item/context'] ?? [])
        .filter((e) => e.command.startsWith('dpsEnrollments.provisionTestDevice') && whenHolds(e.when ?? '', { view: 'dpsEnrollments.connections', viewItem, 'dpsEnrollments.tpmConfigured': tpmConfigured }))
        .map((e) => manifest.contributes.commands.find((c) => c.command === e.command)?.title ?? e.command);
      const tpmItem = 'enrollment;individual;tpm;enabled';
      assert.deepEqual(offered(tpmItem, false), ['Provision Test Device (Set Up a TPM First)…']);
      assert.deepEqual(offered(tpmItem, true), ['Provision Test Device…']);
      for (const item of ['enrollment;individual;symmetricKey;enabled;hasKeys', 'group;x509;enabled', 'enrollment;individual;x509;disabled']) {
        for (const tpm of [false, true]) assert.deepEqual(offered(item, tpm), ['Provision Test Device…'], `${item}, TPM ${tpm}`);
      }
      assert.deepEqual(offered('enrollment;individual;none;enabled', false), [], 'no attestation: nothing a device could register with');
    });
  });
});

/** Evaluates the `&&`-joined when clauses this menu uses: `key == value`, `key =~ /re/`, `key`, `!key`. */
function whenHolds(when: string, context: Record<string, string | boolean>): boolean {
  return when.split('&&').map((t) => t.trim()).every((term) => {
    const regex = /^(\S+) =~ \/(.+)\/$/.exec(term);
    if (regex) return new RegExp(regex[2] ?? '').test(String(context[regex[1] ?? ''] ?? ''));
    const equals = /^(\S+) == (\S+)$/.exec(term);
    if (equals) return context[equals[1] ?? ''] === equals[2];
    if (term.startsWith('!')) return context[term.slice(1)] !== true;
    if (/^[\w.]+$/.test(term)) return context[term] === true;
    throw new Error(`when clause term not understood: ${term}`);
  });
}
