// Keys stay in SecretStorage: this fails if a key or connection string reaches globalState,
// settings, the log, or a message, through the real "Add connection" command and the emulator host.
import '../../support/vscodeStubInstall';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { addConnection } from '../../../src/commands/connectionCommands';
import { ClientFactory } from '../../../src/connections/clientFactory';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { ConnectionStore, EMULATOR_CONNECTION_ID, secretKeyFor } from '../../../src/connections/connectionStore';
import { createLogger } from '../../../src/common/logger';
import { EmulatorController } from '../../../src/emulatorHost/emulatorController';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server';
import type { CommandContext } from '../../../src/commands/commandContext';

const KEY = 'S2V5VGhhdE11c3ROZXZlckxlYWtLZXlUaGF0TXVzdE5ldmVyTGVhaw==';

function everythingButSecrets(state: MemoryState, log: LogRecorder): string {
  return JSON.stringify({
    state: [...state.values.entries()],
    settings: recorder.settingsWrites,
    log: log.lines,
    messages: recorder.messages,
    status: recorder.statusMessages,
    commands: recorder.executedCommands,
  });
}

void describe('secret handling', () => {
  let emu: RunningEmulator;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-secrets-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none', key: KEY });
  });
  after(async () => {
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void test('"Add connection" stores the connection string only in SecretStorage', async () => {
    resetRecorder();
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const log = new LogRecorder();
    const logger = createLogger(log);
    const store = new ConnectionStore(secrets, state);
    const clients = new ClientFactory(store, logger, () => 5000);
    // Prompts in order: connection string, name, api-version, "certificate not trusted" -> select CA, the CA file.
    recorder.answers.push(emu.connectionString, 'my emulator', (items: unknown) => (items as unknown[])[0], 'Select CA File…', [{ fsPath: emu.caCertificatePath }]);
    const ctx = { store, clients, logger, settings: { value: { requestTimeoutSeconds: 5 } } } as unknown as CommandContext;
    const record = await addConnection(ctx);

    assert.equal(record.label, 'my emulator');
    assert.equal(secrets.values.get(secretKeyFor(record.id)), emu.connectionString);
    // Exercise the client path too: a query logs its request line.
    const client = await clients.clientFor(record);
    await client.queryEnrollments({ pageSize: 1 });
    assert.ok(log.lines.some((l) => l.includes('IndividualEnrollment_Query')), 'requests are logged');

    const visible = everythingButSecrets(state, log);
    assert.ok(!visible.includes(KEY), 'the key leaked outside SecretStorage');
    assert.ok(!visible.includes(emu.connectionString), 'the connection string leaked');
    assert.equal(recorder.settingsWrites.length, 0, 'nothing is written to settings');
    assert.ok(visible.includes(emu.hostName), 'the host name is kept (sanity check of the scan)');
  });

  void test('the logger masks registered secrets and secret shapes', () => {
    const log = new LogRecorder();
    const logger = createLogger(log);
    logger.addSecret(KEY);
    logger.info(`value ${KEY} and "primaryKey": "abcdefghijklmnop" and SharedAccessSignature sr=x&sig=abc&se=1`);
    const line = log.lines.join('\n');
    assert.ok(!line.includes(KEY));
    assert.ok(!line.includes('abcdefghijklmnop'));
    assert.match(line, /SharedAccessSignature \*\*\*/);
  });

  void test('starting the local emulator from the extension saves its key only in SecretStorage', async () => {
    resetRecorder();
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const log = new LogRecorder();
    const logger = createLogger(log);
    const store = new ConnectionStore(secrets, state);
    let stopped = false;
    const controller = new EmulatorController({
      scriptPath: 'unused',
      dataDir,
      port: () => 0,
      seedDemo: () => true,
      store,
      logger,
      launch: (options) => {
        options.log?.(`emulator says ${emu.connectionString}`);
        return Promise.resolve({
          url: emu.url,
          connectionString: emu.connectionString,
          caCertificatePath: emu.caCertificatePath,
          exited: new Promise<number | null>(() => undefined),
          stop: () => {
            stopped = true;
            return Promise.resolve();
          },
        });
      },
    });
    const record = await controller.start();
    assert.equal(record.id, EMULATOR_CONNECTION_ID);
    assert.equal(record.isEmulator, true);
    assert.equal(record.caCertificatePath, emu.caCertificatePath);
    assert.equal(await store.connectionString(record.id), emu.connectionString);
    const visible = everythingButSecrets(state, log);
    assert.ok(!visible.includes(KEY), 'the emulator key leaked');
    await controller.stop();
    assert.ok(stopped);
  });
});
