// End to end in code-server: the enrollment form in the real editor against an emulator started in
// this process. Explorer right-click on a generated device certificate, TPM and symmetric-key
// creation, editing from the tree (ETag, unknown fields kept), and service refusals that keep the
// input. Screenshots go to test-results/screenshots/form-e2e-*.png.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateDeviceCertificate, generateTestChain, type TestChain } from '../../src/attestation';
import { DpsClient } from '../../src/dps/client';
import type { IndividualEnrollment } from '../../src/dps/models';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { rsaEndorsementKey } from '../support/attestation';
import {
  addConnectionThroughUi,
  contextMenu,
  dialogButton,
  e2eSkipReason,
  openDpsView,
  openWorkbench,
  resetWorkbench,
  runCommand,
  treeRow,
  type Workbench,
} from '../support/codeServer';
import { calmPointer, chooseOption, explorerRow, FORM_TIMEOUT_MS, inViewport, openExplorer, submitAndWaitSaved, textInput, waitForForm, waitUntil, watchWebviewErrors } from '../support/formE2e';

const skip = e2eSkipReason();
const DEVICE_CN = 'form-device-01';
const DEVICE_FILE = `${DEVICE_CN}.pem`;
const QUICK_CN = 'form-quick-01';
const ROOT_FILE = 'form-e2e-root-ca.pem';

function symmetricEnrollment(id: string, extra: Record<string, unknown> = {}): IndividualEnrollment {
  return { registrationId: id, attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled', capabilities: { iotEdge: false }, ...extra };
}

/** The tree row of an item with its accessible name, e.g. "id, individual enrollment, tpm, enabled". */
function rowNamed(wb: Workbench, prefix: string): ReturnType<typeof treeRow> {
  return wb.page.locator(`.sidebar .monaco-list-row[aria-label^="${prefix}"]`).first();
}

void describe('enrollment form in code-server', { skip, timeout: 900_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;
  let chain: TestChain;
  let webviewErrors: { take(): string[] };

  /** A screenshot without a stray tooltip over it. */
  async function shot(name: string): Promise<void> {
    await calmPointer(wb.page);
    await wb.screenshot(name);
  }

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-form-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-form-ws-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    // The workspace holds a generated chain, as a user's would: the device certificate is right-clicked.
    chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: DEVICE_CN, namePrefix: 'Form E2E' });
    writeFileSync(path.join(workspace, DEVICE_FILE), chain.device.certificatePem);
    writeFileSync(path.join(workspace, ROOT_FILE), chain.root.certificatePem);
    const quick = await generateDeviceCertificate({ commonName: QUICK_CN, key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
    writeFileSync(path.join(workspace, `${QUICK_CN}.crt`), quick.certificatePem);
    // Items the edit and refusal tests work on. `futureField` stands for a field of a newer API
    // version that the form does not know: an update must send it back unchanged.
    // Created through the API so the service generates their symmetric keys, as DPS does.
    await client.createOrUpdateEnrollment(symmetricEnrollment('form-edit-01', { futureField: { keep: true }, initialTwin: { tags: { ring: '1' } } }));
    await client.createOrUpdateEnrollment(symmetricEnrollment('form-taken'));
    await client.createOrUpdateEnrollment(symmetricEnrollment('form-conflict'));
    wb = await openWorkbench({ workspace });
    webviewErrors = watchWebviewErrors(wb.page);
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'form emulator', emu.caCertificatePath);
  });

  beforeEach(async () => {
    await resetWorkbench(wb.page);
    await openDpsView(wb.page);
  });

  afterEach(async (t) => {
    await wb.screenshot(`form-e2e-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
    // Script errors and CSP refusals in the form fail the test that caused them.
    assert.deepEqual(webviewErrors.take(), [], 'no errors in the webview');
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  void test('Explorer: "Enroll Device with This Certificate…" opens the form prefilled and creates the enrollment', async () => {
    const { page } = wb;
    await openExplorer(page);
    const row = explorerRow(page, DEVICE_FILE);
    await row.waitFor({ timeout: FORM_TIMEOUT_MS });
    await contextMenu(page, row, 'Enroll Device with This Certificate…');

    const form = await waitForForm(page, 'New individual enrollment');
    // Prefilled by the host from the file: X.509, the file chosen, the id from the certificate's CN.
    const facts = form.locator('#f-primaryCertificate-facts');
    await facts.getByText('Leaf (device) certificate').waitFor({ timeout: FORM_TIMEOUT_MS });
    const factsText = (await facts.textContent()) ?? '';
    assert.match(factsText, /Form E2E Intermediate CA/, 'the issuer is shown');
    assert.match(factsText, /ECDSA P-256/, 'the key is shown');
    assert.equal(await textInput(form, 'id').inputValue(), DEVICE_CN, 'registration id from the CN');
    assert.equal(await form.locator('#f-attestationType-x509').getAttribute('aria-checked'), 'true');
    await shot('form-e2e-1-explorer-prefilled');

    await submitAndWaitSaved(form, DEVICE_CN);
    await form.locator('#form-title', { hasText: 'Edit individual enrollment' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    // The confirmation is where the user looks after pressing Save at the bottom of the long form.
    assert.ok(await inViewport(page, form.locator('#status')), 'the "Saved" status is on screen');
    await shot('form-e2e-2a-explorer-saved');

    const saved = await client.getEnrollment(DEVICE_CN);
    assert.equal(saved.attestation.type, 'x509');
    const info = saved.attestation.x509?.clientCertificates?.primary?.info;
    assert.match(info?.subjectName ?? '', new RegExp(`CN=${DEVICE_CN}`), 'the service holds the device certificate');
    await openDpsView(page);
    await rowNamed(wb, `${DEVICE_CN}, individual enrollment`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-2-explorer-created-in-tree');
  });

  void test('TPM individual enrollment: a pasted EK suggests the registration id; created and listed', async () => {
    const { page } = wb;
    await runCommand(page, 'Create Individual Enrollment…');
    const form = await waitForForm(page, 'New individual enrollment');
    await form.locator('#f-attestationType-tpm').click();
    const ek = rsaEndorsementKey().toString('base64');
    await textInput(form, 'endorsementKey').fill(ek);
    // The host parses the EK and suggests the id DPS derives from it (base32 of its hash).
    await form.locator('#use-tpm-id').waitFor({ timeout: FORM_TIMEOUT_MS });
    await waitUntil(async () => (await textInput(form, 'id').inputValue()) !== '', 'the suggested registration id');
    const id = await textInput(form, 'id').inputValue();
    assert.match(id, /^[a-z2-7]{52}$/);
    await textInput(form, 'deviceId').fill('tpm-device-01');
    await shot('form-e2e-3-tpm-filled');

    await submitAndWaitSaved(form, id);
    const saved = await client.getEnrollment(id);
    assert.equal(saved.attestation.type, 'tpm');
    assert.equal(saved.attestation.tpm?.endorsementKey, ek);
    assert.equal(saved.deviceId, 'tpm-device-01');
    await rowNamed(wb, `${id}, individual enrollment`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-4-tpm-in-tree');
  });

  void test('symmetric-key enrollment group: generated key and tags; created and listed', async () => {
    const { page } = wb;
    const id = 'form-sensors';
    await runCommand(page, 'Create Enrollment Group…');
    const form = await waitForForm(page, 'New enrollment group');
    await form.locator('#f-attestationType-symmetricKey').click();
    await form.locator('#generate-primary').click();
    await waitUntil(async () => (await textInput(form, 'symmetricKeyPrimary').inputValue()).length === 88, 'the generated 64-byte key');
    const key = await textInput(form, 'symmetricKeyPrimary').inputValue();
    await textInput(form, 'id').fill(id);
    await textInput(form, 'tagsJson').fill('{ "site": "lab" }');
    await shot('form-e2e-5-symmetric-group-filled');

    await submitAndWaitSaved(form, id);
    const saved = await client.getEnrollmentGroup(id);
    assert.equal(saved.attestation.type, 'symmetricKey');
    // GET leaves keys out (as DPS does); the attestation mechanism call returns them.
    const keys = (await client.getEnrollmentGroupAttestation(id)).symmetricKey;
    assert.equal(keys?.primaryKey, key, 'the generated key was sent');
    assert.ok((keys?.secondaryKey ?? '').length > 0, 'the empty secondary key was generated on save');
    assert.deepEqual(saved.initialTwin?.tags, { site: 'lab' });
    await rowNamed(wb, `${id}, enrollment group`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-6-group-in-tree');
  });

  void test('"Edit…" on a tree item: status and tags change, the ETag moves on, unknown fields are kept', async () => {
    const { page } = wb;
    const id = 'form-edit-01';
    const before = await client.getEnrollment(id);
    const keysBefore = (await client.getEnrollmentAttestation(id)).symmetricKey;
    assert.ok(keysBefore?.primaryKey, 'the service generated keys');
    await contextMenu(page, treeRow(page, id), 'Edit…');
    const form = await waitForForm(page, 'Edit individual enrollment');
    assert.deepEqual(JSON.parse(await textInput(form, 'tagsJson').inputValue()), { ring: '1' }, 'prefilled from the service');
    // The dropdown opens next to the sticky Save bar: it must stay on top of it (looked at in the shot).
    await form.locator('#f-provisioningStatus').click();
    await form.locator('#f-provisioningStatus').getByRole('option', { name: 'Disabled', exact: true }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-7a-edit-status-dropdown');
    await page.keyboard.press('Escape');
    await chooseOption(form, 'provisioningStatus', 'Disabled');
    await textInput(form, 'tagsJson').fill('{ "ring": "2" }');
    await shot('form-e2e-7-edit-changed');

    await submitAndWaitSaved(form, id);
    const after = await client.getEnrollment(id);
    assert.equal(after.provisioningStatus, 'disabled');
    assert.deepEqual(after.initialTwin?.tags, { ring: '2' });
    assert.notEqual(after.etag, before.etag, 'a new ETag');
    assert.deepEqual(after.futureField, { keep: true }, 'the field the form does not know was sent back');
    assert.deepEqual((await client.getEnrollmentAttestation(id)).symmetricKey, keysBefore, 'the keys were kept, not rotated');
    // The page now shows the new version; the tree shows the item disabled.
    await form.locator('#form-subtitle', { hasText: String(after.etag) }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await rowNamed(wb, `${id}, individual enrollment, symmetricKey, disabled`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-8-edit-saved');
  });

  void test('creating with an id that exists: inline error on the id, the input stays, nothing is overwritten', async () => {
    const { page } = wb;
    const id = 'form-taken';
    const before = await client.getEnrollment(id);
    await runCommand(page, 'Create Individual Enrollment…');
    const form = await waitForForm(page, 'New individual enrollment');
    await form.locator('#f-attestationType-symmetricKey').click();
    await textInput(form, 'id').fill(id);
    await textInput(form, 'deviceId').fill('should-not-land');
    await textInput(form, 'tagsJson').fill('{ "keep": "me" }');
    await form.locator('#submit').click();

    await form.locator('#f-id-error', { hasText: 'already exists' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await form.locator('#banner', { hasText: 'already exists' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.equal(await textInput(form, 'id').inputValue(), id);
    assert.equal(await textInput(form, 'deviceId').inputValue(), 'should-not-land');
    assert.equal(await textInput(form, 'tagsJson').inputValue(), '{ "keep": "me" }');
    await shot('form-e2e-9-id-exists');
    const now = await client.getEnrollment(id);
    assert.equal(now.etag, before.etag, 'the existing enrollment was not touched');
    assert.equal(now.deviceId, undefined);
  });

  void test('saving after someone else changed the item (412): a banner, the input stays, nothing is written', async () => {
    const { page } = wb;
    const id = 'form-conflict';
    await contextMenu(page, treeRow(page, id), 'Edit…');
    const form = await waitForForm(page, 'Edit individual enrollment');
    const opened = await client.getEnrollment(id);
    const concurrent = await client.createOrUpdateEnrollment({ ...opened, deviceId: 'changed-elsewhere' });
    await textInput(form, 'deviceId').fill('mine');
    await textInput(form, 'tagsJson').fill('{ "mine": true }');
    await form.locator('#submit').click();

    await form.locator('#banner', { hasText: 'changed by someone else' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.equal(await textInput(form, 'deviceId').inputValue(), 'mine');
    assert.equal(await textInput(form, 'tagsJson').inputValue(), '{ "mine": true }');
    assert.equal(await form.locator('#submit').getAttribute('disabled'), null, 'the form can be submitted again');
    await shot('form-e2e-10-conflict');
    const now = await client.getEnrollment(id);
    assert.equal(now.etag, concurrent.etag, 'nothing was written');
    assert.equal(now.deviceId, 'changed-elsewhere');
  });

  void test('Explorer: "Quick Enroll Device Certificate (No Form)…" confirms, creates and lists the enrollment', async () => {
    const { page } = wb;
    await openExplorer(page);
    const row = explorerRow(page, `${QUICK_CN}.crt`);
    await row.waitFor({ timeout: FORM_TIMEOUT_MS });
    await contextMenu(page, row, 'Quick Enroll Device Certificate (No Form)…');
    await page.locator('.monaco-dialog-box', { hasText: `"${QUICK_CN}"` }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await shot('form-e2e-11-quick-enroll-confirm');
    await dialogButton(page, 'Create');
    await waitUntil(async () => (await client.getEnrollment(QUICK_CN).then(() => true, () => false)), 'the enrollment on the service');
    const saved = await client.getEnrollment(QUICK_CN);
    assert.match(saved.attestation.x509?.clientCertificates?.primary?.info?.subjectName ?? '', new RegExp(`CN=${QUICK_CN}`));
    await openDpsView(page);
    await rowNamed(wb, `${QUICK_CN}, individual enrollment`).waitFor({ timeout: FORM_TIMEOUT_MS });
  });
});

void describe('enrollment form in code-server, light theme', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;
  let webviewErrors: { take(): string[] };

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-form-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-form-ws-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    const chain = await generateTestChain({ key: 'rsa-2048', deviceCommonName: 'light-device-01', namePrefix: 'Form Light' });
    writeFileSync(path.join(workspace, ROOT_FILE), chain.root.certificatePem);
    wb = await openWorkbench({ workspace, theme: 'Default Light Modern' });
    webviewErrors = watchWebviewErrors(wb.page);
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'light emulator', emu.caCertificatePath);
  });

  afterEach(async (t) => {
    await wb.screenshot(`form-e2e-last-light-${t.name.slice(0, 34).replace(/[^a-z0-9]+/gi, '-')}`);
    assert.deepEqual(webviewErrors.take(), [], 'no errors in the webview');
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  void test('Explorer: "Create Enrollment Group from This CA Certificate…" shows the CA and creates the group', async () => {
    const { page } = wb;
    const id = 'light-fleet';
    await openExplorer(page);
    const row = explorerRow(page, ROOT_FILE);
    await row.waitFor({ timeout: FORM_TIMEOUT_MS });
    await contextMenu(page, row, 'Create Enrollment Group from This CA Certificate…');
    const form = await waitForForm(page, 'New enrollment group');
    const facts = form.locator('#f-primaryCertificate-facts');
    await facts.getByText('CA certificate (self-signed root)').waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match((await facts.textContent()) ?? '', /RSA 2048/);
    assert.equal(await form.locator('#f-primaryCertificate-error').isVisible(), false, 'a root CA is fine for a group');
    await textInput(form, 'id').fill(id);
    await calmPointer(page);
    await wb.screenshot('form-e2e-12-light-group-from-ca');

    await submitAndWaitSaved(form, id);
    const saved = await client.getEnrollmentGroup(id);
    assert.equal(saved.attestation.type, 'x509');
    assert.match(saved.attestation.x509?.signingCertificates?.primary?.info?.subjectName ?? '', /Form Light Root CA/);
    await openDpsView(page);
    await rowNamed(wb, `${id}, enrollment group`).waitFor({ timeout: FORM_TIMEOUT_MS });
    await calmPointer(page);
    await wb.screenshot('form-e2e-13-light-group-saved');
  });
});
