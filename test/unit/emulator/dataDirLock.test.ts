import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, EmulatorAlreadyRunningError, isProcessAlive, liveLock, lockPath, readLock, releaseLock, type EmulatorLock } from '../../../src/emulator/dataDirLock';

const folder = () => mkdtempSync(join(tmpdir(), 'dps-lock-'));
const lockOf = (pid: number, port = 8443): EmulatorLock => ({
  pid, port, url: `https://localhost:${port}`, hostName: `localhost:${port}`, keyName: 'provisioningserviceowner', caCertificate: '/tmp/ca.pem', startedAt: '2025-01-01T00:00:00.000Z',
});

void describe('emulator data-folder lock', () => {
  void test('the first emulator takes the folder; a second while the first lives is refused, naming it', () => {
    const dir = folder();
    acquireLock(dir, lockOf(101), () => true);
    assert.deepEqual(readLock(dir), lockOf(101));
    assert.throws(() => acquireLock(dir, lockOf(202, 9000), () => true), (e: unknown) =>
      e instanceof EmulatorAlreadyRunningError && e.lock.pid === 101 && /pid 101, https:\/\/localhost:8443/.test(e.message));
    assert.equal(readLock(dir)?.pid, 101, 'the holder keeps it');
    assert.deepEqual(readdirSync(dir), ['emulator.lock'], 'no temp file left behind');
  });

  void test('a lock whose pid is gone is stale: reported as nothing, and taken over', () => {
    const dir = folder();
    acquireLock(dir, lockOf(101), () => true);
    assert.equal(liveLock(dir, () => false), undefined);
    acquireLock(dir, lockOf(202), (pid) => pid !== 101);
    assert.equal(readLock(dir)?.pid, 202);
    assert.equal(liveLock(dir, () => true)?.port, 8443);
  });

  void test('an unreadable lock is not trusted and is replaced', () => {
    const dir = folder();
    writeFileSync(lockPath(dir), '{"pid": "x"');
    assert.equal(readLock(dir), undefined);
    acquireLock(dir, lockOf(303), () => true);
    assert.equal(readLock(dir)?.pid, 303);
  });

  void test('release removes only the own lock', () => {
    const dir = folder();
    acquireLock(dir, lockOf(101), () => true);
    releaseLock(dir, 202);
    assert.equal(readLock(dir)?.pid, 101);
    releaseLock(dir, 101);
    assert.equal(readLock(dir), undefined);
  });

  void test('this process is alive; a pid that cannot exist is not', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(2 ** 22 + 12345), false);
  });
});
