// Adding a connection whose host and policy are already saved asks: Replace, Keep Both (a distinct
// id and name), or cancel; it never replaces the saved one silently.
import '../../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { addConnection } from '../../../src/commands/connectionCommands';
import { ClientFactory } from '../../../src/connections/clientFactory';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { ConnectionStore } from '../../../src/connections/connectionStore';
import { distinctCopy } from '../../../src/connections/duplicates';
import { createLogger } from '../../../src/common/logger';
import { UserCancelledError } from '../../../src/common/errorPresentation';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server';
import type { CommandContext } from '../../../src/commands/commandContext';

/** Answers the API-version QuickPick with the item of that version. */
const pickVersion = (version: string) => (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label === version);

void describe('adding a connection that already exists', () => {
  let emu: RunningEmulator;
  let dataDir: string;
  let store: ConnectionStore;
  let ctx: CommandContext;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-dup-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
  });
  after(async () => {
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    resetRecorder();
    store = new ConnectionStore(new MemorySecrets(), new MemoryState());
    const logger = createLogger(new LogRecorder());
    ctx = { store, clients: new ClientFactory(store, logger, () => 5000), logger, settings: { value: { requestTimeoutSeconds: 5 } } } as unknown as CommandContext;
    recorder.answers.push(emu.connectionString, 'first', pickVersion('2021-10-01'), 'Select CA File…', [{ fsPath: emu.caCertificatePath }]);
    await addConnection(ctx);
  });

  void test('Keep Both saves a second connection with a distinct id and name', async () => {
    recorder.answers.push(emu.connectionString, 'Keep Both', (options: { value?: string }) => options.value /* accept the prefilled distinct name */, pickVersion('2026-11-01'));
    const second = await addConnection(ctx);
    const prompt = recorder.messages.find((m) => m.text.includes('already exists'));
    assert.match(prompt?.text ?? '', /already exists: "first"/);
    assert.deepEqual(prompt?.items, ['Replace', 'Keep Both']);
    assert.equal(store.list().length, 2);
    assert.equal(second.label, 'first (2)');
    assert.notEqual(second.id, store.list()[0]?.id);
    // The chosen api-version is kept on the record (ids only) and the client sends it.
    assert.equal(second.apiVersion, '2026-11-01');
    assert.equal(store.list()[0]?.apiVersion, undefined, 'the default is not stored');
    assert.equal((await ctx.clients.clientFor(second)).apiVersion, '2026-11-01');
  });

  void test('Replace keeps one connection; cancelling changes nothing', async () => {
    recorder.answers.push(emu.connectionString, 'Replace', 'renamed', pickVersion('2021-10-01'));
    await addConnection(ctx);
    assert.deepEqual(store.list().map((c) => c.label), ['renamed']);
    recorder.answers.push(emu.connectionString, undefined);
    await assert.rejects(addConnection(ctx), UserCancelledError);
    assert.deepEqual(store.list().map((c) => c.label), ['renamed']);
  });

  void test('the distinct copy skips ids and names already taken', () => {
    const saved = [
      { id: 'h.net/owner', label: 'dps', hostName: 'h.net', keyName: 'owner' },
      { id: 'h.net/owner#2', label: 'other', hostName: 'h.net', keyName: 'owner' },
    ];
    assert.deepEqual(distinctCopy(saved, 'H.net', 'owner', 'dps'), { id: 'h.net/owner#3', label: 'dps (3)' });
  });
});
