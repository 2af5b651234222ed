// The CA reference picker on the form page in headless Chromium, under the panel's CSP: the page asks
// for the instance's CA certificates once, when the CA references first show; a verified one is
// picked into the primary or secondary field; an unverified or expired one is listed with its reason
// and no button, and a typed name that names one is warned about; typed names still submit; a
// malformed or stale answer is not shown; with no list only the note shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CaCertificateChoice, HostMessage, SubmitMessage } from '../../src/enrollmentForm/protocol';
import { closeCheckedPage, useFormPageSuite, browserSkipReason, openFormPage, type FormPage } from '../support/webviewPage';
import { initMessage } from '../support/webviewMessages';

const skip = browserSkipReason();
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

const CHOICES: CaCertificateChoice[] = [
  { name: 'contoso-root', subject: 'CN=Contoso Root CA', expiryText: 'expires 2039-12-31', verified: true, expired: false, warn: false },
  { name: 'contoso-soon', subject: 'CN=Contoso Old Root', expiryText: 'expires in 12 days', verified: true, expired: false, warn: true },
  { name: HOSTILE_NAME, subject: `CN=${HOSTILE_NAME}`, verified: true, expired: false, warn: false },
  { name: 'fresh', subject: 'CN=Fresh CA', expiryText: 'expires 2030-01-01', verified: false, expired: false, warn: false, unavailable: 'not verified: verify it first' },
  { name: 'old', subject: 'CN=Old CA', expiryText: 'expired 3 days ago', verified: true, expired: true, warn: true, unavailable: 'expired: upload and verify its renewal' },
];

void describe('enrollment form page: CA reference picker', { skip }, () => {
  const suite = useFormPageSuite();

  const reference = async (form: FormPage, slot: 'Primary' | 'Secondary'): Promise<string> => String(await form.property(`#f-caReference${slot}`, 'value'));
  const asks = async (form: FormPage): Promise<number> => (await form.posted()).filter((m) => m.type === 'listCaCertificates').length;

  async function submitted(form: FormPage): Promise<SubmitMessage> {
    await form.page.locator('#submit').click();
    return await form.waitForPosted('submit');
  }

  void test('asks once when the CA references show; picks verified CAs into either field; explains the rest', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'dark');
    await form.send(initMessage('group', {}, { id: 'group-1' }));
    await form.waitForPosted('listLinkedHubs');
    assert.equal(await asks(form), 0, 'no ARM read while certificate files are chosen');
    await form.page.locator('#f-x509Source-caReferences').click();
    const ask = await form.waitForPosted('listCaCertificates');
    assert.match(ask.requestId, /^[\w-]+$/);
    await form.send({ type: 'caCertificates', requestId: ask.requestId, certificates: CHOICES });

    const picker = form.page.locator('#ca-picker');
    await picker.getByText('contoso-root', { exact: true }).waitFor();
    await picker.getByText('CN=Contoso Root CA · expires 2039-12-31').waitFor();
    assert.match(String(await form.page.locator('#ca-1 .ca-choice-facts').getAttribute('class')), /\bwarn\b/, 'ending soon is flagged');
    // Service data stays text: the hostile name is a label, not an element.
    assert.equal(await form.page.locator('#ca-picker img').count(), 0);
    await picker.getByText(HOSTILE_NAME, { exact: true }).waitFor();
    // Unverified and expired: listed with the reason, nothing to press.
    assert.equal(await form.page.locator('#ca-3 .ca-choice-unavailable').innerText(), 'not verified: verify it first');
    assert.equal(await form.page.locator('#ca-3 vscode-button').count(), 0);
    assert.equal(await form.page.locator('#ca-4 .ca-choice-unavailable').innerText(), 'expired: upload and verify its renewal');
    assert.equal(await form.page.locator('#ca-4 vscode-button').count(), 0);

    await form.page.getByRole('button', { name: 'Use contoso-root as the primary CA reference' }).click();
    assert.equal(await reference(form, 'Primary'), 'contoso-root');
    assert.equal(await form.page.locator('#ca-0-primary').getAttribute('aria-pressed'), 'true');
    await form.page.locator('#ca-1-secondary').click();
    assert.equal(await reference(form, 'Secondary'), 'contoso-soon');
    // The same CA cannot be both: picking it as primary empties the secondary.
    await form.page.locator('#ca-1-primary').click();
    assert.deepEqual([await reference(form, 'Primary'), await reference(form, 'Secondary')], ['contoso-soon', '']);
    assert.equal(await form.page.locator('#ca-0-primary').getAttribute('aria-pressed'), 'false');

    // Typing the name of an unverified CA warns; a name the list does not know is taken as typed.
    await form.page.locator('#f-caReferenceSecondary input').fill('FRESH');
    await form.page.locator('#ca-picker-warning').getByText('The secondary CA reference "fresh" is not verified: verify it first.').waitFor();
    await form.page.locator('#f-caReferenceSecondary input').fill('typed-elsewhere');
    await form.waitUntil(`document.getElementById('ca-picker-warning').hidden === true`);

    // Back to files and again to CA references: the list is not read twice.
    await form.page.locator('#f-x509Source-certificates').click();
    await form.page.locator('#f-x509Source-caReferences').click();
    assert.equal(await asks(form), 1);
    const sent = await submitted(form);
    assert.deepEqual([sent.draft.x509Source, sent.draft.caReferencePrimary, sent.draft.caReferenceSecondary], ['caReferences', 'contoso-soon', 'typed-elsewhere']);
    await form.screenshot('form-ca-picker-dark');
    await closeCheckedPage(form);
  });

  void test('a prefilled CA reference (opened "with This CA") asks at once and marks the CA; stale and malformed answers are not shown', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'light');
    await form.send(initMessage('group', {}, { x509Source: 'caReferences', caReferencePrimary: 'contoso-root' }));
    const ask = await form.waitForPosted('listCaCertificates');
    await form.send({ type: 'caCertificates', requestId: 'someone-else', certificates: CHOICES });
    // Malformed entries are dropped one by one; the well-formed one shows.
    const malformed = [{ name: 5, verified: true, expired: false, warn: false }, { name: 'x', verified: 'yes', expired: false, warn: false }, { name: 'y', verified: true, expired: false, warn: false, subject: { html: '<b>' } }, CHOICES[0]];
    await form.send({ type: 'caCertificates', requestId: ask.requestId, certificates: malformed } as unknown as HostMessage);
    await form.page.locator('#ca-0-primary[aria-pressed="true"]').waitFor();
    assert.equal(await form.page.locator('#ca-picker .ca-choice').count(), 1, 'only the well-formed entry of the current request');
    assert.equal(await reference(form, 'Primary'), 'contoso-root');
    await form.screenshot('form-ca-picker-prefilled-light');
    await closeCheckedPage(form);
  });

  void test('no list (a connection without Azure ids): the note shows and a typed name is submitted', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'dark');
    await form.send(initMessage('group', {}, { id: 'group-3', x509Source: 'caReferences' }));
    const ask = await form.waitForPosted('listCaCertificates');
    await form.send({ type: 'caCertificates', requestId: ask.requestId, certificates: [], note: 'Type the CA names: this connection was not added from Azure, so its CA certificates are not known here.' });
    await form.page.locator('#ca-picker-note').getByText('not added from Azure').waitFor();
    assert.equal(await form.page.locator('#ca-picker .ca-choice').count(), 0);
    assert.equal(await form.page.locator('#ca-picker-title').isVisible(), false);
    await form.page.locator('#f-caReferencePrimary input').fill('my-ca');
    const sent = await submitted(form);
    assert.equal(sent.draft.caReferencePrimary, 'my-ca');
    await closeCheckedPage(form);
  });
});
