// "Add Connection from Azure…" asks the service api-version as the manual add does, for Entra and for a
// key read through ARM, and the client it saves sends that version. Against the emulator's ARM, its
// Entra test account and its service API.
import '../../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { addConnectionFromAzure } from '../../../src/commands/azureCommands';
import { ClientFactory } from '../../../src/connections/clientFactory';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { ConnectionStore, EMULATOR_CONNECTION_ID, type ConnectionRecord } from '../../../src/connections/connectionStore';
import { createLogger } from '../../../src/common/logger';
import { ArmClient, emulatorTokenProvider } from '../../../src/azure';
import { parseConnectionString } from '../../../src/dps/connectionString';
import type { RunningEmulator } from '../../../src/emulator/server';
import { startTestEmulator, type TestEmulator } from '../../support/emulator';
import type { CommandContext } from '../../../src/commands/commandContext';

const DPS_SCOPE = 'https://azure-devices-provisioning.net/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

/** Answers a QuickPick with the item whose label contains `text`. */
const pickLabel = (text: string) => (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label.includes(text));
const pickFirst = (items: unknown) => (items as unknown[])[0];

void describe('Add Connection from Azure asks the api-version', () => {
  let emu: RunningEmulator;
  let running: TestEmulator;
  let store: ConnectionStore;
  let ctx: CommandContext;
  /** What the version QuickPick offered, first item first. */
  let offered: string[];
  const pickVersion = (version: string) => (items: unknown) => {
    const list = items as Array<{ label: string }>;
    offered = list.map((i) => i.label);
    return list.find((i) => i.label === version);
  };

  before(async () => {
    running = await startTestEmulator({ port: 0, seed: 'none' });
    emu = running.emu;
  });
  after(async () => {
    await running?.dispose();
  });
  beforeEach(async () => {
    resetRecorder();
    offered = [];
    store = new ConnectionStore(new MemorySecrets(), new MemoryState());
    // The emulator's own connection: the test account is offered while it runs, and its CA is trusted.
    const { hostName, sharedAccessKeyName } = parseConnectionString(emu.connectionString);
    await store.add({ id: EMULATOR_CONNECTION_ID, label: 'Local emulator', hostName, keyName: sharedAccessKeyName, connectionString: emu.connectionString, isEmulator: true, caCertificatePath: emu.caCertificatePath });
    const logger = createLogger(new LogRecorder());
    const account = { hostName: emu.hostName, ca: emu.caCertificatePem };
    const clients = new ClientFactory(store, logger, () => 5000, () => emulatorTokenProvider(account, DPS_SCOPE));
    const azure = {
      configuredCloud: () => ({ name: 'AzureCloud' }),
      armClient: () => Promise.resolve(new ArmClient({ endpoint: emu.url, ca: emu.caCertificatePem, tokenProvider: emulatorTokenProvider(account, ARM_SCOPE) })),
      tokenProvider: () => emulatorTokenProvider(account, DPS_SCOPE),
    };
    ctx = { store, clients, logger, azure, emulator: { isRunning: true }, tree: { refresh: () => undefined }, settings: { value: { requestTimeoutSeconds: 5 } } } as unknown as CommandContext;
  });

  /** Sign in with the test account, take its subscription and instance, then connect `how`. */
  const discover = (how: string) => recorder.answers.push(pickLabel('Local emulator'), pickFirst, pickFirst, pickLabel(how));

  void test('Entra: the chosen version is saved and sent', async () => {
    discover('Microsoft Entra ID');
    recorder.answers.push(pickVersion('2026-11-01'));
    const record = (await addConnectionFromAzure(ctx)) as ConnectionRecord;
    assert.deepEqual(offered, ['2021-10-01', '2026-11-01'], 'the default first, as in the manual add');
    assert.equal(record.authKind, 'entra');
    assert.equal(store.get(record.id)?.apiVersion, '2026-11-01');
    assert.equal((await ctx.clients.clientFor(record)).apiVersion, '2026-11-01');
  });

  void test('SAS read through ARM: the chosen version is saved; a saved connection of the same host offers its version first', async () => {
    await store.add({ ...(store.get(EMULATOR_CONNECTION_ID) as ConnectionRecord), connectionString: emu.connectionString, apiVersion: '2026-11-01' });
    discover('Shared access policy');
    recorder.answers.push(pickVersion('2021-10-01'), (options: { value?: string }) => options.value /* the default policy */);
    const record = (await addConnectionFromAzure(ctx)) as ConnectionRecord;
    assert.deepEqual(offered, ['2026-11-01', '2021-10-01']);
    assert.equal(record.authKind, undefined);
    assert.ok(record.azure, 'linked to its instance');
    assert.equal(store.get(record.id)?.apiVersion, undefined, 'the default is not stored');
    assert.equal((await ctx.clients.clientFor(record)).apiVersion, '2021-10-01');
  });

  void test('a connection that fails its test puts back the working one it replaced, and leaves nothing new', async () => {
    const hostName = emu.hostName;
    const earlier = await store.add({ id: `${hostName.toLowerCase()}/entra`, label: 'Plant DPS', hostName, keyName: 'Microsoft Entra ID', authKind: 'entra', apiVersion: '2026-11-01', azure: { cloud: 'emulator', subscriptionId: 's', resourceId: '/r' } });
    const before = store.list();
    // The data plane refuses this token: the new record's test call fails with 401.
    ctx = { ...ctx, clients: new ClientFactory(store, ctx.logger, () => 5000, () => () => Promise.resolve({ token: 'not-a-token', expiresOnTimestamp: Date.now() + 3_600_000 })) };
    discover('Microsoft Entra ID');
    recorder.answers.push(pickVersion('2021-10-01'));
    await assert.rejects(addConnectionFromAzure(ctx), /401|refused|sign/i);
    assert.deepEqual(store.get(earlier.id), earlier, 'the earlier connection is back as it was');
    assert.deepEqual(store.list(), before);
  });

  void test('a new connection that fails its test is removed', async () => {
    const before = store.list();
    ctx = { ...ctx, clients: new ClientFactory(store, ctx.logger, () => 5000, () => () => Promise.resolve({ token: 'not-a-token', expiresOnTimestamp: Date.now() + 3_600_000 })) };
    discover('Microsoft Entra ID');
    recorder.answers.push(pickVersion('2021-10-01'));
    await assert.rejects(addConnectionFromAzure(ctx));
    assert.deepEqual(store.list(), before);
  });
});
