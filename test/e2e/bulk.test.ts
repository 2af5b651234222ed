// End to end in code-server: bulk create from a CSV in the workspace. The dry run lists the bad
// row and asks; after "Run" the report document opens and the new enrollments appear in the tree.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import {
  addConnectionThroughUi, dialogButton, e2eSkipReason, notificationsText, openDpsView, openWorkbench, pickFileInDialog, runCommand, treeRow, type Workbench,
} from '../support/codeServer';

const skip = e2eSkipReason();

void describe('bulk create in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-bulk-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-bulk-ws-'));
    const rows = Array.from({ length: 12 }, (_, i) => `e2e-bulk-${String(i + 1).padStart(2, '0')},enabled,"site=north;line=${i % 3}"`);
    writeFileSync(path.join(workspace, 'devices.csv'), ['registrationId,status,tags', ...rows, 'e2e bad id,enabled,'].join('\r\n') + '\r\n');
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'bulk emulator', emu.caCertificatePath);
  });

  after(async () => {
    await wb?.close();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('CSV → dry run → run → report and tree', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Bulk Create…');
    const source = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'CSV file' }).first();
    await source.waitFor({ timeout: 15_000 });
    await source.click();
    await pickFileInDialog(page, path.join(workspace, 'devices.csv'));

    // The dry run: a modal with the counts (the document with the bad row opens behind it).
    const dialog = page.locator('.monaco-dialog-box', { hasText: '12 to send in 2 bulk requests' });
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /1 invalid row will not be sent/);
    await wb.screenshot('bulk-1-dry-run');
    await dialogButton(page, 'Run');

    await page.locator('.monaco-editor .view-lines', { hasText: '# Bulk report: Create individual enrollments' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: '12 done, 0 failed, 0 not sent, 1 invalid' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Bulk job on bulk emulator: 12 done' }).waitFor({ timeout: 30_000 });
    assert.match(await notificationsText(page), /Save Report/);
    await treeRow(page, 'e2e-bulk-12').waitFor({ timeout: 30_000 });
    await wb.screenshot('bulk-2-report-and-tree');
    assert.equal(emu.store.snapshot().enrollments.length, 12);
  });
});
