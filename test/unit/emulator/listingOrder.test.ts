import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inListingOrder, listingKey } from '../../../src/emulator/listingOrder';

// The live service lists in no id order (recording test_individual_enrollment_paging); the emulator
// must not hand out an order clients could come to depend on.
void test('listing order is deterministic, case-insensitive and not id order', () => {
  const ids = Array.from({ length: 30 }, (_, i) => `device-${String(i).padStart(2, '0')}`);
  const listed = inListingOrder(ids, (id) => id);
  assert.deepEqual(inListingOrder([...ids].reverse(), (id) => id), listed, 'same order whatever the insertion order');
  assert.notDeepEqual(listed, [...ids].sort(), 'not sorted by id');
  assert.equal(listingKey('Device-01'), listingKey('device-01'));
  assert.notEqual(listingKey('device-01'), listingKey('device-02'));
});
