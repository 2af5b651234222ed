// The demo data must pass every check the product makes on input: the form (editing an item as it
// is), the bulk/import validation (id, attestation, hubs, status) and the TPM key parser. A demo item
// the product itself refuses is a dead end for the first thing a user tries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkTpmPublic } from '../../../src/attestation';
import { validateItem } from '../../../src/bulk/validateItem';
import { itemIdOf, type Item, type ItemKind } from '../../../src/dps/items';
import { EmulatorStore } from '../../../src/emulator/store';
import { seedDemo } from '../../../src/emulator/seed';
import { createFormAttestation } from '../../../src/enrollmentForm/attestationAdapter';
import { buildServiceObject, draftFromServiceObject } from '../../../src/enrollmentForm/draftMapping';

function seededItems(): Array<{ kind: ItemKind; item: Item }> {
  const store = new EmulatorStore();
  seedDemo(store);
  return [
    ...store.enrollments.list().map((item) => ({ kind: 'enrollment' as const, item: item })),
    ...store.enrollmentGroups.list().map((item) => ({ kind: 'group' as const, item: item })),
  ];
}

void describe('demo seed', () => {
  const items = seededItems();

  void test('holds a TPM enrollment whose endorsement key is a valid TPM2B_PUBLIC', () => {
    const tpm = items.filter(({ item }) => item.attestation.type === 'tpm');
    assert.ok(tpm.length > 0);
    for (const { item } of tpm) assert.deepEqual(checkTpmPublic(item.attestation.tpm?.endorsementKey ?? '', { role: 'endorsementKey' }), []);
  });

  void test('every item passes the import validation (export/import keeps it)', () => {
    for (const { kind, item } of items) {
      const row = validateItem(item, kind, 'create', itemIdOf(kind, item));
      assert.deepEqual(row.errors, [], `${itemIdOf(kind, item)}`);
    }
  });

  void test('every item can be saved unchanged from the form', () => {
    const attestation = createFormAttestation();
    for (const { kind, item } of items) {
      const { draft } = draftFromServiceObject(kind, item);
      const built = buildServiceObject(draft, { mode: 'update', existing: item, certificates: new Map(), attestation });
      assert.equal(built.ok, true, `${itemIdOf(kind, item)}: ${built.ok ? '' : JSON.stringify(built.problems)}`);
    }
  });
});
