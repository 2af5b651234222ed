// Bulk update against answers like the live service's (test/support/liveLikeDps.ts): bulk `update`
// of an existing id fails there, so the job must create new ids and update existing ones with the
// etag read in the dry run, keep the keys of keyless symmetric-key items, and report a change made
// between dry run and run instead of overwriting it. For enrollments and for groups.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { planBulk, readExistingItems, runBulkJob, summarisePlan, type SourceResult } from '../../../src/bulk';
import { validateItem } from '../../../src/bulk/validateItem';
import { InstanceBudget } from '../../../src/dps/budget';
import { idFieldOf, type Item, type ItemKind } from '../../../src/dps/items';
import { LiveLikeDps } from '../../support/liveLikeDps';

const key = (): string => randomBytes(32).toString('base64');
const fastBudget = (): InstanceBudget => new InstanceBudget({ operationsPerMinute: 1e9 });

function item(kind: ItemKind, id: string, extra: Record<string, unknown> = {}): Item {
  return { [idFieldOf(kind)]: id, attestation: { type: 'symmetricKey' }, ...extra } as unknown as Item;
}

function sourceOf(kind: ItemKind, items: Item[]): SourceResult {
  return { kind, description: 'update.json', rows: items.map((value, i) => validateItem(value, kind, 'update', `item ${i + 1}`)) };
}

for (const kind of ['enrollment', 'group'] as const) {
  void describe(`bulk update of ${kind}s against live-like answers`, () => {
    void test('new ids are created, existing ones updated under the dry run\'s etag, keyless ones keep their keys', async () => {
      const service = new LiveLikeDps();
      const keyedOld = service.seed(kind, item(kind, 'keyed', { attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key(), secondaryKey: key() } } }));
      const keyless1 = service.seed(kind, item(kind, 'keyless-1'));
      const keyless2 = service.seed(kind, item(kind, 'KEYLESS-2'));
      assert.ok(keyedOld.etag !== undefined && !keyedOld.etag.includes('"'), 'etags are unquoted');
      const newKeys = { primaryKey: key(), secondaryKey: key() };
      const source = sourceOf(kind, [
        item(kind, 'keyed', { attestation: { type: 'symmetricKey', symmetricKey: newKeys }, provisioningStatus: 'disabled' }),
        item(kind, 'keyless-1', { provisioningStatus: 'disabled' }),
        item(kind, 'keyless-2', { provisioningStatus: 'disabled' }), // case differs from the stored id
        item(kind, 'new-1'),
        item(kind, 'new-2'),
      ]);
      const budget = fastBudget();
      const plan = planBulk(source, 'update', await readExistingItems(service, kind, { budget }));
      assert.deepEqual(plan.counts, { updateExisting: 3, create: 2 });
      assert.equal(plan.keysKept, 2);
      assert.equal(plan.warnings, 0, 'the keyless warning is dropped once existing keys are known to be kept');
      assert.match(summarisePlan(plan), /3 update \(existing, guarded by the etag read now\), 2 create \(new\)/);
      assert.match(summarisePlan(plan), /2 existing symmetric-key items have no keys in the source: their current keys are read \(one call each\) and sent/);

      const report = await runBulkJob(service, plan, { budget });
      assert.deepEqual(report.counts, { done: 5, failed: 0, notSent: 0, invalid: 0 }, JSON.stringify(report.items));
      assert.deepEqual(report.items.map((i) => [i.id, i.doneAs]), [
        ['keyed', 'updated (etag matched)'], ['keyless-1', 'updated (etag matched)'], ['keyless-2', 'updated (etag matched)'], ['new-1', 'created'], ['new-2', 'created'],
      ]);
      assert.ok(!service.bulkCalls.some((c) => c.mode === 'update'), 'bulk mode update is never sent');
      assert.deepEqual(service.attestationReads.sort(), ['keyless-1', 'keyless-2'], 'keys read only for the keyless existing items');
      assert.deepEqual(service.stored(kind, 'keyless-1')?.attestation, keyless1.attestation, 'keys kept');
      assert.deepEqual(service.stored(kind, 'keyless-2')?.attestation, keyless2.attestation, 'keys kept');
      assert.deepEqual(service.stored(kind, 'keyed')?.attestation.symmetricKey, newKeys, 'the source\'s keys sent');
      assert.equal(service.stored(kind, 'keyless-1')?.provisioningStatus, 'disabled');
      assert.ok(service.stored(kind, 'new-1') !== undefined);
    });

    void test('a change between the dry run and the run is reported, not overwritten', async () => {
      const service = new LiveLikeDps();
      service.seed(kind, item(kind, 'a', { provisioningStatus: 'enabled' }));
      service.seed(kind, item(kind, 'b', { provisioningStatus: 'enabled' }));
      const budget = fastBudget();
      const plan = planBulk(sourceOf(kind, [item(kind, 'a', { provisioningStatus: 'disabled' }), item(kind, 'b', { provisioningStatus: 'disabled' })]), 'update',
        await readExistingItems(service, kind, { budget }));
      // Someone else edits "b" after the dry run read its etag.
      const theirs = service.seed(kind, { ...(service.stored(kind, 'b') as Item), provisioningStatus: 'enabled', iotHubHostName: 'theirs.azure-devices.net' });
      const report = await runBulkJob(service, plan, { budget });
      assert.deepEqual(report.items.map((i) => [i.id, i.outcome]), [['a', 'done'], ['b', 'failed']]);
      assert.equal(report.items[1].errorCode, 412200);
      assert.equal(service.stored(kind, 'b')?.etag, theirs.etag, 'their change stands');
      assert.equal(service.stored(kind, 'b')?.iotHubHostName, 'theirs.azure-devices.net');
      assert.equal(service.stored(kind, 'a')?.provisioningStatus, 'disabled');
    });

    void test('an item deleted before its keys could be read is reported and not sent', async () => {
      const service = new LiveLikeDps();
      service.seed(kind, item(kind, 'gone'));
      const budget = fastBudget();
      const plan = planBulk(sourceOf(kind, [item(kind, 'gone')]), 'update', await readExistingItems(service, kind, { budget }));
      service.stores[kind].clear();
      const report = await runBulkJob(service, plan, { budget });
      assert.equal(report.items[0].outcome, 'failed');
      assert.match(report.items[0].reason ?? '', /no longer exists/);
      assert.equal(service.bulkCalls.length, 0);
    });
  });
}

void test('plain bulk update without the existence read is what the live service refuses: the reason is reported per item', async () => {
  const service = new LiveLikeDps();
  service.seed('enrollment', item('enrollment', 'x'));
  const plan = planBulk(sourceOf('enrollment', [item('enrollment', 'x')]), 'update');
  assert.deepEqual(plan.counts, { createOrUpdate: 1 });
  const report = await runBulkJob(service, plan, { budget: fastBudget() });
  assert.equal(report.items[0].outcome, 'failed');
  assert.equal(report.items[0].errorCode, 409201);
});
