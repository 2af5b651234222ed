// The form page's certificate-policy section (Azure Device Registry) in headless Chromium under the
// panel's CSP: shown only for 2026-11-01 connections, for both kinds; names checked as typed and
// all-or-none on submit; values written as text; the posted draft carries them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SubmitMessage } from '../../src/enrollmentForm/protocol';
import { closeCheckedPage, useFormPageSuite, browserSkipReason, openFormPage, type FormPage } from '../support/webviewPage';
import { initMessage } from '../support/webviewMessages';

const skip = browserSkipReason();
const HOSTILE = '"><img src=x onerror=alert(1)>';

void describe('enrollment form page: certificate policy', { skip }, () => {
  const suite = useFormPageSuite();

  async function type(form: FormPage, fieldName: string, text: string): Promise<void> {
    await form.page.locator(`#f-${fieldName}`).locator('input, textarea').first().fill(text);
  }

  async function errorText(form: FormPage, fieldName: string): Promise<string> {
    const error = form.page.locator(`#f-${fieldName}-error`);
    return (await error.isVisible()) ? ((await error.textContent()) ?? '') : '';
  }

  const section = (form: FormPage) => form.page.locator('#section-certificatePolicy');

  void test('hidden on 2021-10-01 connections, shown on 2026-11-01 for enrollments and groups', async () => {
    const old = await openFormPage(suite.browser, suite.server);
    await old.send(initMessage('enrollment', { apiVersion: '2021-10-01' }));
    await old.page.locator('#form-title').getByText('New individual enrollment').waitFor();
    assert.equal(await section(old).isVisible(), false);
    await old.page.locator('#submit').click();
    const sent = await old.waitForPosted('submit');
    assert.equal(sent.draft.namespaceName, '', 'the draft still has the (empty) fields');
    await closeCheckedPage(old);

    for (const kind of ['enrollment', 'group'] as const) {
      const form = await openFormPage(suite.browser, suite.server);
      await form.send(initMessage(kind, { apiVersion: '2026-11-01' }));
      await section(form).waitFor({ state: 'visible' });
      assert.match((await section(form).locator('h2').textContent()) ?? '', /Certificate policy \(Azure Device Registry\)/);
      assert.equal(await form.page.locator('#f-namespaceName input').getAttribute('aria-label'), 'Device Registry namespace');
      assert.equal(await form.page.locator('#f-certificateAuthorityName input').getAttribute('aria-label'), 'Certificate authority');
      assert.equal(await form.page.locator('#f-certificatePolicyName input').getAttribute('aria-label'), 'Certificate policy');
      assert.match((await section(form).textContent()) ?? '', /3–64 lower-case letters, digits and hyphens/, 'each field says its rule');
      if (kind === 'group') await form.screenshot('form-certificate-policy-group');
      await closeCheckedPage(form);
    }
  });

  void test('names are checked as typed; a partial policy is marked on the missing fields; a full one is posted', async () => {
    const form = await openFormPage(suite.browser, suite.server);
    await form.send(initMessage('enrollment', { apiVersion: '2026-11-01' }, { attestationType: 'symmetricKey', id: 'dev-1' }));
    await section(form).waitFor({ state: 'visible' });
    await type(form, 'namespaceName', 'ADR_NS');
    await form.page.locator('#f-namespaceName-error').getByText('must contain only lower-case letters').waitFor();
    await type(form, 'certificatePolicyName', 'ab');
    await form.page.locator('#f-certificatePolicyName-error').getByText('3 to 63 characters long; got 2').waitFor();
    await type(form, 'namespaceName', 'adr-ns');
    assert.equal(await errorText(form, 'namespaceName'), '', 'a fixed name clears its error');
    await type(form, 'certificatePolicyName', '');

    await form.page.locator('#submit').click();
    assert.match(await errorText(form, 'certificateAuthorityName'), /needs all three names: enter certificateAuthorityName too/);
    assert.match(await errorText(form, 'certificatePolicyName'), /enter certificatePolicyName too/);
    // The host's answer (its own all-or-none check) is merged; the page keeps what was typed.
    const first = (await form.posted()).filter((m): m is SubmitMessage => m.type === 'submit').at(-1);
    assert.ok(first);
    await form.send({ type: 'validation', requestId: first.requestId, problems: [{ field: 'certificatePolicyName', severity: 'error', message: 'A certificate policy needs all three names: enter certificatePolicyName too, or clear the others.' }] });
    await form.page.locator('#banner').getByText('Fix the marked fields').waitFor();
    assert.equal(await form.property('#f-namespaceName', 'value'), 'adr-ns', 'typed input is kept');
    await form.screenshot('form-certificate-policy-partial');

    await form.clearPosted();
    await type(form, 'certificateAuthorityName', 'ca1');
    await type(form, 'certificatePolicyName', 'device-certs');
    await form.page.locator('#submit').click();
    const sent = await form.waitForPosted('submit');
    assert.deepEqual([sent.draft.namespaceName, sent.draft.certificateAuthorityName, sent.draft.certificatePolicyName], ['adr-ns', 'ca1', 'device-certs']);
    await closeCheckedPage(form);
  });

  void test('an edited item shows its policy as text; a service error lands next to the policy field', async () => {
    const form = await openFormPage(suite.browser, suite.server);
    await form.send(initMessage('group', { apiVersion: '2026-11-01', mode: 'update', etag: 'e1' }, { id: 'grp', attestationType: 'symmetricKey', namespaceName: 'adr-ns', certificateAuthorityName: HOSTILE, certificatePolicyName: 'device-certs' }));
    await form.waitForProperty('#f-certificateAuthorityName', 'value', HOSTILE);
    assert.equal(await form.page.locator('img').count(), 0, 'nothing was parsed as HTML');
    await form.page.locator('#submit').click();
    const sent = await form.waitForPosted('submit');
    await form.send({ type: 'error', requestId: sent.requestId, message: 'The service refused the enrollment group (HTTP 400).', status: 400, problems: [{ field: 'certificatePolicyName', severity: 'error', message: "Namespace 'adr-ns' has no certificate policy 'device-certs' under certificate authority 'x'." }] });
    await form.page.locator('#f-certificatePolicyName-error').getByText('has no certificate policy').waitFor();
    await closeCheckedPage(form);
  });
});
