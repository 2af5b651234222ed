// "Update Connection" keeps what kind of connection it is: an Entra one is asked only its api-version and
// keeps its sign-in and Azure link; a SAS one added from Azure keeps the link, its key read again through
// ARM or pasted for the same host; a plain SAS one takes a new connection string. Against the emulator's
// service API, its ARM and its Entra test account.
import '../../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { updateConnection } from '../../../src/commands/connectionCommands';
import { ClientFactory } from '../../../src/connections/clientFactory';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { ConnectionStore, secretKeyFor, type AzureLink, type ConnectionRecord } from '../../../src/connections/connectionStore';
import { createLogger } from '../../../src/common/logger';
import { ArmClient, emulatorTokenProvider } from '../../../src/azure';
import { parseConnectionString } from '../../../src/dps/connectionString';
import { isDpsError } from '../../../src/dps/errors';
import type { RunningEmulator } from '../../../src/emulator/server';
import { startTestEmulator, type TestEmulator } from '../../support/emulator';
import type { CommandContext } from '../../../src/commands/commandContext';

const DPS_SCOPE = 'https://azure-devices-provisioning.net/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';
/** A key the service does not know: what a connection holds after its key was rotated. */
const STALE_KEY = Buffer.from('a key that was rotated away').toString('base64');

/** Answers the API-version QuickPick with the item of that version. */
const pickVersion = (version: string) => (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label === version);
/** Answers a QuickPick with the item whose label contains `text`. */
const pickLabel = (text: string) => (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label.includes(text));

void describe('Update Connection keeps the kind of connection', () => {
  let emu: RunningEmulator;
  let running: TestEmulator;
  let secrets: MemorySecrets;
  let store: ConnectionStore;
  let ctx: CommandContext;
  let link: AzureLink;
  let emulatorKey: string;
  /** The scope the Entra token is asked for; a wrong one makes the service refuse it (401). */
  let dpsScope: string;
  const armCalls: string[] = [];

  before(async () => {
    running = await startTestEmulator({ port: 0, seed: 'none' });
    emu = running.emu;
    link = { cloud: 'emulator', subscriptionId: emu.armResourceId.split('/')[2] ?? '', resourceId: emu.armResourceId };
    emulatorKey = parseConnectionString(emu.connectionString).sharedAccessKey;
  });
  after(async () => {
    await running?.dispose();
  });
  beforeEach(() => {
    resetRecorder();
    armCalls.length = 0;
    dpsScope = DPS_SCOPE;
    secrets = new MemorySecrets();
    store = new ConnectionStore(secrets, new MemoryState());
    const logger = createLogger(new LogRecorder());
    const account = { hostName: emu.hostName, ca: emu.caCertificatePem };
    const clients = new ClientFactory(store, logger, () => 5000, () => (options) => emulatorTokenProvider(account, dpsScope)(options));
    const azure = {
      armClient: (l: AzureLink) => {
        armCalls.push(`armClient ${l.resourceId}`);
        const arm = new ArmClient({ endpoint: emu.url, ca: emu.caCertificatePem, tokenProvider: emulatorTokenProvider(account, ARM_SCOPE), onRequest: (e) => armCalls.push(e.operation) });
        const dispose = arm.dispose.bind(arm);
        arm.dispose = () => {
          armCalls.push('dispose');
          dispose();
        };
        return Promise.resolve(arm);
      },
    };
    ctx = { store, clients, logger, azure, tree: { refresh: () => undefined }, settings: { value: { requestTimeoutSeconds: 5 } } } as unknown as CommandContext;
  });

  const hostPolicy = () => parseConnectionString(emu.connectionString);
  async function saveEntra(): Promise<ConnectionRecord> {
    return await store.add({ id: `${emu.hostName}/entra`, label: 'dps-entra', hostName: emu.hostName, keyName: 'Microsoft Entra ID', authKind: 'entra', azure: link, caCertificatePath: emu.caCertificatePath });
  }
  async function saveSas(options: { azure?: AzureLink; key?: string }): Promise<ConnectionRecord> {
    const { hostName, sharedAccessKeyName } = hostPolicy();
    const connectionString = `HostName=${hostName};SharedAccessKeyName=${sharedAccessKeyName};SharedAccessKey=${options.key ?? STALE_KEY}`;
    return await store.add({ label: 'dps-sas', hostName, keyName: sharedAccessKeyName, connectionString, caCertificatePath: emu.caCertificatePath, ...(options.azure ? { azure: options.azure } : {}) });
  }

  void test('Entra: only the api-version is asked; the sign-in, the Azure link and the empty secret store stay', async () => {
    const before = await saveEntra();
    // The only answer is the version: a connection-string box would find none and cancel.
    recorder.answers.push(pickVersion('2026-11-01'));
    await updateConnection(ctx);
    assert.equal(recorder.answers.length, 0);
    const after = store.get(before.id);
    assert.deepEqual(after, { ...before, apiVersion: '2026-11-01' });
    assert.equal(secrets.values.size, 0, 'no key is stored for an Entra connection');
    assert.equal((await ctx.clients.clientFor(after)).apiVersion, '2026-11-01');
  });

  void test('Entra: a version the service refuses is not saved, and the error names the sign-in, not a key', async () => {
    const before = await saveEntra();
    dpsScope = ARM_SCOPE; // a token the service does not accept: 401
    recorder.answers.push(pickVersion('2026-11-01'));
    await assert.rejects(updateConnection(ctx), (e: unknown) => isDpsError(e) && e.status === 401 && e.authKind === 'entra' && /sign in again/.test(e.message));
    assert.deepEqual(store.get(before.id), before, 'the saved connection is unchanged');
  });

  void test('SAS from Azure: the key is read again through ARM, the link stays', async () => {
    const before = await saveSas({ azure: link });
    recorder.answers.push(pickLabel('Read the key again through Azure'), pickVersion('2021-10-01'));
    await updateConnection(ctx);
    const after = store.get(before.id);
    assert.deepEqual(after?.azure, link, 'CA Certificates and the hub picker still have their instance');
    assert.equal(await secrets.get(secretKeyFor(before.id)), `HostName=${emu.hostName};SharedAccessKeyName=${before.keyName};SharedAccessKey=${emulatorKey}`);
    assert.deepEqual(armCalls, [`armClient ${link.resourceId}`, 'IotDpsResource_ListKeysForKeyName', 'dispose']);
    await (await ctx.clients.clientFor(after)).queryEnrollments({ pageSize: 1 });
  });

  void test('SAS from Azure: a pasted string must be of the linked host; one of that host keeps the link', async () => {
    const before = await saveSas({ azure: link });
    const otherHost = `HostName=other-dps.azure-devices-provisioning.net;SharedAccessKeyName=owner;SharedAccessKey=${emulatorKey}`;
    recorder.answers.push(pickLabel('Paste a connection string'), otherHost);
    await assert.rejects(updateConnection(ctx), /linked to the Azure instance at localhost:\d+, but the string is for other-dps\.azure-devices-provisioning\.net/);
    assert.deepEqual(store.get(before.id), before);
    assert.equal(await secrets.get(secretKeyFor(before.id)), `HostName=${emu.hostName};SharedAccessKeyName=${before.keyName};SharedAccessKey=${STALE_KEY}`);

    recorder.answers.push(pickLabel('Paste a connection string'), emu.connectionString, pickVersion('2021-10-01'));
    await updateConnection(ctx);
    assert.deepEqual(store.get(before.id)?.azure, link);
    assert.equal(await secrets.get(secretKeyFor(before.id)), emu.connectionString);
    assert.equal(armCalls.length, 0, 'a pasted key needs no ARM call');
  });

  void test('plain SAS: a new connection string, as before, and no Azure link appears', async () => {
    const before = await saveSas({});
    recorder.answers.push(emu.connectionString, pickVersion('2026-11-01'));
    await updateConnection(ctx);
    const after = store.get(before.id);
    assert.equal(after?.azure, undefined);
    assert.equal(after?.apiVersion, '2026-11-01');
    assert.equal(await secrets.get(secretKeyFor(before.id)), emu.connectionString);
  });
});
