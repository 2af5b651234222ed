// What a person hears when the service cannot be reached: a stopped emulator (closed port) and a
// server that never answers. Each gets its own sentence, quickly, instead of "kept failing; gave
// up after several attempts" after every retry. Jitter is fixed at its maximum so the old
// behaviour (five tries with growing waits) could not pass the time bounds by luck; the bounds
// themselves are generous.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { DpsClient } from '../../src/dps/client';
import { DpsError } from '../../src/dps/errors';
import { describeError } from '../../src/common/errorPresentation';

const KEY = Buffer.alloc(32, 7).toString('base64');
const connectionString = (port: number) => `HostName=localhost:${port};SharedAccessKeyName=owner;SharedAccessKey=${KEY}`;

async function failure(client: DpsClient): Promise<{ error: DpsError; elapsedMs: number }> {
  const started = performance.now();
  try {
    await client.getEnrollment('device-1');
  } catch (error) {
    assert.ok(error instanceof DpsError, String(error));
    return { error, elapsedMs: performance.now() - started };
  } finally {
    client.dispose();
  }
  throw new Error('the request succeeded');
}

void describe('an unreachable service', () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    // Accept and never answer, not even the TLS handshake.
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  void test('a closed port (stopped emulator) says the connection was refused, within a quick second try', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const { error, elapsedMs } = await failure(DpsClient.fromConnectionString(connectionString(port), { timeoutMs: 2000, random: () => 0.999 }));
    assert.equal(error.attempts, 2, 'one quick second try, not five');
    const shown = describeError(error, 'Could not load enrollments');
    assert.equal(shown.message, `Could not load enrollments: the local emulator is not running (nothing answers at localhost:${port}).`);
    assert.deepEqual(shown.actions, ['startEmulator', 'retry', 'showLogs']);
    assert.ok(elapsedMs < 3000, `took ${Math.round(elapsedMs)} ms`);
  });

  void test('a server that never answers times out with its own sentence after a bounded total', async () => {
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as net.AddressInfo).port;
    const timeoutMs = 300;
    const { error, elapsedMs } = await failure(DpsClient.fromConnectionString(connectionString(port), { timeoutMs, random: () => 0.999 }));
    assert.equal(error.attempts, 2, 'one retry of a timeout at most');
    const shown = describeError(error, 'Could not load enrollments');
    assert.equal(shown.message, `Could not load enrollments: localhost:${port} did not answer in time (tried 2 times).`);
    assert.deepEqual(shown.actions, ['retry', 'showLogs']);
    // Two timeouts and one short back-off; five tries would take well over 4 s here.
    assert.ok(elapsedMs >= 2 * timeoutMs - 50, `took ${Math.round(elapsedMs)} ms`);
    assert.ok(elapsedMs < 4000, `took ${Math.round(elapsedMs)} ms`);
  });
});
