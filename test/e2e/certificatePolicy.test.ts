// End to end in code-server, api-version 2026-11-01 against an emulator linked to an Azure Device
// Registry namespace: add the connection choosing 2026-11-01, create an enrollment with a certificate
// policy from the form, provision a test device with a CSR, and open the saved certificate.
// Screenshots go to test-results/screenshots/adr-e2e-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { addConnectionThroughUi, answerInput, clickNotificationButton, contextMenu, e2eSkipReason, openDpsView, openWorkbench, pickQuickPickItem, runCommand, treeRow, type Workbench } from '../support/codeServer';
import { calmPointer, FORM_TIMEOUT_MS, submitAndWaitSaved, textInput, waitForForm, waitUntil, watchWebviewErrors } from '../support/formE2e';

const skip = e2eSkipReason();
const ID = 'adr-dev-01';

void describe('ADR certificate policy in code-server (2026-11-01)', { skip, timeout: 900_000 }, () => {
  let emu: RunningEmulator;
  let client: DpsClient;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-adr-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-adr-ws-'));
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none', adr: { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }] } });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem, apiVersion: '2026-11-01' });
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'adr emulator', emu.caCertificatePath, '2026-11-01');
  });

  after(async () => {
    await wb?.close();
    client?.dispose();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('create with a policy from the form, provision with a CSR, open the saved certificate', async () => {
    const { page } = wb;
    const errors = watchWebviewErrors(page);
    await runCommand(page, 'Create Individual Enrollment…');
    const form = await waitForForm(page, 'New individual enrollment');
    await form.locator('#section-certificatePolicy').waitFor({ state: 'visible', timeout: FORM_TIMEOUT_MS });
    await textInput(form, 'id').fill(ID);
    await form.locator('#f-attestationType-symmetricKey').click();
    await textInput(form, 'namespaceName').fill('adr-ns');
    await textInput(form, 'certificateAuthorityName').fill('ca1');
    await textInput(form, 'certificatePolicyName').fill('device-certs');
    await calmPointer(page);
    await wb.screenshot('adr-e2e-form');
    await submitAndWaitSaved(form, ID);
    const saved = await client.getEnrollment(ID);
    assert.deepEqual([saved.namespaceName, saved.certificateAuthorityName, saved.certificatePolicyName], ['adr-ns', 'ca1', 'device-certs']);

    await runCommand(page, 'View: Close All Editors');
    const row = page.locator(`.sidebar .monaco-list-row[aria-label^="${ID}, individual enrollment"]`).first();
    await waitUntil(async () => (await row.getAttribute('aria-label').catch(() => '') ?? '').includes('policy device-certs'), 'the tree row names the policy');
    await contextMenu(page, row, 'Provision Test Device…');
    await answerInput(page, emu.idScope, 'The ID scope'); // a hand-added loopback emulator: prefilled, still confirmed
    await pickQuickPickItem(page, 'Request a certificate', 'Request an operational certificate');
    await answerInput(page, ID, 'Folder inside the workspace');
    await answerInput(page, '', 'JSON sent with the registration');
    await page.locator('.monaco-editor', { hasText: 'Issued certificate' }).first().waitFor({ timeout: FORM_TIMEOUT_MS });
    await calmPointer(page);
    await wb.screenshot('adr-e2e-result');
    const certificatePath = path.join(workspace, ID, `${ID}.cert.pem`);
    const keyPath = path.join(workspace, ID, `${ID}.key.pem`);
    assert.ok(existsSync(certificatePath) && existsSync(keyPath));
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    const leaf = new X509Certificate(readFileSync(certificatePath, 'utf8'));
    assert.match(leaf.subject, new RegExp(`CN=${ID}`));
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');

    await clickNotificationButton(page, /is assigned to/, 'Open Certificate');
    await page.locator('.tabs-container .tab', { hasText: `${ID}.cert.pem` }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await calmPointer(page);
    await wb.screenshot('adr-e2e-certificate');
    assert.deepEqual(errors.take(), []);
    assert.ok(await treeRow(page, 'adr emulator').isVisible());
  });
});
