// End to end in code-server: the editor at fleet size and its safety nets. A demo-seeded emulator
// in this process with 600 more enrollments; one workbench for the whole file.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DpsClient } from '../../src/dps/client';
import type { IndividualEnrollment } from '../../src/dps/models';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { waitForForm, chooseOption, submitAndWaitSaved, waitUntil } from '../support/formE2e';
import {
  addConnectionThroughUi,
  answerInput,
  contextMenu,
  dialogButton,
  e2eSkipReason,
  notificationsText,
  openDpsView,
  openWorkbench,
  resetWorkbench,
  runCommand,
  treeRow,
  type Workbench,
} from '../support/codeServer';

const skip = e2eSkipReason();
const FLEET = 600;
const PAGE_SIZE = 50;
const fleetId = (i: number) => `fleet-${String(i).padStart(4, '0')}`;

/** Opens an individual enrollment's JSON document by its typed id, from the palette. */
async function openJsonById(page: Page, id: string): Promise<void> {
  await runCommand(page, 'DPS: Open as JSON');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Individual enrollment' }).first().click();
  await answerInput(page, id, 'Open individual enrollment by id');
  await page.locator('.monaco-editor .view-lines', { hasText: `"registrationId": "${id}"` }).first().waitFor({ timeout: 60_000 });
}

/** Replaces the whole text of the active editor (pasted: typing would auto-close brackets). */
async function replaceEditorText(page: Page, text: string): Promise<void> {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
  await page.keyboard.press('Control+V');
}

void describe('the editor at fleet size, in code-server', { skip, timeout: 900_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-editor-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'demo' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    const all: IndividualEnrollment[] = Array.from({ length: FLEET }, (_, i) => ({ registrationId: fleetId(i + 1), attestation: { type: 'symmetricKey' }, provisioningStatus: i === FLEET - 1 ? 'disabled' : 'enabled' }));
    for (let i = 0; i < all.length; i += 10) await client.runEnrollmentBulk('create', all.slice(i, i + 10));
    wb = await openWorkbench({ settings: { 'dpsEnrollments.pageSize': PAGE_SIZE } });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'fleet emulator', emu.caCertificatePath);
  });

  beforeEach(async () => {
    await resetWorkbench(wb.page);
  });

  afterEach(async (t) => {
    await wb.screenshot(`editor-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void test('a schema error is underlined and named before any save', async () => {
    const { page } = wb;
    await openJsonById(page, 'edge-gateway-01');
    const opened = await client.getEnrollment('edge-gateway-01');
    await replaceEditorText(page, JSON.stringify({ ...opened, provisioningStatus: 'paused' }, null, 2));
    // VS Code reports schema problems as warnings (a yellow squiggle), syntax errors as errors.
    await page.locator('.editor-instance .monaco-editor .squiggly-warning, .editor-instance .monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.locator('.markers-panel', { hasText: '"provisioningStatus" must be "enabled" or "disabled".' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('editor-1-schema-error');
    assert.equal((await client.getEnrollment('edge-gateway-01')).etag, opened.etag, 'nothing was saved');
  });

  void test('saving a bad value is refused with the product\'s sentence naming the field, and the text stays', async () => {
    const { page } = wb;
    await openJsonById(page, 'edge-gateway-01');
    const opened = await client.getEnrollment('edge-gateway-01');
    await replaceEditorText(page, JSON.stringify({ ...opened, iotHubs: ['not a hub'] }, null, 2));
    await page.keyboard.press('Control+S');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'not a hub' }).first();
    await toast.waitFor({ timeout: 60_000 });
    await wb.screenshot('editor-2-save-refused');
    const text = await notificationsText(page);
    assert.match(text, /"not a hub" is not an IoT hub host name/);
    assert.doesNotMatch(text, /FileSystemError|NoPermissions|Unavailable/);
    assert.equal((await client.getEnrollment('edge-gateway-01')).etag, opened.etag, 'nothing was saved');
    // The edit is still there, unsaved.
    await page.locator('.tab.dirty', { hasText: 'edge-gateway-01.json' }).waitFor({ timeout: 10_000 });
  });

  void test('"Compare" after a 412 opens the diff without a FileSystemError toast', async () => {
    const { page } = wb;
    const id = fleetId(7);
    await openJsonById(page, id);
    const opened = await client.getEnrollment(id);
    await client.createOrUpdateEnrollment({ ...opened, deviceId: 'changed-elsewhere' });
    await replaceEditorText(page, JSON.stringify({ ...opened, deviceId: 'mine' }, null, 2));
    await page.keyboard.press('Control+S');
    await page.locator('.monaco-dialog-box', { hasText: 'was changed on the service' }).waitFor({ timeout: 60_000 });
    await dialogButton(page, 'Compare');
    await page.locator('.tab', { hasText: `${id}: service ↔ yours` }).waitFor({ timeout: 60_000 });
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    await wb.screenshot('editor-3-compare');
    assert.doesNotMatch(await notificationsText(page), /FileSystemError|Unavailable/);
  });

  void test('any of 600 enrollments opens by its typed id, beyond the loaded page', async () => {
    const { page } = wb;
    const id = fleetId(FLEET - 3);
    await openJsonById(page, id);
    await wb.screenshot('editor-4-open-by-id');
  });

  void test('the filter keeps loading pages until it finds the one disabled fleet enrollment', async () => {
    const { page } = wb;
    const last = fleetId(FLEET);
    await treeRow(page, 'Individual enrollments').waitFor({ timeout: 60_000 });
    await runCommand(page, 'DPS: Filter…');
    await answerInput(page, 'fleet-06', 'Show ids starting with');
    await page.locator('.quick-input-widget', { hasText: 'Filter Enrollments (2/2)' }).waitFor();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Disabled only' }).locator('.label-name', { hasText: 'Disabled only' }).click();
    await page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    await page.locator(`.sidebar .monaco-list-row[aria-label^="${last}, individual enrollment, symmetricKey, disabled"]`).waitFor({ timeout: 180_000 });
    await wb.screenshot('editor-5-filtered');
    await runCommand(page, 'DPS: Clear Filter');
  });

  void test('the demo TPM enrollment: Edit…, change only the status, saved', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Edit…');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Individual enrollment' }).first().click();
    await answerInput(page, 'edge-gateway-01', 'Open individual enrollment by id');
    const form = await waitForForm(page, 'Edit individual enrollment');
    const before = await client.getEnrollment('edge-gateway-01');
    const next = before.provisioningStatus === 'disabled' ? 'Enabled' : 'Disabled';
    await chooseOption(form, 'provisioningStatus', next);
    await submitAndWaitSaved(form, 'edge-gateway-01');
    const after = await client.getEnrollment('edge-gateway-01');
    assert.equal(after.provisioningStatus, next.toLowerCase());
    assert.equal(after.attestation.tpm?.endorsementKey, before.attestation.tpm?.endorsementKey);
    assert.notEqual(after.etag, before.etag);
    await wb.screenshot('editor-6-tpm-edited');
  });

  void test('a registered individual enrollment shows its device registration as a child; an unregistered one says so', async () => {
    const { page } = wb;
    emu.store.upsertRegistration({ registrationId: fleetId(2), status: 'assigned', substatus: 'initialAssignment', deviceId: fleetId(2), assignedHub: 'hub-a.azure-devices.net' });
    await runCommand(page, 'DPS: Refresh');
    // The list comes in no order: a filter by the id loads pages until it is shown.
    await runCommand(page, 'DPS: Filter…');
    await answerInput(page, fleetId(2), 'Show ids starting with');
    await page.locator('.quick-input-widget', { hasText: 'Filter Enrollments (2/2)' }).waitFor();
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    const registered = treeRow(page, fleetId(2));
    await registered.waitFor({ timeout: 60_000 });
    await registered.locator('.monaco-tl-twistie.collapsible').waitFor({ timeout: 30_000 });
    await registered.click();
    await page.keyboard.press('ArrowRight');
    const child = page.locator('.sidebar .monaco-list-row[aria-label^="Device registration, assigned / initialAssignment"]').first();
    await child.waitFor({ timeout: 30_000 });
    assert.doesNotMatch((await registered.getAttribute('aria-label')) ?? '', /not registered/);
    await wb.screenshot('editor-7-registration-child');
    await contextMenu(page, child, 'Delete Device Registration…');
    await dialogButton(page, 'Delete');
    await waitUntil(async () => /not registered/.test((await treeRow(page, fleetId(2)).getAttribute('aria-label')) ?? ''), 'the enrollment to read "not registered"');
    assert.equal(emu.store.individualRegistration(fleetId(2)), undefined);
    await runCommand(page, 'DPS: Clear Filter');
  });

  void test('adding the same connection again asks Replace / Keep Both / Cancel', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Add Connection…');
    await answerInput(page, emu.connectionString, 'SharedAccessKeyName=<policy>');
    const ask = page.locator('.monaco-dialog-box', { hasText: 'already exists' });
    await ask.waitFor({ timeout: 60_000 });
    await wb.screenshot('editor-8-duplicate-connection');
    const text = await ask.innerText();
    assert.match(text, /"fleet emulator"/);
    assert.match(text, /Replace/);
    assert.match(text, /Keep Both/);
    await dialogButton(page, 'Cancel');
    await ask.waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await treeRow(page, 'fleet again').count(), 0);
  });
});
