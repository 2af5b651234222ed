// From the palette, any item is reachable by its id: the picker accepts a typed id the first page
// does not hold and the command GETs it, instead of listing "the first 100" and stopping there.
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { enrollment, FakeDpsApi } from '../../support/vscodeFakes';
import { resolveItemTargets } from '../../../src/commands/targets';
import { choicesFor, idPlaceholder, suggestionChoices } from '../../../src/commands/idSuggestions';
import { DpsError } from '../../../src/dps/errors';
import type { CommandContext } from '../../../src/commands/commandContext';

const fleet = Array.from({ length: 600 }, (_, i) => enrollment(`dev-${String(i).padStart(4, '0')}`));

function contextFor(api: FakeDpsApi): CommandContext {
  const connection = { id: 'c', label: 'fleet', hostName: api.hostName, keyName: 'owner' };
  return { store: { list: () => [connection] }, clients: { clientFor: () => Promise.resolve(api) } } as unknown as CommandContext;
}

void describe('open by id', () => {
  beforeEach(() => resetRecorder());

  void test('an id beyond the first page is typed, accepted and read with a GET', async () => {
    const api = new FakeDpsApi(fleet);
    let offered: unknown[] = [];
    recorder.answers.push((picker: { items: unknown[] }) => {
      offered = picker.items;
      return 'dev-0599';
    });
    const [target] = await resolveItemTargets(contextFor(api), [], 'enrollment');
    assert.equal(target?.id, 'dev-0599');
    assert.equal(target?.item?.registrationId, 'dev-0599');
    assert.equal(offered.length, 100, 'the first page is offered as suggestions');
    assert.match(recorder.quickPicks[0]?.placeholder ?? '', /Type any registration id, or pick one of the first 100/);
  });

  void test('an unknown id says so, naming the id and the connection', async () => {
    const api = new FakeDpsApi(fleet);
    api.getEnrollment = () => Promise.reject(new DpsError({ kind: 'http', status: 404, message: 'not found', operation: 'getEnrollment' }));
    recorder.answers.push('no-such-device');
    await assert.rejects(resolveItemTargets(contextFor(api), [], 'enrollment'), /no individual enrollment "no-such-device" on fleet/);
  });

  void test('the typed id comes first unless it is one of the suggestions', () => {
    const suggestions = suggestionChoices('enrollment', fleet.slice(0, 3));
    assert.deepEqual(choicesFor('enrollment', ' dev-0599 ', suggestions).map((c) => c.id), ['dev-0599', 'dev-0000', 'dev-0001', 'dev-0002']);
    assert.deepEqual(choicesFor('enrollment', 'DEV-0001', suggestions).map((c) => c.id), ['dev-0000', 'dev-0001', 'dev-0002']);
    assert.equal(idPlaceholder('group', 3, false), 'Type any enrollment group id, or pick one of these 3');
  });
});
