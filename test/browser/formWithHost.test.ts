// The page and the real host logic together: the page in Chromium, the form controller in Node
// with the real attestation library, generated certificates and keys, and an in-memory service.
// Messages cross the same boundary as in VS Code (postMessage in, a binding out).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { deriveDeviceKey, generateDeviceCertificate, type TestChain } from '../../src/attestation';
import { DpsError } from '../../src/dps/errors';
import type { EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import type { FormOpenOptions } from '../../src/enrollmentForm/formController';
import type { HostMessage } from '../../src/enrollmentForm/protocol';
import { rsaEndorsementKey, testChain } from '../support/attestation';
import { browserSkipReason, launchBrowser, openFormPage, startFormPageServer, type FormPage, type FormPageServer } from '../support/webviewPage';
import { FakeFormClient, formHost, memoryFile, type HostHarness } from '../support/webviewHost';

const skip = browserSkipReason();

void describe('enrollment form page with the real host logic', { skip }, () => {
  let server: FormPageServer;
  let browser: Browser;
  let chain: TestChain;

  before(async () => {
    [server, browser, chain] = await Promise.all([startFormPageServer(), launchBrowser(), testChain('ecdsa-p256', 'device-01')]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the page connected to a controller; the workspace holds the generated chain. */
  async function connected(options: Omit<FormOpenOptions, 'connectionLabel'>, client = new FakeFormClient()): Promise<{ form: FormPage; host: HostHarness }> {
    let deliver: (form: FormPage) => void = () => undefined;
    const pageReady = new Promise<FormPage>((resolve) => {
      deliver = resolve;
    });
    const host = formHost(options, client, (message: HostMessage) => {
      void pageReady.then((form) => form.send(message));
    });
    host.workspaceFiles.push(
      memoryFile('certs/root-ca.pem', chain.root.certificatePem),
      memoryFile('certs/intermediate-ca.pem', chain.intermediate.certificatePem),
      memoryFile('certs/device-01.pem', chain.device.certificatePem),
      memoryFile('certs/device-01.key', chain.device.privateKeyPem),
    );
    const form = await openFormPage(browser, server, 'dark', (message) => host.controller.handle(message));
    deliver(form);
    await form.page.locator('#f-id input').waitFor();
    return { form, host };
  }

  async function finish(form: FormPage): Promise<void> {
    assert.deepEqual(await form.cspViolations(), []);
    assert.deepEqual(form.errors, []);
    await form.page.context().close();
  }

  async function choose(form: FormPage, selectId: string, option: string): Promise<void> {
    await form.page.locator(`#${selectId}`).click();
    await form.page.locator(`#${selectId}`).getByRole('option', { name: option, exact: true }).click();
  }

  async function waitForSaved(host: HostHarness): Promise<void> {
    for (let i = 0; i < 200 && !host.posted.some((m) => m.type === 'saved'); i += 1) await new Promise((r) => setTimeout(r, 25));
    assert.ok(host.posted.some((m) => m.type === 'saved'), `not saved; posted: ${JSON.stringify(host.posted.filter((m) => m.type !== 'init'))}`);
  }

  void test('X.509 individual enrollment from a workspace certificate: facts, id from CN, created', async () => {
    const { form, host } = await connected({ kind: 'enrollment', mode: 'create' });
    await choose(form, 'f-primaryCertificate', 'certs/device-01.pem');
    const facts = form.page.locator('#f-primaryCertificate-facts');
    await facts.getByText('Leaf (device) certificate').waitFor();
    assert.match((await facts.textContent()) ?? '', /ECDSA P-256/);
    assert.match((await facts.textContent()) ?? '', /DPS Test Intermediate CA/);
    assert.equal(await form.property('#f-id', 'value'), 'device-01');
    await form.screenshot('host-x509-enrollment');
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    await form.page.locator('#form-title').getByText('Edit individual enrollment').waitFor();
    const saved = host.client.enrollments.get('device-01');
    assert.equal(saved?.attestation.x509?.clientCertificates?.primary?.certificate?.includes('BEGIN CERTIFICATE'), true);
    await finish(form);
  });

  void test('X.509 group: a private key and a leaf are refused inline; the root CA creates the group', async () => {
    const { form, host } = await connected({ kind: 'group', mode: 'create' });
    await choose(form, 'f-primaryCertificate', 'certs/device-01.key');
    await form.page.locator('#f-primaryCertificate-error').getByText('private key', { exact: false }).waitFor();
    await choose(form, 'f-primaryCertificate', 'certs/device-01.pem');
    await form.page.locator('#f-primaryCertificate-facts').getByText('Leaf (device) certificate').waitFor();
    assert.notEqual((await form.page.locator('#f-primaryCertificate-error').textContent()) ?? '', '');
    assert.equal(await form.property('#f-id', 'value'), '', 'a leaf CN is no group id');
    await form.screenshot('host-x509-group-leaf-refused');
    await choose(form, 'f-primaryCertificate', 'certs/root-ca.pem');
    await form.page.locator('#f-primaryCertificate-facts').getByText('CA certificate (self-signed root)').waitFor();
    assert.equal(await form.page.locator('#f-primaryCertificate-error').isVisible(), false);
    await form.page.locator('#f-id input').fill('contoso-fleet');
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    assert.ok(host.client.groups.get('contoso-fleet')?.attestation.x509?.signingCertificates?.primary?.certificate);
    await finish(form);
  });

  void test('TPM enrollment: the EK is parsed as typed, its registration id suggested, created', async () => {
    const { form, host } = await connected({ kind: 'enrollment', mode: 'create' });
    await form.page.locator('#f-attestationType-tpm').click();
    const ek = rsaEndorsementKey().toString('base64');
    await form.page.locator('#f-endorsementKey textarea').fill(ek.slice(0, 60));
    await form.page.locator('#f-endorsementKey-error').waitFor();
    await form.page.locator('#f-endorsementKey textarea').fill(ek);
    await form.page.locator('#use-tpm-id').waitFor();
    const id = String(await form.property('#f-id', 'value'));
    assert.match(id, /^[a-z2-7]{52}$/);
    assert.equal(await form.page.locator('#f-endorsementKey-error').isVisible(), false);
    await form.screenshot('host-tpm-enrollment');
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    assert.equal(host.client.enrollments.get(id)?.attestation.tpm?.endorsementKey, ek);
    await finish(form);
  });

  void test('symmetric-key group: generated key, derived device key matches the library, created', async () => {
    const { form, host } = await connected({ kind: 'group', mode: 'create' });
    await form.page.locator('#f-attestationType-symmetricKey').click();
    await form.page.locator('#generate-primary').click();
    await form.waitUntil("document.querySelector('#f-symmetricKeyPrimary').value.length === 88");
    const key = String(await form.property('#f-symmetricKeyPrimary', 'value'));
    await form.page.locator('#f-deriveRegistrationId input').fill('sensor-001');
    await form.page.locator('#derive').click();
    await form.waitUntil("document.querySelector('#f-derivedKey').value !== ''");
    assert.equal(await form.property('#f-derivedKey', 'value'), deriveDeviceKey(key, 'sensor-001'));
    await form.page.locator('#f-id input').fill('sensors');
    await form.screenshot('host-symmetric-group');
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    const group = host.client.groups.get('sensors') as EnrollmentGroup;
    assert.equal(group.attestation.symmetricKey?.primaryKey, key);
    await finish(form);
  });

  void test('a service error lands on its field, keeps the input, and the retry succeeds', async () => {
    const client = new FakeFormClient();
    client.failNextPut = new DpsError({ kind: 'http', status: 400, errorCode: 400004, message: 'IoT hub hub-b.azure-devices.net is not linked to this provisioning service.', operation: 'IndividualEnrollment_CreateOrUpdate' });
    const { form, host } = await connected({ kind: 'enrollment', mode: 'create' }, client);
    await form.page.locator('#f-attestationType-symmetricKey').click();
    await form.page.locator('#f-id input').fill('device-77');
    await form.page.locator('#f-iotHubs textarea').fill('hub-b.azure-devices.net');
    await form.page.locator('#f-tagsJson textarea').fill('{"floor": 3}');
    await form.page.locator('#submit').click();
    await form.page.locator('#f-iotHubs-error').getByText('not linked').waitFor();
    assert.equal(await form.property('#f-id', 'value'), 'device-77');
    assert.equal(await form.property('#f-tagsJson', 'value'), '{"floor": 3}');
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    assert.deepEqual(host.client.enrollments.get('device-77')?.initialTwin?.tags, { floor: 3 });
    await finish(form);
  });

  void test('update: prefilled, If-Match sent, unknown fields kept', async () => {
    const client = new FakeFormClient();
    const existing: IndividualEnrollment = {
      registrationId: 'device-01', deviceId: 'dev-01', etag: '"e7"', provisioningStatus: 'enabled',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { info: { subjectName: 'CN=device-01', issuerName: 'CN=DPS Test Intermediate CA', sha1Thumbprint: 'AB', sha256Thumbprint: 'CD', notBeforeUtc: '2026-01-01T00:00:00Z', notAfterUtc: '2027-01-01T00:00:00Z', serialNumber: '01', version: 3 } } } } },
      capabilities: { iotEdge: false }, someNewField: 'kept',
    };
    client.enrollments.set('device-01', existing);
    const { form, host } = await connected({ kind: 'enrollment', mode: 'update', existing }, client);
    await form.page.locator('#form-title').getByText('Edit individual enrollment').waitFor();
    assert.equal(await form.property('#f-deviceId', 'value'), 'dev-01');
    await form.page.locator('#f-iotEdge').click();
    await form.page.locator('#submit').click();
    await waitForSaved(host);
    const put = host.client.puts.at(-1);
    assert.equal(put?.ifMatch, '"e7"');
    assert.equal((put?.body as IndividualEnrollment).someNewField, 'kept');
    assert.equal((put?.body as IndividualEnrollment).capabilities?.iotEdge, true);
    await finish(form);
  });

  void test('a certificate ending in 26 days warns: the one stored on the service, and a newly picked file', async () => {
    // An hour past the 26th day, so the whole days left are 26 however long the test takes.
    const endsIn26Days = new Date(Date.now() + 26 * 86_400_000 + 3_600_000);
    const shortLived = await generateDeviceCertificate({
      commonName: 'device-01', key: 'ecdsa-p256', notAfter: endsIn26Days,
      issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem },
    });
    const client = new FakeFormClient();
    const existing: IndividualEnrollment = {
      registrationId: 'device-01', etag: '"e1"', provisioningStatus: 'enabled',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { info: { subjectName: 'CN=device-01', issuerName: 'CN=DPS Test Intermediate CA', sha1Thumbprint: 'AB', sha256Thumbprint: 'CD', notBeforeUtc: '2026-01-01T00:00:00Z', notAfterUtc: endsIn26Days.toISOString(), serialNumber: '01', version: 3 } } } } },
    };
    client.enrollments.set('device-01', existing);
    const { form, host } = await connected({ kind: 'enrollment', mode: 'update', existing }, client);

    const stored = form.page.locator('#f-primaryCertificate-expiry');
    await stored.getByText('The certificate on the service expires in 26 days', { exact: false }).waitFor();
    assert.match((await stored.getAttribute('class')) ?? '', /\bwarning\b/);
    assert.match((await form.page.locator('#f-primaryCertificate-facts').textContent()) ?? '', /Current certificate on the service/);
    await form.screenshot('host-stored-certificate-expiring');

    host.dialogFile.value = memoryFile('certs/short-lived.pem', shortLived.certificatePem);
    await form.page.locator('#f-primaryCertificate-browse').click();
    await form.page.locator('#f-primaryCertificate-facts').getByText('certs/short-lived.pem').waitFor();
    const picked = form.page.locator('#f-primaryCertificate-error');
    await picked.getByText('expires in 26 days', { exact: false }).waitFor();
    assert.match((await picked.textContent()) ?? '', /"device-01" expires in 26 days/);
    assert.match((await picked.getAttribute('class')) ?? '', /\bwarning\b/, 'a warning, not an error');
    assert.equal(await stored.count(), 0, 'the stored certificate\'s warning goes with it');
    await finish(form);
  });
});
