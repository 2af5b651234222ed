// Item commands driven through the vscode stub against a fake service: multi-select, confirmation,
// If-Match, keys preserved on a status change, groups deleted with their registrations.
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { enrollment, FAKE_PRIMARY_KEY, FakeDpsApi, group } from '../../support/vscodeFakes';
import { copyId, deleteItems, deleteRegistration, disable, enable } from '../../../src/commands/itemCommands';
import { copyPrimaryKey, deriveDeviceKey } from '../../../src/commands/keyCommands';
import type { CommandContext } from '../../../src/commands/commandContext';
import { createLogger } from '../../../src/common/logger';
import { describeError, UserCancelledError } from '../../../src/common/errorPresentation';
import { ConnectionNode, EnrollmentNode, GroupNode, RegistrationNode } from '../../../src/tree/nodes';
import { LogRecorder } from '../../support/vscodeFakes';
import { deriveDeviceKey as reference } from '../../../src/attestation/symmetricKey';

function setup(api: FakeDpsApi) {
  const log = new LogRecorder();
  const root = new ConnectionNode(
    { id: 'c', label: 'c', hostName: api.hostName, keyName: 'owner' },
    { clientFor: () => Promise.resolve(api), pageSize: () => 10, filter: () => ({}), describeError },
  );
  const repaints: unknown[] = [];
  const ctx = {
    store: { list: () => [root.connection] },
    clients: { clientFor: () => Promise.resolve(api) },
    tree: { repaint: (n: unknown) => repaints.push(n) },
    logger: createLogger(log),
  } as unknown as CommandContext;
  return { root, ctx, log, repaints };
}

void describe('item commands', () => {
  beforeEach(() => resetRecorder());

  void test('delete of a multi-selection asks once, sends If-Match, and updates the tree without refetching', async () => {
    const api = new FakeDpsApi([enrollment('a', { etag: 'ea' }), enrollment('b', { etag: 'eb' })]);
    const { root, ctx } = setup(api);
    const [a, b] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    const queries = api.queries;
    recorder.answers.push('Delete');
    await deleteItems(ctx, a, [a, b]);
    assert.equal(recorder.messages.filter((m) => m.level === 'warn').length, 1);
    assert.match(recorder.messages[0]?.text ?? '', /Delete "a", "b" from the service\?/);
    assert.match(recorder.messages[0]?.detail ?? '', /these 2 enrollments/);
    assert.deepEqual(api.calls, ['deleteEnrollment a (If-Match ea)', 'deleteEnrollment b (If-Match eb)']);
    assert.equal(root.enrollments.pages.items.length, 0);
    assert.equal(api.queries, queries);
  });

  void test('dismissing the confirmation deletes nothing', async () => {
    const api = new FakeDpsApi([enrollment('a')]);
    const { root, ctx } = setup(api);
    const [a] = await root.enrollments.getChildren();
    recorder.answers.push(undefined);
    await assert.rejects(deleteItems(ctx, a), UserCancelledError);
    assert.deepEqual(api.calls, []);
  });

  void test('a group can be deleted together with its device registrations', async () => {
    const api = new FakeDpsApi([], [group('fleet', { etag: 'eg' })], { fleet: [{ registrationId: 'r1' }, { registrationId: 'r2' }] });
    const { root, ctx } = setup(api);
    const [fleet] = (await root.groups.getChildren()) as GroupNode[];
    recorder.answers.push('Delete with Registrations');
    await deleteItems(ctx, fleet);
    assert.deepEqual(recorder.messages[0]?.items, ['Delete', 'Delete with Registrations']);
    assert.deepEqual(api.calls, ['deleteRegistration r1', 'deleteRegistration r2', 'deleteGroup fleet (If-Match eg)']);
  });

  void test('disable re-reads the item, keeps its symmetric keys and writes with If-Match', async () => {
    const api = new FakeDpsApi([enrollment('a', { etag: 'ea' })]);
    const { root, ctx } = setup(api);
    const [a] = await root.enrollments.getChildren();
    await disable(ctx, a);
    assert.deepEqual(api.calls, ['putEnrollment a disabled keys=yes (If-Match ea)']);
  });

  void test('keys go to the clipboard and never to the log', async () => {
    const api = new FakeDpsApi([], [group('fleet')]);
    const { root, ctx, log } = setup(api);
    const [fleet] = await root.groups.getChildren();
    await copyPrimaryKey(ctx, fleet);
    assert.deepEqual(recorder.clipboard, [FAKE_PRIMARY_KEY]);
    recorder.answers.push('device-1');
    await deriveDeviceKey(ctx, fleet);
    const derived = reference(FAKE_PRIMARY_KEY, 'device-1');
    assert.equal(recorder.clipboard[1], derived);
    const logged = log.lines.join('\n');
    assert.ok(!logged.includes(FAKE_PRIMARY_KEY) && !logged.includes(derived));
    assert.ok(!JSON.stringify(recorder.messages).includes(derived));
  });

  void test('copy id copies every selected id', async () => {
    const api = new FakeDpsApi([enrollment('a'), enrollment('b')]);
    const { root, ctx } = setup(api);
    const [a, b] = await root.enrollments.getChildren();
    await copyId(ctx, b, [a, b]);
    assert.deepEqual(recorder.clipboard, ['a\nb'], 'in the order of the selection');
  });

  void test('from the palette (no node) the user picks the kind and the item instead of getting an error', async () => {
    const api = new FakeDpsApi([], [group('fleet-1', { etag: 'e1' }), group('fleet-2', { etag: 'e2', provisioningStatus: 'disabled' })]);
    const { ctx } = setup(api);
    const offered: string[] = [];
    recorder.answers.push(
      (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label === 'Enrollment group'),
      (picker: { items: Array<{ label: string; description?: string }> }) => {
        offered.push(...picker.items.map((i) => `${i.label} ${i.description ?? ''}`.trim()));
        return 'fleet-2';
      },
    );
    await enable(ctx);
    assert.deepEqual(offered, ['fleet-1 x509', 'fleet-2 x509 · disabled']);
    assert.deepEqual(api.calls, ['putGroup fleet-2 enabled (If-Match e2)']);
  });

  void test('deleting a device registration confirms and sends its ETag', async () => {
    const api = new FakeDpsApi([], [group('fleet')], { fleet: [{ registrationId: 'r1', etag: 'er1' }, { registrationId: 'r2' }] });
    const { root, ctx } = setup(api);
    const [fleet] = (await root.groups.getChildren()) as GroupNode[];
    const [r1] = (await fleet.getChildren()) as RegistrationNode[];
    recorder.answers.push('Delete');
    await deleteRegistration(ctx, r1);
    assert.match(recorder.messages[0]?.text ?? '', /Delete the device registration "r1"\?/);
    assert.deepEqual(api.calls, ['deleteRegistration r1 (If-Match er1)']);
    assert.deepEqual(fleet.pages.items.map((r) => r.registrationId), ['r2']);
  });

  void test('deleting the registration of an individual enrollment reads the enrollment again: no child, "not registered"', async () => {
    const api = new FakeDpsApi([enrollment('dev', { registrationState: { registrationId: 'dev', status: 'assigned', assignedHub: 'hub', etag: 'er' } })]);
    const { root, ctx, repaints } = setup(api);
    const [dev] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    const [registration] = (await dev?.getChildren()) as RegistrationNode[];
    recorder.answers.push('Delete');
    await deleteRegistration(ctx, registration);
    assert.deepEqual(api.calls, ['deleteRegistration dev (If-Match er)']);
    const [after] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    assert.match(after?.describe().description ?? '', /not registered/);
    assert.equal(after?.describe().collapsible, 'none');
    assert.ok(repaints.includes(root.enrollments));
  });

  void test('deleting one enrollment speaks of this enrollment, not "these enrollments"', async () => {
    const api = new FakeDpsApi([enrollment('solo', { etag: 'e' })]);
    const { root, ctx } = setup(api);
    const [solo] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    recorder.answers.push('Delete');
    await deleteItems(ctx, solo);
    assert.match(recorder.messages[0]?.detail ?? '', /through this enrollment\./);
    assert.deepEqual(api.calls, ['deleteEnrollment solo (If-Match e)']);
  });
});
