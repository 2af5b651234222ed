// End to end in code-server: adding connections (good and bad) through the real UI, against the
// local emulator started in this process. Screenshots go to test-results/screenshots/.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { addConnectionThroughUi, answerInput, e2eSkipReason, pickQuickPickItem, openDpsView, openWorkbench, pickFileInDialog, resetWorkbench, runCommand, treeRow, type Workbench } from '../support/codeServer';

const skip = e2eSkipReason();

void describe('connections in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let wb: Workbench;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-emu-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'demo' });
    wb = await openWorkbench();
    await openDpsView(wb.page);
  });

  beforeEach(async () => {
    await resetWorkbench(wb.page);
  });

  afterEach(async (t) => {
    await wb.screenshot(`connections-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void test('an IoT Hub connection string gets a clear error and nothing is saved', async () => {
    const { page } = wb;
    await page.locator('.welcome-view-content .monaco-button', { hasText: 'Add Connection' }).click();
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=c2VjcmV0a2V5c2VjcmV0a2V5');
    const message = page.locator('.quick-input-widget .quick-input-message');
    await message.filter({ hasText: /IoT Hub/i }).waitFor({ timeout: 10_000 });
    await wb.screenshot('connections-1-bad-connection-string');
    const text = await message.innerText();
    assert.match(text, /IoT Hub connection string, not a DPS one/i);
    assert.doesNotMatch(text, /c2VjcmV0a2V5/, 'the key must not be echoed');
    // Enter on an invalid value does nothing; Escape cancels: the welcome view is still there.
    await page.keyboard.press('Enter');
    assert.ok(await input.isVisible(), 'the input box stays open while the value is invalid');
    await page.keyboard.press('Escape');
    await page.locator('.welcome-view-content', { hasText: 'No DPS connection yet' }).waitFor();
    assert.equal(await page.locator('.sidebar .monaco-list-row').count(), 0, 'no connection was saved');
  });

  void test('a wrong key is refused by the test call and nothing is saved', async () => {
    const { page } = wb;
    const wrongKey = emu.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5');
    await runCommand(page, 'DPS: Add Connection…');
    await answerInput(page, wrongKey, 'SharedAccessKeyName=<policy>');
    await answerInput(page, 'wrong key', 'A name for this connection');
    await pickQuickPickItem(page, '2021-10-01', 'Service API version');
    // The emulator's CA is not trusted yet: pick it, then the 401 shows as the error.
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /not trusted/ });
    await toast.waitFor({ timeout: 30_000 });
    await toast.locator('.monaco-button', { hasText: 'Select CA File…' }).click();
    await pickFileInDialog(page, emu.caCertificatePath);
    const error = page.locator('.notifications-toasts .notification-toast', { hasText: /refused the credentials/ });
    await error.waitFor({ timeout: 30_000 });
    await wb.screenshot('connections-2-wrong-key');
    assert.match(await error.innerText(), /Update Connection/);
    assert.equal(await page.locator('.sidebar .monaco-list-row').count(), 0, 'no connection was saved');
    await error.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);
  });

  void test('a good connection string is tested, saved and shown with host and policy, never the key', async () => {
    const { page } = wb;
    await addConnectionThroughUi(page, emu.connectionString, 'e2e emulator', emu.caCertificatePath);
    const row = treeRow(page, 'e2e emulator');
    const label = (await row.getAttribute('aria-label')) ?? '';
    const rowText = await row.innerText();
    assert.match(rowText, new RegExp(emu.hostName.replace(/[.]/g, '\\.')));
    const key = /SharedAccessKey=([^;]+)/.exec(emu.connectionString)?.[1] ?? '';
    assert.ok(key.length > 0);
    assert.ok(!rowText.includes(key) && !label.includes(key), 'the key is not shown');
    await treeRow(page, 'Individual enrollments').waitFor();
    await treeRow(page, 'Enrollment groups').waitFor();
    // Demo data arrives with the first page.
    await page.locator('.sidebar .monaco-list-row').nth(4).waitFor({ timeout: 30_000 });
    await wb.screenshot('connections-3-added');
  });
});
