// No token or key reaches globalState, the secret store (for Entra), the log or an error: an Entra
// connection through the real ClientFactory and the emulator's test account, including 403s, and a
// key read through ARM that goes only to SecretStorage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ArmClient, emulatorTokenProvider } from '../../src/azure';
import { ClientFactory } from '../../src/connections/clientFactory';
import { ConnectionStore, secretKeyFor } from '../../src/connections/connectionStore';
import { createLogger } from '../../src/common/logger';
import type { AccessToken } from '../../src/dps/auth';
import { LogRecorder, MemorySecrets, MemoryState } from '../support/vscodeFakes';
import { startTestEmulator, type TestEmulator } from '../support/emulator';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(async () => t.dispose());

void describe('Azure secrets stay out of state, logs and errors', () => {
  void test('Entra connection: no secret stored, no token in state, log or errors', async () => {
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const log = new LogRecorder();
    const logger = createLogger(log);
    const store = new ConnectionStore(secrets, state);
    const issued: string[] = [];
    const source = (role: 'contributor' | 'reader') => {
      const provider = emulatorTokenProvider({ hostName: t.emu.hostName, ca: t.emu.caCertificatePem, role }, 'https://azure-devices-provisioning.net/.default');
      return async (): Promise<AccessToken> => {
        const token = await provider();
        issued.push(token.token);
        return token;
      };
    };
    let role: 'contributor' | 'reader' = 'reader';
    const factory = new ClientFactory(store, logger, () => 10_000, () => source(role));
    const record = await store.add({ id: `${t.emu.hostName}/entra`, hostName: t.emu.hostName, keyName: 'Microsoft Entra ID', authKind: 'entra', azure: { cloud: 'emulator', subscriptionId: 's', resourceId: t.emu.armResourceId }, caCertificatePath: t.emu.caCertificatePath });
    assert.equal(secrets.values.size, 0, 'nothing is kept in SecretStorage for Entra');
    const reader = await factory.clientFor(record);
    await reader.queryEnrollments();
    const errors: string[] = [];
    await reader.createOrUpdateEnrollment({ registrationId: 'x1', attestation: { type: 'symmetricKey' } }).catch((e: unknown) => {
      errors.push(String(e), JSON.stringify(e), inspect(e), (e as Error).stack ?? '');
      assert.match((e as Error).message, /Data Contributor/);
    });
    assert.equal(errors.length, 4, 'the Reader write was refused');
    role = 'contributor';
    factory.invalidate();
    await (await factory.clientFor(record)).createOrUpdateEnrollment({ registrationId: 'x1', attestation: { type: 'symmetricKey' } });
    assert.ok(issued.length >= 2);
    const visible = JSON.stringify({ state: [...state.values.entries()], log: log.lines, errors });
    for (const token of issued) {
      assert.ok(!visible.includes(token), 'a token leaked');
      assert.ok(!visible.includes(token.split('.')[2]), 'a token signature leaked');
    }
    assert.ok(log.lines.some((l) => /IndividualEnrollment_CreateOrUpdate/.test(l)), 'requests are logged (without tokens)');
  });

  void test('SAS from ARM: the key reaches SecretStorage only', async () => {
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const log = new LogRecorder();
    const logger = createLogger(log);
    const armTokens: string[] = [];
    const armProvider = emulatorTokenProvider({ hostName: t.emu.hostName, ca: t.emu.caCertificatePem }, 'https://management.azure.com/.default');
    const arm = new ArmClient({
      endpoint: t.emu.url,
      ca: t.emu.caCertificatePem,
      tokenProvider: async () => {
        const token = await armProvider();
        armTokens.push(token.token);
        return token;
      },
      onRequest: (e) => logger.debug(`${e.operation} ${e.method} ${e.path} ${e.status ?? '-'}`),
    });
    const keys = await arm.listKeysForKeyName(t.emu.armResourceId, 'provisioningserviceowner');
    logger.addSecret(keys.primaryKey);
    const store = new ConnectionStore(secrets, state);
    const connectionString = `HostName=${t.emu.hostName};SharedAccessKeyName=${keys.keyName};SharedAccessKey=${keys.primaryKey}`;
    const record = await store.add({ hostName: t.emu.hostName, keyName: keys.keyName, connectionString, azure: { cloud: 'emulator', subscriptionId: 's', resourceId: t.emu.armResourceId }, caCertificatePath: t.emu.caCertificatePath });
    logger.info(`connected with ${connectionString}`); // even a careless line is redacted
    const factory = new ClientFactory(store, logger, () => 10_000);
    await (await factory.clientFor(record)).queryEnrollments();
    assert.equal(secrets.values.get(secretKeyFor(record.id)), connectionString);
    const visible = JSON.stringify({ state: [...state.values.entries()], log: log.lines });
    assert.ok(!visible.includes(keys.primaryKey), 'the key leaked');
    for (const token of armTokens) assert.ok(!visible.includes(token), 'an ARM token leaked');
    assert.ok(log.lines.some((l) => /IotDpsResource_ListKeysForKeyName POST/.test(l)));
    arm.dispose();
  });
});
