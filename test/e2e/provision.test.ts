// End to end in code-server: "Provision Test Device…" from the tree's context menu against an
// emulator started in this process. A symmetric-key group made in the form, an X.509 group made
// from a CA certificate in the workspace (the command makes the device certificate), and a
// disabled enrollment whose refusal says what to fix. Screenshots: test-results/screenshots/provision-e2e-*.png.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { generateRootCertificate } from '../../src/attestation';
import { deriveDeviceKey } from '../../src/attestation/symmetricKey';
import { DpsClient } from '../../src/dps/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import {
  addConnectionThroughUi,
  answerInput,
  clickRow,
  contextMenu,
  e2eSkipReason,
  openDpsView,
  openWorkbench,
  pickFileInDialog,
  resetWorkbench,
  runCommand,
  treeRow,
  type Workbench,
} from '../support/codeServer';
import { calmPointer, explorerRow, FORM_TIMEOUT_MS, openExplorer, submitAndWaitSaved, textInput, waitForForm, waitUntil } from '../support/formE2e';

const skip = e2eSkipReason();
const HUB = 'lab-hub.azure-devices.net';
const CA_FILE = 'provision-e2e-root-ca.pem';
const CA_KEY_FILE = 'provision-e2e-root-ca.key.pem';
/** Long enough that the progress notification can be seen while the device waits for its assignment. */
const ASSIGN_DELAY_MS = 4000;

/** The editor that shows a Markdown document whose text contains `text`. */
function editorShowing(page: Page, text: string): Locator {
  return page.locator('.editor-instance .monaco-editor .view-lines', { hasText: text }).first();
}

/** Picks `label` in the open quick pick titled `title` (the X.509 choice has a title, no placeholder). */
async function pickInQuickPickTitled(page: Page, title: string, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('.monaco-list-row', { hasText: label }).first().click();
}

/** Expands a tree row if it is collapsed (a click on an expanded row would collapse it). */
async function expandRow(page: Page, label: string): Promise<void> {
  const row = treeRow(page, label);
  await row.waitFor({ timeout: FORM_TIMEOUT_MS });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await clickRow(page, label);
  await waitUntil(async () => (await row.getAttribute('aria-expanded')) === 'true', `"${label}" to expand`);
}

void describe('provision a test device in code-server', { skip, timeout: 900_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;
  let idScopeRemembered = false;

  /**
   * The first provisioning on this connection asks for the ID scope (the connection was added by
   * hand, so the extension does not know it started this emulator), prefilled; later ones remember it.
   */
  async function confirmIdScopeOnce(): Promise<void> {
    if (idScopeRemembered) return;
    const box = wb.page.locator('.quick-input-widget', { hasText: 'ID Scope of provision emulator' });
    await box.waitFor({ state: 'visible', timeout: FORM_TIMEOUT_MS });
    assert.equal(await box.locator('input.input').inputValue(), emu.idScope, 'prefilled with the scope the emulator derives from its key');
    await shot('provision-e2e-0-id-scope-prefilled');
    await wb.page.keyboard.press('Enter');
    idScopeRemembered = true;
  }

  async function shot(name: string): Promise<void> {
    await calmPointer(wb.page);
    await wb.screenshot(name);
  }

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-provision-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-provision-ws-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none', device: { assignDelayMs: ASSIGN_DELAY_MS, retryAfterSeconds: 1 } });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    // A root CA and its key in the workspace, as the demo certificates are: the group is made from
    // the certificate, and the command signs the device certificate with the key.
    const root = await generateRootCertificate({ commonName: 'Provision E2E Root CA', key: 'ecdsa-p256' });
    writeFileSync(path.join(workspace, CA_FILE), root.certificatePem);
    writeFileSync(path.join(workspace, CA_KEY_FILE), root.privateKeyPem, { mode: 0o600 });
    await client.createOrUpdateEnrollment({ registrationId: 'provision-disabled', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled', iotHubs: [HUB] });
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'provision emulator', emu.caCertificatePath);
  });

  beforeEach(async () => {
    await resetWorkbench(wb.page);
    await openDpsView(wb.page);
  });

  afterEach(async (t) => {
    await wb.screenshot(`provision-e2e-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  void test('symmetric-key group from the form: provisioned from the context menu, result shown, registration listed with its hub', async () => {
    const { page } = wb;
    const groupId = 'provision-sensors';
    const deviceId = 'sensor-001';
    await runCommand(page, 'Create Enrollment Group…');
    const form = await waitForForm(page, 'New enrollment group');
    await form.locator('#f-attestationType-symmetricKey').click();
    await form.locator('#generate-primary').click();
    await waitUntil(async () => (await textInput(form, 'symmetricKeyPrimary').inputValue()).length === 88, 'the generated key');
    await textInput(form, 'id').fill(groupId);
    await textInput(form, 'iotHubs').fill(HUB);
    await submitAndWaitSaved(form, groupId);
    const groupKey = (await client.getEnrollmentGroupAttestation(groupId)).symmetricKey?.primaryKey ?? '';
    assert.ok(groupKey !== '', 'the group has a key');

    await openDpsView(page);
    await contextMenu(page, treeRow(page, groupId), 'Provision Test Device…');
    await answerInput(page, deviceId, 'Registration id of the test device');
    await confirmIdScopeOnce();
    await answerInput(page, '', 'leave empty for none');
    // The device waits for its assignment: the notification says so, with the status DPS reported.
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: `Provisioning ${deviceId}` }).first();
    await progress.waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('provision-e2e-1-symmetric-progress');

    await editorShowing(page, `${deviceId}\` assigned`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, `Assigned hub | ${HUB}`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, `Device id | ${deviceId}`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, 'Status | assigned').waitFor({ timeout: FORM_TIMEOUT_MS });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `"${deviceId}" is assigned to ${HUB} as ${deviceId}.` }).first();
    await toast.waitFor({ timeout: FORM_TIMEOUT_MS });
    await wb.screenshot('provision-e2e-2-symmetric-result');
    // The connection string goes to the clipboard, with the key derived for this device (clicked
    // at once: the toast hides itself after a while).
    await toast.locator('.monaco-button', { hasText: 'Copy Device Connection String' }).first().click();
    const expected = `HostName=${HUB};DeviceId=${deviceId};SharedAccessKey=${deriveDeviceKey(groupKey, deviceId)}`;
    await waitUntil(async () => (await page.evaluate('navigator.clipboard.readText()')) === expected, 'the device connection string on the clipboard');

    // The registration shows under the group without a manual refresh.
    await expandRow(page, groupId);
    const registration = treeRow(page, deviceId);
    await registration.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match((await registration.getAttribute('aria-label')) ?? '', new RegExp(`${deviceId} @ ${HUB.replace(/\./g, '\\.')}`));
    await shot('provision-e2e-3-symmetric-registration-in-tree');
    const state = emu.store.getRegistration(deviceId)?.state;
    assert.equal(state?.assignedHub, HUB);
    assert.equal(state?.status, 'assigned');

  });

  void test('X.509 group from a CA certificate in the workspace: the command makes the device certificate and provisions it', async () => {
    const { page } = wb;
    const groupId = 'provision-x509-fleet';
    const deviceId = 'x509-device-001';
    await openExplorer(page);
    const caRow = explorerRow(page, CA_FILE);
    await caRow.waitFor({ timeout: FORM_TIMEOUT_MS });
    await contextMenu(page, caRow, 'Create Enrollment Group from This CA Certificate…');
    const form = await waitForForm(page, 'New enrollment group');
    await form.locator('#f-primaryCertificate-facts').getByText('CA certificate (self-signed root)').waitFor({ timeout: FORM_TIMEOUT_MS });
    await textInput(form, 'id').fill(groupId);
    await textInput(form, 'iotHubs').fill(HUB);
    await submitAndWaitSaved(form, groupId);
    assert.equal((await client.getEnrollmentGroup(groupId)).attestation.type, 'x509');

    await openDpsView(page);
    await contextMenu(page, treeRow(page, groupId), 'Provision Test Device…');
    await answerInput(page, deviceId, 'Registration id of the test device');
    await confirmIdScopeOnce();
    await pickInQuickPickTitled(page, 'X.509 test device', 'Make a device certificate');
    await shot('provision-e2e-4-x509-make-certificate');
    await pickFileInDialog(page, path.join(workspace, CA_FILE));
    await pickFileInDialog(page, path.join(workspace, CA_KEY_FILE));
    await answerInput(page, '', 'leave empty for none');
    await page.locator('.notifications-toasts .notification-toast', { hasText: `Provisioning ${deviceId}` }).first().waitFor({ timeout: FORM_TIMEOUT_MS });

    await editorShowing(page, `${deviceId}\` assigned`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, `Assigned hub | ${HUB}`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, `Device id | ${deviceId}`).waitFor({ timeout: FORM_TIMEOUT_MS });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `"${deviceId}" is assigned to ${HUB}` }).first();
    await toast.waitFor({ timeout: FORM_TIMEOUT_MS });
    // An X.509 device has no key to put in a connection string: no copy button.
    assert.equal(await toast.locator('.monaco-button', { hasText: 'Copy Device Connection String' }).count(), 0);
    await shot('provision-e2e-5-x509-result');

    await expandRow(page, groupId);
    const registration = treeRow(page, deviceId);
    await registration.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match((await registration.getAttribute('aria-label')) ?? '', new RegExp(`@ ${HUB.replace(/\./g, '\\.')}`));
    await shot('provision-e2e-6-x509-registration-in-tree');
    const stored = emu.store.getRegistration(deviceId);
    assert.equal(stored?.state.status, 'assigned');
    assert.equal(stored?.state.assignedHub, HUB);
  });

  void test('a disabled enrollment: the error and what to fix, nothing assigned', async () => {
    const { page } = wb;
    const id = 'provision-disabled';
    await contextMenu(page, treeRow(page, id), 'Provision Test Device…');
    await confirmIdScopeOnce();
    await answerInput(page, '', 'leave empty for none');
    await editorShowing(page, `${id}\` was not provisioned`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, 'What to do: Enable the enrollment').waitFor({ timeout: FORM_TIMEOUT_MS });
    await editorShowing(page, 'Kind | disabled').waitFor({ timeout: FORM_TIMEOUT_MS });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Enable the enrollment (and its group), then provision again.' }).first().waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('provision-e2e-7-disabled-error');
    assert.notEqual(emu.store.getRegistration(id)?.state.status, 'assigned');
    assert.equal((await client.getEnrollment(id)).provisioningStatus, 'disabled', 'the enrollment was left as it was');
  });
});
