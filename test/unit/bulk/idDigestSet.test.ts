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

  void test('lanes: an id has at most one value in each, and counts once', () => {
    const set = new IdDigestSet(2);
    assert.equal(set.add('a', 7, 1), undefined);
    assert.deepEqual([set.has('a', 0), set.get('a', 1), set.size], [false, 7, 1]);
    assert.equal(set.add('A', 3, 0), undefined);
    assert.deepEqual([set.get('a', 0), set.get('a', 1), set.add('a', 9, 1), set.size], [3, 7, 7, 1]);
    for (let i = 0; i < 5_000; i++) set.add(`b-${i}`, i, i % 2);
    assert.deepEqual([set.get('a', 0), set.get('a', 1), set.get('b-4999', 1), set.has('b-4999', 0), set.size], [3, 7, 4999, false, 5_001]);
    assert.throws(() => set.get('a', 2), RangeError);
    assert.throws(() => new IdDigestSet(0), RangeError);
  });

  void test('values are non-negative 31-bit integers', () => {
    const set = new IdDigestSet();
    for (const bad of [-1, 1.5, 2 ** 31]) assert.throws(() => set.add('x', bad), RangeError);
    assert.equal(set.size, 0);
  });
});
