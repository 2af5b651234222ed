// The page's draft reports around a save: a report sent while the save was under way said "dirty",
// and the host may read it after it finished saving. The page then reports the saved state again,
// so closing the saved form does not offer to restore "unsaved changes" (seen in code-server).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useFormPageSuite, browserSkipReason, openFormPage } from '../support/webviewPage';
import { initMessage } from '../support/webviewMessages';
import { emptyDraft } from '../../src/enrollmentForm/protocol';

const skip = browserSkipReason();

void describe('enrollment form page: draft reports around a save', { skip }, () => {
  const suite = useFormPageSuite();

  void test('a "dirty" report sent during the save is followed by a clean one once saved', async () => {
    const form = await openFormPage(suite.browser, suite.server, 'dark');
    await form.send(initMessage('group', {}, { attestationType: 'symmetricKey' }));
    await form.page.locator('#f-id input').fill('group-9');
    await form.page.locator('#submit').click();
    const submit = await form.waitForPosted('submit');
    // The host has not answered yet; the debounced report of the typing goes out meanwhile.
    const during = await form.waitForPosted('draftChanged', (m) => m.draft.id === 'group-9');
    assert.equal(during.dirty, true);
    await form.clearPosted();
    const saved = { ...emptyDraft('group'), id: 'group-9', attestationType: 'symmetricKey' as const };
    await form.send({ type: 'saved', requestId: submit.requestId, id: 'group-9', etag: '"v1"', draft: saved });
    const after = await form.waitForPosted('draftChanged');
    assert.equal(after.dirty, false);
    assert.equal(after.draft.id, 'group-9');
    assert.deepEqual(await form.cspViolations(), []);
    assert.deepEqual(form.errors, []);
    await form.page.context().close();
  });
});
