// The hub picker on the form page in headless Chromium, under the panel's CSP: the page asks for the
// linked hubs after init, shows one checkbox per hub with its allocation weight, keeps the "IoT hubs"
// text in step both ways, still takes a typed host name, and shows a note when there is no list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SubmitMessage } from '../../src/enrollmentForm/protocol';
import { closeCheckedPage, useFormPageSuite, browserSkipReason, openFormPage, type FormPage } from '../support/webviewPage';
import { initMessage } from '../support/webviewMessages';

const skip = browserSkipReason();
const HOSTILE_HOST = '<img src=x onerror=alert(1)>.azure-devices.net';

void describe('enrollment form page: hub picker', { skip }, () => {
  const suite = useFormPageSuite();

  async function hubsText(form: FormPage): Promise<string> {
    return String(await form.property('#f-iotHubs', 'value'));
  }

  async function submitted(form: FormPage): Promise<SubmitMessage> {
    await form.page.locator('#submit').click();
    return await form.waitForPosted('submit');
  }

  void test('asks once after init; ticking adds and unticking removes host names; typing ticks; typed hosts are kept', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'dark');
    await form.send(initMessage('group', {}, { id: 'group-1', iotHubs: 'typed.azure-devices.net' }));
    const ask = await form.waitForPosted('listLinkedHubs');
    assert.match(ask.requestId, /^[\w-]+$/);
    assert.equal((await form.posted()).filter((m) => m.type === 'listLinkedHubs').length, 1);
    await form.send({
      type: 'linkedHubs',
      requestId: ask.requestId,
      hubs: [
        { hostName: 'hub-a.azure-devices.net', allocationWeight: 1, location: 'westeurope' },
        { hostName: 'hub-b.azure-devices.net', allocationWeight: 3, applyAllocationPolicy: false },
        { hostName: HOSTILE_HOST, allocationWeight: 2 },
      ],
    });
    const hubA = form.page.getByRole('checkbox', { name: 'hub-a.azure-devices.net (weight 1 · westeurope)' });
    await hubA.waitFor();
    assert.equal(await form.page.getByRole('checkbox', { name: 'hub-b.azure-devices.net (not used for allocation)' }).count(), 1);
    // Service data stays text: the hostile name is a label, not an element.
    assert.equal(await form.page.locator('#hub-picker img').count(), 0);
    assert.equal(await form.page.locator('#hub-picker').getByRole('checkbox', { checked: true }).count(), 0, 'nothing linked is named yet');

    await form.page.locator('#hub-0').click();
    assert.equal(await hubsText(form), 'typed.azure-devices.net\nhub-a.azure-devices.net');
    await form.page.locator('#hub-1').click();
    assert.equal(await hubsText(form), 'typed.azure-devices.net\nhub-a.azure-devices.net\nhub-b.azure-devices.net');
    await form.page.locator('#hub-0').click();
    assert.equal(await hubsText(form), 'typed.azure-devices.net\nhub-b.azure-devices.net');

    // Typing a linked hub's name (any case) ticks it; removing it unticks.
    await form.page.locator('#f-iotHubs textarea').fill('HUB-A.azure-devices.net\ntyped.azure-devices.net');
    await form.page.getByRole('checkbox', { name: /^hub-a/, checked: true }).waitFor();
    assert.equal(await form.page.getByRole('checkbox', { name: /^hub-b/, checked: false }).count(), 1);

    const sent = await submitted(form);
    assert.equal(sent.draft.iotHubs, 'HUB-A.azure-devices.net\ntyped.azure-devices.net');
    await closeCheckedPage(form);
  });

  void test('no list (a connection without Azure ids): the note shows and a typed host name is submitted', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'light');
    await form.send(initMessage('enrollment', {}, { id: 'device-1', attestationType: 'symmetricKey' }));
    const ask = await form.waitForPosted('listLinkedHubs');
    await form.send({ type: 'linkedHubs', requestId: ask.requestId, hubs: [], note: 'Type the host names: this connection was not added from Azure, so its linked hubs are not known here.' });
    await form.page.locator('#hub-picker-note').getByText('not added from Azure').waitFor();
    assert.equal(await form.page.locator('#hub-picker vscode-checkbox').count(), 0);
    assert.equal(await form.page.locator('#hub-picker-title').isVisible(), false);
    await form.page.locator('#f-iotHubs textarea').fill('my-hub.azure-devices.net');
    const sent = await submitted(form);
    assert.equal(sent.draft.iotHubs, 'my-hub.azure-devices.net');
    await closeCheckedPage(form);
  });

  void test('the picker ticks what a loaded draft names (edit mode)', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'dark');
    await form.send(initMessage('group', { mode: 'update', etag: 'e1' }, { id: 'group-2', iotHubs: 'hub-b.azure-devices.net' }));
    const ask = await form.waitForPosted('listLinkedHubs');
    await form.send({ type: 'linkedHubs', requestId: ask.requestId, hubs: [{ hostName: 'hub-a.azure-devices.net', allocationWeight: 1 }, { hostName: 'hub-b.azure-devices.net', allocationWeight: 3 }] });
    await form.page.getByRole('checkbox', { name: 'hub-b.azure-devices.net (weight 3)', checked: true }).waitFor();
    assert.equal(await form.page.getByRole('checkbox', { name: 'hub-a.azure-devices.net (weight 1)', checked: false }).count(), 1);
    await form.screenshot('form-hub-picker-update-dark');
    await closeCheckedPage(form);
  });
});
