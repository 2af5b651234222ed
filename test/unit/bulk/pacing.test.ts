import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkPacing } from '../../../src/bulk';

void test('bulk pacing keeps rate plus start burst within the per-minute budget', () => {
  assert.deepEqual(bulkPacing(1000), { operationsPerMinute: 980, burst: 20 });
  assert.deepEqual(bulkPacing(100_000), { operationsPerMinute: 99_980, burst: 20 });
  assert.deepEqual(bulkPacing(100), { operationsPerMinute: 98, burst: 2 });
  assert.deepEqual(bulkPacing(10), { operationsPerMinute: 9, burst: 1 });
  for (const budget of [10, 37, 250, 1000, 5000]) {
    const { operationsPerMinute, burst } = bulkPacing(budget);
    assert.ok(operationsPerMinute + burst <= budget && burst >= 1 && burst <= operationsPerMinute, `budget ${budget}`);
  }
});
