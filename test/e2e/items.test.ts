// End to end in code-server: browsing, paging, JSON editing with a concurrent change (412),
// disable and delete, against an emulator started in this process with generated data.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { isDpsError } from '../../src/dps/errors';
import type { IndividualEnrollment } from '../../src/dps/models';
import { waitUntil } from '../support/formE2e';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import {
  addConnectionThroughUi,
  clickRow,
  contextMenu,
  dialogButton,
  e2eSkipReason,
  openDpsView,
  openWorkbench,
  resetWorkbench,
  treeRow,
  type Workbench,
} from '../support/codeServer';

const skip = e2eSkipReason();
const PAGE_SIZE = 5;
const ENROLLMENTS = 12;

function symmetricEnrollment(id: string): IndividualEnrollment {
  return { registrationId: id, attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled', capabilities: { iotEdge: false } };
}

void describe('enrollments in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  // The service lists in no particular order (FIDELITY.md), so the pages are read from it, not assumed.
  const pages: string[][] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-emu-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    for (let i = 1; i <= ENROLLMENTS; i++) await client.createOrUpdateEnrollment(symmetricEnrollment(`device-${String(i).padStart(2, '0')}`));
    await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'fleet-a', attestation: { type: 'symmetricKey' }, iotHubs: ['hub-a.azure-devices.net'] });
    for (const id of ['fleet-a-dev-1', 'fleet-a-dev-2']) {
      emu.store.upsertRegistration({ registrationId: id, status: 'assigned', assignedHub: 'hub-a.azure-devices.net', deviceId: id }, 'fleet-a');
    }
    let continuationToken: string | undefined;
    do {
      const page = await client.queryEnrollments({ pageSize: PAGE_SIZE, ...(continuationToken ? { continuationToken } : {}) });
      pages.push(page.items.map((e) => e.registrationId));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 2]);
    wb = await openWorkbench({ settings: { 'dpsEnrollments.pageSize': PAGE_SIZE } });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'paging emulator', emu.caCertificatePath);
  });

  beforeEach(async () => {
    await resetWorkbench(wb.page);
  });

  afterEach(async (t) => {
    // The last state of every test, for looking at failures.
    await wb.screenshot(`items-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void test('pages load with "Load more" and a group shows its registrations', async () => {
    const { page } = wb;
    const [first, second, last] = pages as [string[], string[], string[]];
    await treeRow(page, first.at(-1) ?? '').waitFor({ timeout: 30_000 });
    assert.equal(await treeRow(page, second[0] ?? '').count(), 0, 'only the first page is loaded');
    await wb.screenshot('items-1-first-page');
    await clickRow(page, 'Load more…');
    await treeRow(page, second.at(-1) ?? '').waitFor({ timeout: 30_000 });
    await clickRow(page, 'Load more…');
    await treeRow(page, last.at(-1) ?? '').waitFor({ timeout: 30_000 });
    // Last page: no "Load more" left under the enrollments.
    await waitUntil(async () => (await treeRow(page, 'Load more…').count()) === 0, 'the last "Load more" row to go');
    await clickRow(page, 'fleet-a');
    await treeRow(page, 'fleet-a-dev-1').waitFor({ timeout: 30_000 });
    await treeRow(page, 'fleet-a-dev-2').waitFor();
    await wb.screenshot('items-2-all-pages-and-registrations');
  });

  void test('saving JSON after a concurrent change offers compare/overwrite/reload; overwrite wins with If-Match', async () => {
    const { page } = wb;
    const id = pages[0]?.[0] ?? '';
    await clickRow(page, id);
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: `"registrationId": "${id}"` }).first().waitFor({ timeout: 30_000 });

    // Someone else changes the enrollment after it was opened: its ETag moves on.
    const opened = await client.getEnrollment(id);
    const concurrent = await client.createOrUpdateEnrollment({ ...opened, deviceId: 'changed-elsewhere' });
    assert.notEqual(concurrent.etag, opened.etag);

    // The user edits the document: the same item with iotEdge turned on.
    const edited = { ...opened, capabilities: { iotEdge: true } };
    await editor.click();
    await page.keyboard.press('Control+A');
    // Paste rather than type: typing would trigger the editor's bracket auto-closing.
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(JSON.stringify(edited, null, 2))})`);
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    await page.locator('.monaco-dialog-box', { hasText: 'was changed on the service' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('items-3-conflict-dialog');
    await dialogButton(page, 'Overwrite');

    // The service now has the user's version, written over the current ETag.
    await waitUntil(async () => (await client.getEnrollment(id)).capabilities?.iotEdge === true, 'the overwrite to reach the service');
    const after = await client.getEnrollment(id);
    assert.notEqual(after.etag, concurrent.etag);
    // The document is refreshed with the service's answer (the new ETag).
    await page.locator('.monaco-editor .view-lines', { hasText: String(after.etag).replace(/"/g, '') }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('items-4-saved');
  });

  void test('"Compare" after a conflict opens a diff of the service version and yours; nothing is written', async () => {
    const { page } = wb;
    const id = pages[0]?.[1] ?? '';
    await clickRow(page, id);
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await page.locator('.monaco-editor .view-lines', { hasText: `"registrationId": "${id}"` }).first().waitFor({ timeout: 30_000 });
    const opened = await client.getEnrollment(id);
    const concurrent = await client.createOrUpdateEnrollment({ ...opened, deviceId: 'changed-elsewhere' });
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(JSON.stringify({ ...opened, deviceId: 'mine' }, null, 2))})`);
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    await page.locator('.monaco-dialog-box', { hasText: 'was changed on the service' }).waitFor({ timeout: 30_000 });
    await dialogButton(page, 'Compare');
    await page.locator('.tab', { hasText: `${id}: service ↔ yours` }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-diff-editor .view-lines', { hasText: 'changed-elsewhere' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('items-4b-compare');
    const now = await client.getEnrollment(id);
    assert.equal(now.etag, concurrent.etag, 'nothing was written');
    assert.equal(now.deviceId, 'changed-elsewhere');
  });

  void test('disable from the context menu shows the item as disabled', async () => {
    const { page } = wb;
    const id = pages[0]?.[2] ?? '';
    await contextMenu(page, treeRow(page, id), 'Disable');
    await page.locator(`.sidebar .monaco-list-row[aria-label^="${id}, individual enrollment, symmetricKey, disabled"]`).waitFor({ timeout: 30_000 });
    assert.equal((await client.getEnrollment(id)).provisioningStatus, 'disabled');
    await wb.screenshot('items-5-disabled');
  });

  void test('delete asks for confirmation and removes the enrollment', async () => {
    const { page } = wb;
    const id = pages[0]?.[3] ?? '';
    await contextMenu(page, treeRow(page, id), 'Delete…');
    await page.locator('.monaco-dialog-box', { hasText: `Delete "${id}"` }).waitFor({ timeout: 15_000 });
    await wb.screenshot('items-6-delete-confirmation');
    await dialogButton(page, 'Delete');
    await waitUntil(async () => (await treeRow(page, id).count()) === 0, 'the row to disappear');
    await assert.rejects(client.getEnrollment(id), (e) => isDpsError(e) && e.status === 404);
  });
});
