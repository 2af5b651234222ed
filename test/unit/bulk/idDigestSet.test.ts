import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdDigestSet } from '../../../src/bulk/idDigestSet';

void describe('IdDigestSet', () => {
  void test('keeps the first value per id, case-insensitively, and says which value was there', () => {
    const set = new IdDigestSet();
    assert.equal(set.add('Device-1', 4), undefined);
    assert.equal(set.add('device-1', 9), 4);
    assert.deepEqual([set.get('DEVICE-1'), set.has('device-2'), set.get('device-2'), set.size], [4, false, undefined, 1]);
  });

  void test('grows past its first table without losing or mixing up ids', () => {
    const set = new IdDigestSet();
    const n = 20_000;
    for (let i = 0; i < n; i++) assert.equal(set.add(`id-${i}`, i), undefined);
    assert.equal(set.size, n);
    for (let i = 0; i < n; i++) assert.equal(set.get(`ID-${i}`), i);
    assert.equal(set.has(`id-${n}`), false);
  });

  void test('set adds or replaces, counting each id once', () => {
    const set = new IdDigestSet();
    set.set('a', 1);
    set.set('A', 2);
    assert.deepEqual([set.get('a'), set.size, set.add('a', 3), set.get('a')], [2, 1, 2, 2]);
  });

  void test('values are non-negative 31-bit integers', () => {
    const set = new IdDigestSet();
    for (const bad of [-1, 1.5, 2 ** 31]) assert.throws(() => set.add('x', bad), RangeError);
    assert.equal(set.size, 0);
  });
});
