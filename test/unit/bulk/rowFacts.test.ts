import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RowFacts } from '../../../src/bulk/rowFacts';

void describe('RowFacts', () => {
  void test('keeps per row: nothing, a repeat of which row, or the etag index of the existing item, across growth', () => {
    const facts = new RowFacts();
    facts.set(0, { type: 'exists', etagIndex: 0 });
    facts.set(3, { type: 'duplicate', firstIndex: 0 });
    facts.set(5_000, { type: 'exists', etagIndex: 41 });
    facts.set(5_001, { type: 'duplicate', firstIndex: 4_999 });
    assert.deepEqual(
      [facts.get(0), facts.get(1), facts.get(3), facts.get(5_000), facts.get(5_001), facts.get(9_999), facts.rows],
      [{ type: 'exists', etagIndex: 0 }, { type: 'none' }, { type: 'duplicate', firstIndex: 0 }, { type: 'exists', etagIndex: 41 }, { type: 'duplicate', firstIndex: 4_999 }, { type: 'none' }, 5_002],
    );
    facts.set(3, { type: 'none' });
    assert.deepEqual(facts.get(3), { type: 'none' });
    assert.throws(() => facts.set(-1, { type: 'none' }), RangeError);
  });
});
