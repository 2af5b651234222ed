// The host side of the hub picker: the page asks once, the host answers with the instance's linked
// hubs (only the fields the page shows), or with a note when there is nothing to pick from. A bad
// request is refused like every other page message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArmError } from '../../../src/azure/armErrors';
import { NO_ARM_NOTE } from '../../../src/enrollmentForm/linkedHubChoices';
import { formHost } from '../../support/webviewHost';

const HUBS = [
  { hostName: 'hub-a.azure-devices.net', allocationWeight: 1, location: 'westeurope', applyAllocationPolicy: true },
  { hostName: 'hub-b.azure-devices.net', allocationWeight: 3, applyAllocationPolicy: false },
];

void describe('enrollment form host: linked hubs', () => {
  void test('answers with the linked hubs, weight and location, nothing more', async () => {
    let reads = 0;
    // An ARM answer carries more than the page needs; none of it may cross.
    const source = () => {
      reads += 1;
      return Promise.resolve(HUBS.map((h) => ({ ...h, connectionString: 'HostName=x;SharedAccessKey=c2VjcmV0' })));
    };
    const host = formHost({ kind: 'group', mode: 'create', linkedHubs: source });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: 'hubs-1' });
    const answer = host.last('linkedHubs');
    assert.equal(answer.requestId, 'hubs-1');
    assert.deepEqual(answer.hubs, HUBS);
    assert.equal(answer.note, undefined);
    assert.equal(reads, 1);
    assert.doesNotMatch(JSON.stringify(host.posted), /SharedAccessKey|connectionString/);
  });

  void test('a connection without Azure ids: no hubs, a note that says to type host names', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: 'hubs-2' });
    assert.deepEqual(host.last('linkedHubs'), { type: 'linkedHubs', requestId: 'hubs-2', hubs: [], note: NO_ARM_NOTE });
    const linkedButUnknown = formHost({ kind: 'enrollment', mode: 'create', linkedHubs: () => Promise.resolve(undefined) });
    await linkedButUnknown.controller.handle({ type: 'listLinkedHubs', requestId: 'hubs-3' });
    assert.equal(linkedButUnknown.last('linkedHubs').note, NO_ARM_NOTE);
  });

  void test('an instance without linked hubs says so', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create', linkedHubs: () => Promise.resolve([]) });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: 'hubs-4' });
    assert.match(host.last('linkedHubs').note ?? '', /No IoT hub is linked to this instance yet/);
  });

  void test('an ARM failure becomes a note with its advice and a log line; the form keeps working', async () => {
    const failing = () => Promise.reject(new ArmError({ kind: 'http', operation: 'IotDpsResource_Get', status: 403, code: 'AuthorizationFailed', message: 'The signed-in account may not read the provisioning service: it needs "Reader" on scope /subscriptions/s.' }));
    const host = formHost({ kind: 'group', mode: 'create', linkedHubs: failing });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: 'hubs-5' });
    const answer = host.last('linkedHubs');
    assert.deepEqual(answer.hubs, []);
    assert.equal(answer.note, 'Could not read the linked hubs (The signed-in account may not read the provisioning service: it needs "Reader" on scope /subscriptions/s). Type the host names.');
    assert.ok(host.logs.some((l) => l.startsWith('warn Enrollment form: could not read the linked hubs')));
    await host.controller.handle({ type: 'ready' });
    assert.equal(host.last('init').kind, 'group');
  });

  void test('malformed requests are refused without an answer', async () => {
    const host = formHost({ kind: 'group', mode: 'create', linkedHubs: () => Promise.resolve(HUBS) });
    await host.controller.handle({ type: 'listLinkedHubs' });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: 'x', extra: 1 });
    await host.controller.handle({ type: 'listLinkedHubs', requestId: '../../etc' });
    assert.deepEqual(host.posted, []);
    assert.equal(host.logs.filter((l) => l.startsWith('warn Enrollment form: refused a message')).length, 3);
  });
});
