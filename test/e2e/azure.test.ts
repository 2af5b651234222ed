// End to end in code-server: the Azure journeys against the emulator the extension starts, signed in
// with its test account (VS Code's Microsoft sign-in needs the network, so the emulator's account is
// what "Add Connection from Azure…" offers offline). Discovery adds an Entra ID connection; its tree
// browses the service and shows "CA Certificates"; the form's hub picker offers the linked hub; a CA
// made by the attestation library in the workspace is uploaded and verified in one step; a group's CA
// reference is picked from the instance's verified CAs, and a verified CA's row creates a group with
// it. Afterwards no token or key is in the user's settings, globalState or the extension's log.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateRootCertificate } from '../../src/attestation/generate';
import { clickNotificationButton, clickRow, contextMenu, e2eSkipReason, answerInput, openDpsView, openWorkbench, pickFileInDialog, runCommand, treeRow, type Workbench } from '../support/codeServer';
import { FORM_TIMEOUT_MS, submitAndWaitSaved, textInput, waitForForm } from '../support/formE2e';

const skip = e2eSkipReason();
const CA_NAME = 'azure-e2e-root';
const DEVICE_ID = 'azure-e2e-device';
const GROUP_ID = 'azure-e2e-group';
const CA_GROUP_ID = 'azure-e2e-ca-group';
const LINKED_HUB = 'emulator-hub.azure-devices.net';

/** Picks the first row of the open quick pick whose placeholder starts with `placeholder`; returns its text. */
async function pickFirst(wb: Workbench, placeholder: string): Promise<string> {
  const widget = wb.page.locator('.quick-input-widget', { has: wb.page.locator(`input[placeholder^="${placeholder}"]`) });
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const row = widget.locator('.monaco-list-row').first();
  await row.waitFor({ timeout: 30_000 });
  const text = (await row.innerText()).split('\n')[0] ?? '';
  await row.click();
  return text;
}

/** Every file under `dir` (the code-server user data: settings, globalState database, logs). */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) found.push(...filesUnder(full));
    else if (stat.isFile() && stat.size < 50 * 1024 * 1024) found.push(full);
  }
  return found;
}

/** Every key and value of the page's IndexedDB databases, as text (runs in the page; no DOM types here). */
const BROWSER_STATE_DUMP = `(async () => {
  const text = (v) => v instanceof Uint8Array ? new TextDecoder().decode(v) : typeof v === 'string' ? v : JSON.stringify(v);
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((resolve, reject) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    for (const storeName of Array.from(db.objectStoreNames)) {
      const store = db.transaction(storeName, 'readonly').objectStore(storeName);
      const keys = await new Promise((resolve) => { const r = store.getAllKeys(); r.onsuccess = () => resolve(r.result); r.onerror = () => resolve([]); });
      const values = await new Promise((resolve) => { const r = store.getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => resolve([]); });
      keys.forEach((key, i) => out.push([name + '/' + storeName + '/' + String(key), text(values[i])]));
    }
    db.close();
  }
  return out;
})()`;

void describe('Azure: sign in, discover, CA certificates, linked hubs (code-server)', { skip, timeout: 900_000 }, () => {
  let wb: Workbench;
  let workspace: string;
  let instanceName = '';

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-azure-'));
    const ca = await generateRootCertificate({ commonName: 'Azure E2E Root CA', key: 'ecdsa-p256' });
    writeFileSync(path.join(workspace, 'root-ca.pem'), ca.certificatePem);
    writeFileSync(path.join(workspace, 'root-ca.key.pem'), ca.privateKeyPem);
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
  });

  afterEach(async (t) => {
    await wb.screenshot(`azure-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  void test('sign in to the emulator test account and add a connection from discovery with Entra ID', async () => {
    const { page } = wb;
    await page.locator('.welcome-view-content .monaco-button', { hasText: 'Start Local Emulator' }).click();
    await treeRow(page, 'Local emulator').waitFor({ timeout: 60_000 });
    // Collapsed, so the rows below belong to the Azure connection only.
    await clickRow(page, 'Local emulator');

    await runCommand(page, 'DPS: Add Connection from Azure…');
    const widget = page.locator('.quick-input-widget', { has: page.locator('input[placeholder^="Sign in with"]') });
    await widget.waitFor({ state: 'visible', timeout: 30_000 });
    await widget.locator('.monaco-list-row', { hasText: 'Local emulator (test account)' }).first().click();
    await pickFirst(wb, 'Choose a subscription');
    const picked = await pickFirst(wb, 'Choose a provisioning service');
    const how = page.locator('.quick-input-widget', { has: page.locator('input[placeholder^="Connect with"]') });
    await how.waitFor({ state: 'visible', timeout: 30_000 });
    await how.locator('.monaco-list-row', { hasText: 'Microsoft Entra ID' }).first().click();
    // The api-version, asked as the manual add does; the first row is the current choice (2021-10-01 here).
    assert.match(await pickFirst(wb, 'Service API version'), /^2021-10-01/);
    // The connection row: its accessible name is the instance's name, then host and "Microsoft Entra ID".
    const row = page.locator('.sidebar .monaco-list-row[aria-label*="Microsoft Entra ID"]').first();
    await row.waitFor({ timeout: 60_000 });
    instanceName = ((await row.getAttribute('aria-label')) ?? '').split(',')[0] ?? '';
    assert.ok(instanceName.length > 0 && picked.startsWith(instanceName), `the row "${instanceName}" is the instance picked ("${picked}")`);
    // Browsing works through the Entra token: the emulator's demo enrollments are listed.
    await page.locator('.sidebar .monaco-list-row[aria-label*="individual enrollment"]').first().waitFor({ timeout: 60_000 });
    await treeRow(page, 'CA Certificates').waitFor({ timeout: 30_000 });
  });

  void test('create an enrollment with the hub picked from the linked hubs', async () => {
    const { page } = wb;
    await contextMenu(page, treeRow(page, instanceName), 'Create Individual Enrollment…');
    const form = await waitForForm(page, 'New individual enrollment');
    await form.locator('#f-attestationType-symmetricKey').click();
    await textInput(form, 'id').fill(DEVICE_ID);
    const box = form.locator('#hub-0');
    await box.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match((await box.getAttribute('label')) ?? '', new RegExp(`^${LINKED_HUB.replace(/\./g, '\\.')} \\(weight \\d+`));
    await box.click();
    assert.equal(await textInput(form, 'iotHubs').inputValue(), LINKED_HUB);
    await submitAndWaitSaved(form, DEVICE_ID);
    await openDpsView(page);
    await page.locator(`.sidebar .monaco-list-row[aria-label^="${DEVICE_ID}, individual enrollment"]`).first().waitFor({ timeout: FORM_TIMEOUT_MS });
  });

  void test('upload a CA from the workspace on the "CA Certificates" folder and verify it in one step', async () => {
    const { page } = wb;
    await runCommand(page, 'View: Close All Editors');
    await contextMenu(page, treeRow(page, 'CA Certificates'), 'Upload CA Certificate…');
    await pickFileInDialog(page, path.join(workspace, 'root-ca.pem'));
    await answerInput(page, CA_NAME, 'Certificate name in DPS');
    await clickNotificationButton(page, `Uploaded "${CA_NAME}"`, 'Verify');
    await pickFileInDialog(page, path.join(workspace, 'root-ca.key.pem'));
    await page.locator('.notifications-toasts .notification-toast', { hasText: `"${CA_NAME}" is verified` }).waitFor({ timeout: 60_000 });
    // The folder was refreshed: the certificate shows as verified, with its expiry.
    const folder = treeRow(page, 'CA Certificates');
    if ((await folder.getAttribute('aria-expanded')) !== 'true') await clickRow(page, 'CA Certificates');
    const certRow = page.locator(`.sidebar .monaco-list-row[aria-label^="${CA_NAME}, CA certificate, verified"]`).first();
    await certRow.waitFor({ timeout: 30_000 });
    assert.match((await certRow.getAttribute('aria-label')) ?? '', /expires \d{4}-\d{2}-\d{2}/);
    // A verified certificate offers Delete and a group with it, but no longer Verify.
    await certRow.click({ button: 'right' });
    await page.locator('.context-view .action-menu-item', { hasText: 'Delete CA Certificate…' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.context-view .action-menu-item', { hasText: 'Create Enrollment Group with This CA…' }).count(), 1);
    assert.equal(await page.locator('.context-view .action-menu-item', { hasText: 'Verify CA Certificate' }).count(), 0);
    await page.keyboard.press('Escape');
  });

  void test('create a group with the CA picked from the verified CAs and a hub from the picker', async () => {
    const { page } = wb;
    await runCommand(page, 'View: Close All Editors');
    await contextMenu(page, treeRow(page, instanceName), 'Create Enrollment Group…');
    const form = await waitForForm(page, 'New enrollment group');
    await textInput(form, 'id').fill(GROUP_ID);
    await form.locator('#f-x509Source-caReferences').click();
    // The list is read through ARM when the CA references show; the verified CA has its subject and expiry.
    const useCa = form.getByRole('button', { name: `Use ${CA_NAME} as the primary CA reference` });
    await useCa.waitFor({ timeout: FORM_TIMEOUT_MS });
    await form.locator('#ca-picker').getByText(/CN=Azure E2E Root CA.* · expires \d{4}-\d{2}-\d{2}/).waitFor({ timeout: FORM_TIMEOUT_MS });
    await useCa.click();
    assert.equal(await textInput(form, 'caReferencePrimary').inputValue(), CA_NAME);
    const box = form.locator('#hub-0');
    await box.waitFor({ timeout: FORM_TIMEOUT_MS });
    await box.click();
    assert.equal(await textInput(form, 'iotHubs').inputValue(), LINKED_HUB);
    await submitAndWaitSaved(form, GROUP_ID);
    await openDpsView(page);
    const row = page.locator(`.sidebar .monaco-list-row[aria-label^="${GROUP_ID}, enrollment group"]`).first();
    await row.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match((await row.getAttribute('aria-label')) ?? '', new RegExp(LINKED_HUB.replace(/\./g, '\\.')));
  });

  void test('"Create Enrollment Group with This CA…" on the verified CA row: the form comes prefilled and creates the group', async () => {
    const { page } = wb;
    await runCommand(page, 'View: Close All Editors');
    await openDpsView(page);
    const folder = treeRow(page, 'CA Certificates');
    if ((await folder.getAttribute('aria-expanded')) !== 'true') await clickRow(page, 'CA Certificates');
    const certRow = page.locator(`.sidebar .monaco-list-row[aria-label^="${CA_NAME}, CA certificate, verified"]`).first();
    await certRow.waitFor({ timeout: 30_000 });
    await contextMenu(page, certRow, 'Create Enrollment Group with This CA…');
    const form = await waitForForm(page, 'New enrollment group');
    assert.equal(await textInput(form, 'caReferencePrimary').inputValue(), CA_NAME);
    assert.equal(await form.locator('#f-x509Source-caReferences').getAttribute('aria-checked'), 'true');
    await form.locator('#ca-picker').getByRole('button', { name: `Use ${CA_NAME} as the primary CA reference`, pressed: true }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await textInput(form, 'id').fill(CA_GROUP_ID);
    await submitAndWaitSaved(form, CA_GROUP_ID);
    await openDpsView(page);
    await page.locator(`.sidebar .monaco-list-row[aria-label^="${CA_GROUP_ID}, enrollment group"]`).first().waitFor({ timeout: FORM_TIMEOUT_MS });
  });

  void test('no token or key reached the settings, globalState or the log', async () => {
    // The emulator's tokens are JWTs; a policy key is base64 of 32+ bytes after "SharedAccessKey=".
    // The emulator's data folder holds its own TLS keys by design; the workspace CA's key must be nowhere.
    const caKeyBody = readFileSync(path.join(workspace, 'root-ca.key.pem'), 'utf8').split('\n')[1] ?? '';
    assert.ok(caKeyBody.length > 20);
    const leaks: string[] = [];
    const scanned = filesUnder(wb.userDataDir).filter((file) => !/[\\/](CachedData|CachedExtensionVSIXs|extensions|Crashpad)[\\/]/.test(file));
    for (const file of scanned) {
      const text = readFileSync(file).toString('latin1');
      const emulatorData = /[\\/]globalStorage[\\/][^\\/]+[\\/]emulator[\\/]/.test(file);
      if (/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(text)) leaks.push(`${file}: a JWT`);
      if (/SharedAccessKey=[A-Za-z0-9+/]{20,}/.test(text)) leaks.push(`${file}: a shared access key`);
      if (!emulatorData && /-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text)) leaks.push(`${file}: a private key`);
      if (text.includes(caKeyBody)) leaks.push(`${file}: the workspace CA's private key`);
    }
    // In code-server the workbench keeps globalState in the browser (IndexedDB); SecretStorage entries
    // ("secret://…") are where secrets belong and are left out.
    const browserState = await wb.page.evaluate<Array<[string, string]>>(BROWSER_STATE_DUMP);
    const globalState = browserState.filter(([key]) => !key.includes('secret://'));
    for (const [key, value] of globalState) {
      if (/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(value)) leaks.push(`browser state ${key}: a JWT`);
      if (/SharedAccessKey=[A-Za-z0-9+/]{20,}/.test(value)) leaks.push(`browser state ${key}: a shared access key`);
      if (value.includes(caKeyBody)) leaks.push(`browser state ${key}: the workspace CA's private key`);
    }
    // Not vacuous: the settings, the extension's log and its globalState (the connection list) were read.
    assert.ok(scanned.some((f) => f.endsWith(`User${path.sep}settings.json`)), 'settings.json was scanned');
    assert.ok(scanned.some((f) => /DPS Enrollments\.log$/.test(f)), `the extension's log was scanned (files: ${scanned.map((f) => path.basename(f)).join(', ')})`);
    assert.ok(globalState.some(([, value]) => value.includes(instanceName) && value.includes('entra')), 'the globalState holding the Entra connection was scanned');
    assert.deepEqual(leaks, []);
  });
});
