// End to end in code-server: one emulator per data folder. An emulator already runs on the
// extension's data folder (started outside this window, as an earlier window would have); "Start
// Local Emulator" reconnects to it instead of launching a second, and "Stop" ends it by its pid.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { readLock } from '../../src/emulator/dataDirLock';
import { waitUntil } from '../support/formE2e';
import { e2eSkipReason, openDpsView, openWorkbench, repoRoot, runCommand, treeRow, type Workbench } from '../support/codeServer';

const skip = e2eSkipReason();

/** Runs the bundled emulator on `dataDir` and resolves with its port once it is listening. */
function runEmulator(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'emulator.js'), '--json', '--quiet', '--port', '0', '--data-dir', dataDir, '--seed', 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve({ child, port: Number(new URL(url).port) });
    });
  });
}

void describe('one emulator per data folder, in code-server', { skip, timeout: 600_000 }, () => {
  let wb: Workbench;
  let outside: { child: ChildProcess; port: number } | undefined;
  let dataDir: string;

  before(async () => {
    wb = await openWorkbench();
    await openDpsView(wb.page);
    // Where the extension keeps its emulator's data (context.globalStorageUri + "/emulator").
    dataDir = path.join(wb.userDataDir, 'User', 'globalStorage', 'dps-enrollments.dps-enrollments', 'emulator');
    outside = await runEmulator(dataDir);
  });
  afterEach(async (t) => {
    await wb.screenshot(`emulator-lock-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });
  after(async () => {
    if (outside?.child.exitCode === null) outside.child.kill('SIGTERM');
    await wb?.close();
  });

  void test('the emulator holds its folder\'s lock; a second one on the same folder is refused', async () => {
    const lock = readLock(dataDir);
    assert.equal(lock?.pid, outside?.child.pid);
    assert.equal(lock?.port, outside?.port);
    await assert.rejects(runEmulator(dataDir), /exited \(3\)/);
  });

  void test('Start while running: the connection is to the running emulator, no second one starts', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Start Local Emulator');
    await treeRow(page, 'Local emulator').waitFor({ timeout: 60_000 });
    assert.match((await treeRow(page, 'Local emulator').getAttribute('aria-label')) ?? '', new RegExp(`localhost:${outside?.port ?? 0}`));
    // Demo data of the running emulator appear through the saved connection.
    await page.locator('.sidebar .monaco-list-row[aria-label*="individual enrollment"]').first().waitFor({ timeout: 60_000 });
    assert.equal(readLock(dataDir)?.pid, outside?.child.pid, 'the lock still names the first emulator');
    assert.equal(outside?.child.exitCode, null);
    await wb.screenshot('emulator-lock-1-reconnected');
  });

  void test('Stop ends the emulator this window did not start, and its lock goes', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Stop Local Emulator');
    await waitUntil(() => outside?.child.exitCode !== null, 'the emulator to exit', 60_000);
    assert.equal(outside?.child.exitCode, 0, 'a clean stop (SIGTERM), data saved');
    assert.equal(existsSync(path.join(dataDir, 'emulator.lock')), false);
    await wb.screenshot('emulator-lock-2-stopped');
  });
});
