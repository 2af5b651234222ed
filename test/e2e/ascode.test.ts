// End to end in code-server: a desired-state file with a schema error is underlined by VS Code
// (the contributed JSON Schema), fixed in the editor, planned (the plan document shows the new
// enrollment), applied from the Jobs view after its dry run, and the new enrollment appears in the tree.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { FORM_TIMEOUT_MS, formFrame, waitUntil } from '../support/formE2e';
import {
  addConnectionThroughUi, e2eSkipReason, openDpsView, openWorkbench, pickQuickPickItem, runCommand, treeRow, type Workbench,
} from '../support/codeServer';

const skip = e2eSkipReason();
const FILE = 'fleet.dps.json';

/** Opens the desired-state file by Quick Open. */
async function openFile(page: Workbench['page']): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input.input').fill(FILE);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: FILE }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 30_000 });
}

function desiredState(provisioningStatus: string): string {
  return JSON.stringify({
    version: 1,
    enrollments: [
      { registrationId: 'ascode-existing', attestation: { type: 'none' } },
      { registrationId: 'ascode-new', attestation: { type: 'none' }, provisioningStatus },
    ],
  }, null, 2) + '\n';
}

void describe('enrollments as code in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-emu-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    await client.createOrUpdateEnrollment({ registrationId: 'ascode-existing', attestation: { type: 'none' } });
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-ascode-'));
    writeFileSync(path.join(workspace, FILE), desiredState('on'));
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'ascode emulator', emu.caCertificatePath);
  });

  after(async () => {
    await wb?.screenshot('ascode-last');
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  void test('schema error underlined, fixed, planned, applied; the tree shows the new enrollment', async () => {
    const { page } = wb;
    await treeRow(page, 'ascode-existing').waitFor({ timeout: 30_000 });
    await openFile(page);
    await page.locator('.monaco-editor .view-lines', { hasText: '"provisioningStatus": "on"' }).first().waitFor({ timeout: 30_000 });

    // VS Code validates the file with the extension's schema (a warning): "on" is not "enabled" or "disabled".
    const squiggle = page.locator('.editor-instance .monaco-editor .squiggly-warning, .editor-instance .monaco-editor .squiggly-error');
    await squiggle.first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'View: Toggle Problems');
    await page.locator('.markers-panel .monaco-list-row', { hasText: /enabled|disabled|not accepted/i }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('ascode-1-schema-error');

    // Fix it in the editor (pasted, so bracket auto-closing does not interfere), and save.
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(desiredState('disabled'))})`);
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    await waitUntil(async () => (await squiggle.count()) === 0, 'the schema error to go once fixed');

    await runCommand(page, 'DPS: Plan Desired State…');
    await pickQuickPickItem(page, 'Keep items the file does not name', 'Items on the service');
    // The plan document (Markdown): the new enrollment to create, the existing one unchanged.
    const plan = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: /1\s+to\s+create/ }).first();
    await plan.waitFor({ timeout: 60_000 });
    assert.match(await plan.innerText(), /ascode-new/);
    await wb.screenshot('ascode-2-plan');
    assert.equal(await client.getEnrollment('ascode-new').then(() => true, () => false), false, 'planning changes nothing');

    // Apply right from the plan: the active plan stands for the file it was made from.
    await runCommand(page, 'DPS: Apply Desired State…');
    await pickQuickPickItem(page, 'Keep items the file does not name', 'Items on the service');
    // The plan is the Jobs view's dry run: one to create, nothing sent until Run.
    const job = formFrame(page);
    await job.locator('#summary', { hasText: '1 to create' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.equal(await client.getEnrollment('ascode-new').then(() => true, () => false), false, 'the dry run sends nothing');
    await job.locator('#run').click();
    await job.locator('#job-phase', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    await treeRow(page, 'ascode-new').waitFor({ timeout: 60_000 });
    assert.equal((await client.getEnrollment('ascode-new')).provisioningStatus, 'disabled');
    await wb.screenshot('ascode-3-applied');
  });
});
