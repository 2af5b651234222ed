// One emulator per data folder, seen from the extension: Start reconnects to a live emulator of the
// folder instead of launching a second; Stop ends it by pid; closing a window leaves it alone.
import '../../support/vscodeStubInstall';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { ConnectionStore } from '../../../src/connections/connectionStore';
import { createLogger } from '../../../src/common/logger';
import { EmulatorController } from '../../../src/emulatorHost/emulatorController';
import type { RunningElsewhere } from '../../../src/emulatorHost/runningEmulator';
import type { EmulatorProcess } from '../../../src/emulatorHost/emulatorProcess';

const KEY = 'S2V5VGhhdE11c3ROZXZlckxlYWtLZXlUaGF0TXVzdE5ldmVyTGVhaw==';
const elsewhere: RunningElsewhere = {
  lock: { pid: 4242, port: 9443, url: 'https://localhost:9443', hostName: 'localhost:9443', keyName: 'provisioningserviceowner', caCertificate: '/data/ca.pem', startedAt: '2025-01-01T00:00:00Z' },
  connectionString: `HostName=localhost:9443;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=${KEY}`,
};

function setup(running: { current: RunningElsewhere | undefined }) {
  const log = new LogRecorder();
  const store = new ConnectionStore(new MemorySecrets(), new MemoryState());
  const launched: string[] = [];
  const stoppedPids: number[] = [];
  const states: boolean[] = [];
  const controller = new EmulatorController({
    scriptPath: 'unused',
    dataDir: '/data',
    port: () => 0,
    seedDemo: () => true,
    store,
    logger: createLogger(log),
    findRunning: () => running.current,
    stopPid: (pid) => {
      stoppedPids.push(pid);
      running.current = undefined;
      return Promise.resolve();
    },
    launch: (options) => {
      launched.push(options.dataDir);
      const child: EmulatorProcess = {
        url: 'https://localhost:8443', connectionString: `HostName=localhost:8443;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=${KEY}`,
        caCertificatePath: '/data/ca.pem', exited: new Promise<number | null>(() => undefined), stop: () => Promise.resolve(),
      };
      return Promise.resolve(child);
    },
    onStateChange: (r) => states.push(r),
  });
  return { controller, store, launched, stoppedPids, states, log };
}

void describe('emulator controller and the data-folder lock', () => {
  void test('Start while an emulator runs on the folder reconnects to it: no second launch, its address saved', async () => {
    const running = { current: elsewhere as RunningElsewhere | undefined };
    const { controller, launched, store, states, log } = setup(running);
    assert.equal(controller.isRunning, true, 'one started by an earlier window counts');
    const record = await controller.start();
    assert.deepEqual(launched, []);
    assert.equal(record.hostName, 'localhost:9443');
    assert.equal(record.caCertificatePath, '/data/ca.pem');
    assert.equal(await store.connectionString(record.id), elsewhere.connectionString);
    assert.deepEqual(states, [true]);
    assert.match(log.lines.join('\n'), /Reconnecting to the local emulator already running on \/data \(pid 4242/);
    assert.doesNotMatch(log.lines.join('\n'), new RegExp(KEY.slice(0, 20)), 'the key never reaches the log');
  });

  void test('Stop ends an emulator this window did not start, by its pid; closing the window does not', async () => {
    const running = { current: elsewhere as RunningElsewhere | undefined };
    const { controller, stoppedPids, states } = setup(running);
    await controller.dispose();
    assert.deepEqual(stoppedPids, [], 'deactivation leaves another window\'s emulator running');
    await controller.stop();
    assert.deepEqual(stoppedPids, [4242]);
    assert.deepEqual(states, [false]);
    assert.equal(controller.isRunning, false);
  });

  void test('with no live emulator on the folder, Start launches one', async () => {
    const { controller, launched } = setup({ current: undefined });
    assert.equal(controller.isRunning, false);
    await controller.start();
    assert.deepEqual(launched, ['/data']);
    assert.equal(controller.isRunning, true);
  });
});
