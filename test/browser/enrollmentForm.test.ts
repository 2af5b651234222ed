// The enrollment form page in headless Chromium, under the panel's CSP, with a stand-in host.
// Each test opens its own page; the test plays the host by sending protocol messages and checks
// what the page posts back and what it shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { FieldProblem, FormDraft, SubmitMessage } from '../../src/enrollmentForm/protocol';
import { browserSkipReason, launchBrowser, openFormPage, startFormPageServer, type FormPage, type FormPageServer } from '../support/webviewPage';
import { certificateSummary, initMessage } from '../support/webviewMessages';

const skip = browserSkipReason();
const HOSTILE = '"><img src=x onerror=alert(1)>';

void describe('enrollment form page', { skip }, () => {
  let server: FormPageServer;
  let browser: Browser;
  const pages: FormPage[] = [];

  before(async () => {
    server = await startFormPageServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(theme: 'dark' | 'light' = 'dark'): Promise<FormPage> {
    const form = await openFormPage(browser, server, theme);
    pages.push(form);
    return form;
  }

  async function close(form: FormPage): Promise<void> {
    assert.deepEqual(await form.cspViolations(), [], 'the page violated its CSP');
    assert.deepEqual(form.errors, [], 'the page logged errors');
    await form.page.context().close();
  }

  async function type(form: FormPage, fieldName: string, text: string): Promise<void> {
    const inner = form.page.locator(`#f-${fieldName}`).locator('input, textarea').first();
    await inner.fill(text);
  }

  async function value(form: FormPage, fieldName: string): Promise<string> {
    return String(await form.property(`#f-${fieldName}`, 'value'));
  }

  async function errorText(form: FormPage, fieldName: string): Promise<string> {
    const error = form.page.locator(`#f-${fieldName}-error`);
    return (await error.isVisible()) ? ((await error.textContent()) ?? '') : '';
  }

  async function submit(form: FormPage): Promise<void> {
    await form.page.locator('#submit').click();
  }

  /** Answers the pending submit as the host would when it found `problems` (the page merges them). */
  async function answerSubmit(form: FormPage, problems: FieldProblem[] = []): Promise<void> {
    const sent = await lastSubmit(form);
    await form.send({ type: 'validation', requestId: sent.requestId, problems });
  }

  async function lastSubmit(form: FormPage): Promise<SubmitMessage> {
    const submits = (await form.posted()).filter((m): m is SubmitMessage => m.type === 'submit');
    const last = submits.at(-1);
    assert.ok(last, 'no submit was posted');
    return last;
  }

  async function chooseOption(form: FormPage, selectId: string, optionLabel: string): Promise<void> {
    await form.page.locator(`#${selectId}`).click();
    await form.page.locator(`#${selectId}`).getByRole('option', { name: optionLabel, exact: true }).click();
  }

  void test('starts with ready, renders init under the strict CSP, in dark and light themes', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const form = await open(theme);
      const posted = await form.posted();
      assert.equal(posted[0]?.type, 'ready', 'ready is the first message');
      await form.send(initMessage('enrollment'));
      await form.page.locator('#form-title').getByText('New individual enrollment').waitFor();
      assert.match((await form.page.locator('#form-subtitle').textContent()) ?? '', /contoso-dps/);
      // Visible labels name the inner inputs for screen readers.
      assert.equal(await form.page.locator('#f-id input').getAttribute('aria-label'), 'Registration ID');
      assert.equal(await form.page.locator('#f-deviceId input').getAttribute('aria-label'), 'Device ID');
      assert.equal(await form.page.getByRole('radio', { name: 'TPM' }).count(), 1, 'attestation radios have roles and names');
      assert.equal(await form.page.getByRole('radio', { name: 'X.509 certificate', checked: true }).count(), 1, 'the checked state is exposed');
      assert.equal(await form.page.getByRole('checkbox', { name: 'IoT Edge device', checked: false }).count(), 1);
      assert.equal(await form.page.getByRole('combobox', { name: 'Allocation policy' }).count(), 1);
      assert.equal(await form.page.getByRole('button', { name: 'Create individual enrollment' }).count(), 1);
      await form.screenshot(`form-enrollment-create-${theme}`);
      await close(form);
    }
  });

  void test('X.509: choosing a workspace file posts its id, shows the facts and fills the id from the CN', async () => {
    const form = await open();
    await form.send(initMessage('enrollment'));
    await chooseOption(form, 'f-primaryCertificate', 'certs/device-01.pem');
    const pick = await form.waitForPosted('pickCertificate');
    assert.equal(pick.slot, 'primary');
    assert.equal(pick.fileId, 'file-1');
    await form.send({ type: 'certificateChosen', requestId: pick.requestId, slot: 'primary', certificate: { token: 'tok-1', summary: certificateSummary() }, problems: [], suggestedId: 'device-01' });
    const facts = form.page.locator('#f-primaryCertificate-facts');
    await facts.getByText('ECDSA P-256').waitFor();
    assert.match((await facts.textContent()) ?? '', /CN=device-01, O=Contoso/);
    assert.match((await facts.textContent()) ?? '', /Leaf \(device\) certificate/);
    assert.equal(await value(form, 'id'), 'device-01');
    assert.equal(await form.property('#f-primaryCertificate', 'value'), 'file-1', 'the picker shows the chosen file');
    await form.screenshot('form-x509-chosen');

    await submit(form);
    const sent = await form.waitForPosted('submit');
    assert.equal(sent.draft.attestationType, 'x509');
    assert.equal(sent.draft.x509Source, 'certificates');
    assert.deepEqual(sent.draft.primaryCertificate, { kind: 'file', token: 'tok-1' });
    assert.deepEqual(sent.draft.secondaryCertificate, { kind: 'none' });
    assert.equal(sent.draft.id, 'device-01');
    await close(form);
  });

  void test('X.509: Browse posts a pick without a file id; problems of the file show next to it', async () => {
    const form = await open();
    await form.send(initMessage('group'));
    await form.page.locator('#f-secondaryCertificate-browse').click();
    const pick = await form.waitForPosted('pickCertificate');
    assert.equal(pick.slot, 'secondary');
    assert.equal('fileId' in pick, false);
    await form.send({
      type: 'certificateChosen', requestId: pick.requestId, slot: 'secondary',
      certificate: { token: 'tok-2', summary: certificateSummary({ label: 'leaf.pem' }) },
      problems: [{ field: 'secondaryCertificate', severity: 'error', code: 'leafForGroup', message: 'This is a device (leaf) certificate; a group needs the CA certificate that signed the devices.' }],
    });
    await form.page.locator('#f-secondaryCertificate-error').getByText('leaf) certificate').waitFor();
    assert.equal(await form.property('#f-secondaryCertificate', 'value'), '', 'a file from outside the workspace list leaves the picker empty');
    assert.match(await errorText(form, 'secondaryCertificate'), /a group needs the CA certificate/);
    await form.page.locator('#f-secondaryCertificate-remove').click();
    assert.equal(await form.page.locator('#f-secondaryCertificate-facts').isVisible(), false);

    await form.page.locator('#refresh-files').click();
    const list = await form.waitForPosted('listCertificateFiles');
    await form.send({ type: 'certificateFiles', requestId: list.requestId, files: [{ fileId: 'file-new', label: 'certs/new-ca.pem' }] });
    await form.page.locator('#f-primaryCertificate').click();
    await form.page.locator('#f-primaryCertificate').getByRole('option', { name: 'certs/new-ca.pem' }).click();
    assert.equal((await form.waitForPosted('pickCertificate', (m) => m.fileId === 'file-new')).slot, 'primary');
    await close(form);
  });

  void test('X.509 with CA references sends the names', async () => {
    const form = await open();
    await form.send(initMessage('group'));
    await form.page.locator('#f-x509Source-caReferences').click();
    await type(form, 'id', 'group-1');
    await submit(form);
    assert.match(await errorText(form, 'caReferencePrimary'), /CA certificate registered/, 'the quick check shows at once');
    // One round: the host is asked too, and its problems join the page's instead of coming next time.
    await answerSubmit(form, [{ field: 'caReferencePrimary', severity: 'error', message: 'Enter the name of the CA certificate registered in the DPS instance.' }, { field: 'iotHubs', severity: 'error', message: '"x y" is not an IoT hub host name.' }]);
    await form.page.locator('#f-iotHubs-error').getByText('not an IoT hub host name').waitFor();
    assert.match(await errorText(form, 'caReferencePrimary'), /CA certificate registered/);
    await form.clearPosted();
    await type(form, 'caReferencePrimary', 'my-root-ca');
    await submit(form);
    const sent = await form.waitForPosted('submit');
    assert.equal(sent.draft.x509Source, 'caReferences');
    assert.equal(sent.draft.caReferencePrimary, 'my-root-ca');
    await close(form);
  });

  void test('TPM: the EK is checked as you type, loaded from a file, and suggests the registration id', async () => {
    const form = await open();
    await form.send(initMessage('enrollment'));
    await form.page.locator('#f-attestationType-tpm').click();
    await type(form, 'endorsementKey', 'not base64!');
    assert.match(await errorText(form, 'endorsementKey'), /must be base64/, 'instant format check');
    await type(form, 'endorsementKey', 'AToAAQALAAMAsgAgg3GXZ0SEs');
    const check = await form.waitForPosted('checkTpm', (m) => m.endorsementKey === 'AToAAQALAAMAsgAgg3GXZ0SEs');
    await form.send({ type: 'tpmChecked', requestId: check.requestId, problems: [{ field: 'endorsementKey', severity: 'error', code: 'tpmTruncated', message: 'The endorsement key (EK) ends early.' }] });
    await form.page.locator('#f-endorsementKey-error').getByText('ends early').waitFor();

    await form.page.locator('#load-endorsementKey').click();
    const load = await form.waitForPosted('loadTpmKey');
    assert.equal(load.field, 'endorsementKey');
    await form.send({ type: 'tpmKeyLoaded', requestId: load.requestId, field: 'endorsementKey', value: 'AAAA', problems: [] });
    await form.waitForProperty('#f-endorsementKey', 'value', 'AAAA');
    assert.equal(await errorText(form, 'endorsementKey'), '');
    // A loaded key gets the host's full check (facts, suggested id) at once, as a typed one does.
    await form.waitForPosted('checkTpm', (m) => m.endorsementKey === 'AAAA');

    await type(form, 'endorsementKey', 'AAAABBBB');
    const check2 = await form.waitForPosted('checkTpm', (m) => m.endorsementKey === 'AAAABBBB');
    await form.send({ type: 'tpmChecked', requestId: check2.requestId, problems: [], suggestedId: 'abcdefghijk234567', ekFacts: { keyType: 'RSA-2048', keyBits: 2048 } });
    await form.page.locator('#use-tpm-id').waitFor();
    await form.page.locator('#tpm-facts', { hasText: 'Endorsement key: RSA-2048 (2048-bit key).' }).waitFor();
    assert.equal(await value(form, 'id'), 'abcdefghijk234567', 'an empty id is filled with the EK convention');
    await form.screenshot('form-tpm');
    await submit(form);
    const sent = await form.waitForPosted('submit');
    assert.equal(sent.draft.attestationType, 'tpm');
    assert.equal(sent.draft.endorsementKey, 'AAAABBBB');
    await close(form);
  });

  void test('TPM is not offered for groups', async () => {
    const form = await open();
    await form.send(initMessage('group'));
    await form.page.locator('#form-title').getByText('New enrollment group').waitFor();
    assert.equal(await form.page.locator('#f-id input').getAttribute('aria-label'), 'Enrollment group ID', 'the renamed label is what a screen reader hears');
    assert.equal(await form.page.getByRole('combobox', { name: 'Primary CA certificate (root or intermediate)' }).count(), 1);
    assert.equal(await form.page.locator('#f-attestationType-tpm').count(), 0);
    assert.equal(await form.page.locator('#f-deviceId').isVisible(), false);
    await close(form);
  });

  void test('symmetric key: generate fills the field; derive posts the group key and shows the device key', async () => {
    const form = await open();
    await form.send(initMessage('group'));
    await form.page.locator('#f-attestationType-symmetricKey').click();
    await form.page.locator('#generate-primary').click();
    const generate = await form.waitForPosted('generateKey');
    assert.equal(generate.slot, 'primary');
    const key = Buffer.alloc(64, 7).toString('base64');
    await form.send({ type: 'keyGenerated', requestId: generate.requestId, slot: 'primary', key });
    await form.waitForProperty('#f-symmetricKeyPrimary', 'value', key);

    await type(form, 'deriveRegistrationId', 'device-007');
    await form.page.locator('#derive').click();
    const derive = await form.waitForPosted('deriveKey');
    assert.deepEqual({ registrationId: derive.registrationId, slot: derive.slot, groupKey: derive.groupKey }, { registrationId: 'device-007', slot: 'primary', groupKey: key });
    await form.send({ type: 'keyDerived', requestId: derive.requestId, registrationId: 'device-007', derivedKey: 'ZGVyaXZlZA==', problems: [] });
    await form.waitForProperty('#f-derivedKey', 'value', 'ZGVyaXZlZA==');
    await form.screenshot('form-symmetric-key-group');
    await form.send({ type: 'keyDerived', requestId: derive.requestId, registrationId: 'device-007', problems: [{ field: 'symmetricKeyPrimary', severity: 'error', message: 'The group key is not base64.' }] });
    await form.page.locator('#derive-error').getByText('not base64').waitFor();
    assert.equal(await form.property('#f-derivedKey', 'value'), '');
    await type(form, 'deriveRegistrationId', 'bad id');
    await form.clearPosted();
    await form.page.locator('#derive').click();
    await form.page.locator('#derive-error').getByText('Device registration ID').waitFor();
    assert.equal((await form.posted()).some((m) => m.type === 'deriveKey'), false, 'an invalid id is not sent');

    await type(form, 'symmetricKeySecondary', 'short!');
    await type(form, 'id', 'group-1');
    await submit(form);
    assert.match(await errorText(form, 'symmetricKeySecondary'), /must be base64/);
    await answerSubmit(form, []);
    await form.page.locator('#f-symmetricKeySecondary-error').getByText('must be base64').waitFor();
    await close(form);
  });

  void test('validation messages: required id, bad id characters, twin JSON, custom allocation, focus on the first problem', async () => {
    const form = await open();
    await form.send(initMessage('enrollment'));
    await form.page.locator('#f-attestationType-symmetricKey').click();
    await submit(form);
    await answerSubmit(form, [{ field: 'id', severity: 'error', message: 'Enter a registration id.' }]);
    await form.page.locator('#banner').getByText('Fix the marked fields').waitFor();
    assert.match(await errorText(form, 'id'), /Enter a registration id/);
    assert.equal(await form.page.locator('#banner').isVisible(), true);
    const focused = await form.activeElementId();
    assert.equal(focused, 'f-id', 'focus moves to the first field with a problem');
    const idInput = form.page.locator('#f-id input');
    assert.equal(await idInput.getAttribute('aria-label'), 'Registration ID. Error: Enter a registration id.', 'the problem is part of what the field announces');
    assert.equal(await idInput.getAttribute('aria-invalid'), 'true');

    await type(form, 'id', 'bad id!');
    assert.match(await errorText(form, 'id'), /only letters, digits/);
    await type(form, 'id', 'device-1');
    assert.equal(await errorText(form, 'id'), '');
    assert.equal(await idInput.getAttribute('aria-label'), 'Registration ID');
    assert.equal(await idInput.getAttribute('aria-invalid'), null);
    await type(form, 'tagsJson', '{"building": ');
    assert.match(await errorText(form, 'tagsJson'), /not valid JSON/);
    await type(form, 'desiredPropertiesJson', '[1, 2]');
    assert.match(await errorText(form, 'desiredPropertiesJson'), /must be a JSON object/);
    await chooseOption(form, 'f-allocationPolicy', 'Custom (Azure Function webhook)');
    await form.page.locator('#f-webhookUrl').waitFor();
    await submit(form);
    assert.match(await errorText(form, 'webhookUrl'), /https:\/\//);
    // The host's answer keeps every quick problem it did not replace: all fields at once.
    await answerSubmit(form, [{ field: 'webhookApiVersion', severity: 'error', message: 'Enter the API version sent to the webhook.' }]);
    await form.page.locator('#f-webhookApiVersion-error').getByText('API version').waitFor();
    assert.match(await errorText(form, 'webhookUrl'), /https:\/\//);
    assert.match(await errorText(form, 'tagsJson'), /not valid JSON/);
    await form.screenshot('form-validation');
    await close(form);
  });

  void test('host validation and server errors show inline and keep every typed value', async () => {
    const form = await open();
    await form.send(initMessage('enrollment'));
    await type(form, 'id', 'device-42');
    await type(form, 'deviceId', 'dev-42');
    await form.page.locator('#f-x509Source-caReferences').click();
    await form.page.locator('#f-attestationType-symmetricKey').click();
    await type(form, 'iotHubs', 'hub-a.azure-devices.net\nhub-b.azure-devices.net');
    await type(form, 'tagsJson', '{"site": "berlin"}');
    await type(form, 'desiredPropertiesJson', '{"interval": 30}');
    await form.page.locator('#f-iotEdge').click();
    await form.page.locator('#f-reprovisionMigrateData').click();
    await chooseOption(form, 'f-provisioningStatus', 'Disabled');
    await submit(form);
    const first = await lastSubmit(form);
    assert.equal(first.draft.deviceId, 'dev-42');
    assert.equal(first.draft.iotEdge, true);
    assert.equal(first.draft.reprovisionMigrateData, false);
    assert.equal(first.draft.provisioningStatus, 'disabled');

    await form.send({ type: 'error', requestId: first.requestId, message: 'The service refused the enrollment (HTTP 400).', status: 400, errorCode: 400004, problems: [{ field: 'iotHubs', severity: 'error', message: 'IoT hub hub-b.azure-devices.net is not linked to this DPS.' }] });
    await form.page.locator('#f-iotHubs-error').getByText('not linked').waitFor();
    assert.match((await form.page.locator('#banner').textContent()) ?? '', /HTTP 400/);
    await form.screenshot('form-server-error');

    // Everything typed is still there: a second submit sends the very same draft.
    await submit(form);
    const second = await lastSubmit(form);
    assert.notEqual(second.requestId, first.requestId);
    assert.deepEqual(second.draft, first.draft);

    await form.send({ type: 'validation', requestId: second.requestId, problems: [{ field: 'deviceId', severity: 'error', message: 'Device ids cannot contain that.' }] });
    await form.page.locator('#f-deviceId-error').getByText('cannot contain').waitFor();
    await submit(form);
    assert.deepEqual((await lastSubmit(form)).draft, first.draft);
    await close(form);
  });

  void test('a second submit is not posted while the first is pending; saved switches to update mode', async () => {
    const form = await open();
    await form.send(initMessage('enrollment', {}, { attestationType: 'symmetricKey' }));
    await type(form, 'id', 'device-9');
    await submit(form);
    assert.equal(await form.property('#submit', 'disabled'), true, 'submit is disabled while saving');
    await form.page.locator('#f-id input').press('Enter'); // the other way to submit
    await form.page.waitForTimeout(100);
    const submits = (await form.posted()).filter((m): m is SubmitMessage => m.type === 'submit');
    assert.equal(submits.length, 1);
    const pending = submits[0];
    assert.ok(pending);
    const draft: FormDraft = { ...pending.draft };
    await form.send({ type: 'saved', requestId: pending.requestId, id: 'device-9', etag: '"etag-1"', draft });
    await form.page.locator('#form-title').getByText('Edit individual enrollment').waitFor();
    assert.match((await form.page.locator('#status').textContent()) ?? '', /Saved “device-9”/);
    assert.equal(await form.page.locator('#submit').textContent(), 'Save changes');
    await close(form);
  });

  void test('cancel reports whether there is unsaved input; typing reports the draft', async () => {
    const form = await open();
    await form.send(initMessage('enrollment'));
    await form.page.locator('#cancel').click();
    assert.deepEqual(await form.waitForPosted('cancel'), { type: 'cancel', dirty: false });
    await form.clearPosted();
    await type(form, 'id', 'typed');
    const changed = await form.waitForPosted('draftChanged', (m) => m.draft.id === 'typed');
    assert.equal(changed.dirty, true);
    await form.page.locator('#cancel').click();
    assert.deepEqual(await form.waitForPosted('cancel'), { type: 'cancel', dirty: true });
    await close(form);
  });

  void test('update mode: prefilled from the service object, current certificate shown, id locked', async () => {
    const form = await open('light');
    await form.send(initMessage('group', {
      mode: 'update', etag: '"AAAA"',
      existingCertificates: [{ slot: 'primary', subject: 'CN=Contoso Root', issuer: 'CN=Contoso Root', notBefore: '2026-01-01', notAfter: '2036-01-01', sha1Thumbprint: 'C'.repeat(40), sha256Thumbprint: 'D'.repeat(64) }],
    }, { id: 'group-7', primaryCertificate: { kind: 'existing' }, tagsJson: '{\n  "site": "x"\n}', allocationPolicy: 'static', iotHubs: 'hub-a.azure-devices.net' }));
    await form.page.locator('#form-title').getByText('Edit enrollment group').waitFor();
    assert.equal(await value(form, 'id'), 'group-7');
    assert.equal(await form.property('#f-id', 'disabled'), true);
    assert.match((await form.page.locator('#f-primaryCertificate-facts').textContent()) ?? '', /Current certificate on the service/);
    await form.screenshot('form-group-update-light');
    await submit(form);
    const sent = await form.waitForPosted('submit');
    assert.deepEqual(sent.draft.primaryCertificate, { kind: 'existing' });
    assert.equal(sent.draft.allocationPolicy, 'static');
    await close(form);
  });

  void test('hostile values from the host render as text, never as markup', async () => {
    const form = await open();
    await form.send(initMessage('enrollment', {
      connectionLabel: HOSTILE,
      certificateFiles: [{ fileId: 'file-9', label: HOSTILE }],
      chosenCertificates: [{ slot: 'primary', token: 'tok-9', summary: certificateSummary({ label: HOSTILE, subject: `CN=${HOSTILE}`, commonName: HOSTILE, issuer: HOSTILE }) }],
      problems: [{ field: 'primaryCertificate', severity: 'warning', message: HOSTILE }],
    }, { id: HOSTILE, deviceId: HOSTILE, tagsJson: JSON.stringify({ [HOSTILE]: HOSTILE }), primaryCertificate: { kind: 'file', token: 'tok-9' } }));
    await form.page.locator('#f-primaryCertificate-facts').waitFor();
    await form.send({ type: 'error', message: HOSTILE, problems: [{ field: 'id', severity: 'error', message: HOSTILE }] });
    await form.page.locator('#banner').getByText(HOSTILE).first().waitFor();
    assert.equal(await form.page.locator('img').count(), 0, 'no element was created from the data');
    assert.equal(form.dialogs, 0, 'no script ran');
    assert.match((await form.page.locator('#form-subtitle').textContent()) ?? '', /"><img src=x onerror=alert\(1\)>/);
    assert.match((await form.page.locator('#f-primaryCertificate-facts').textContent()) ?? '', /CN="><img src=x/);
    assert.equal(await value(form, 'id'), HOSTILE);
    assert.match(await errorText(form, 'id'), /<img src=x/);
    await form.page.waitForTimeout(200); // an onerror handler would have run by now
    assert.equal(form.dialogs, 0);
    await form.screenshot('form-hostile-values');
    await close(form);
  });

  void test('keyboard only: tab order follows the form, arrow keys pick a radio, Enter submits', async () => {
    const form = await open();
    await form.send(initMessage('enrollment', { certificateFiles: [] }));
    await form.page.locator('#f-id input').waitFor();
    // A new form puts the focus on its first field.
    const order: string[] = [await form.activeElementId()];
    for (let i = 0; i < 5; i += 1) {
      await form.page.keyboard.press('Tab');
      order.push(await form.activeElementId());
    }
    assert.deepEqual(order.slice(0, 3), ['f-id', 'f-deviceId', 'f-attestationType-x509'], `tab order was ${order.join(' > ')}`);
    // Arrow keys move within the radio group, as in any radio group.
    await form.page.locator('#f-attestationType-x509').focus();
    await form.page.keyboard.press('ArrowRight');
    await form.page.keyboard.press('ArrowRight');
    await form.page.locator('#panel-symmetricKey').waitFor();
    assert.equal(await form.page.locator('#panel-x509').isVisible(), false);
    await form.page.locator('#f-id input').focus();
    await form.page.keyboard.type('kbd-device');
    await form.page.keyboard.press('Enter');
    const sent = await form.waitForPosted('submit');
    assert.equal(sent.draft.id, 'kbd-device');
    assert.equal(sent.draft.attestationType, 'symmetricKey');
    await close(form);
  });
});
