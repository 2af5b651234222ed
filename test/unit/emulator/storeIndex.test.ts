import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeyIndex } from '../../../src/emulator/storeIndex';

// A seeded generator, so a failure can be replayed.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

void test('inserts and deletes in any order keep the keys sorted, unique and pageable (checked against a sorted array)', () => {
  const next = random(7);
  const index = new SortedKeyIndex();
  const model = new Set<string>();
  for (let step = 0; step < 20_000; step++) {
    const key = `k${Math.floor(next() * 5000).toString(36).padStart(4, '0')}`;
    if (next() < 0.6) {
      assert.equal(index.insert(key), !model.has(key), `insert ${key}`);
      model.add(key);
    } else {
      assert.equal(index.delete(key), model.delete(key), `delete ${key}`);
    }
  }
  const sorted = [...model].sort();
  assert.equal(index.size, sorted.length);
  assert.deepEqual([...index.keys()], sorted);
  for (const after of [undefined, sorted[0], sorted[1234], 'k', 'kzzzz', `${sorted[77]}-between`]) {
    const from = after === undefined ? 0 : sorted.findIndex((k) => k > after);
    assert.deepEqual(index.keysAfter(after, 1500), from < 0 ? [] : sorted.slice(from, from + 1500), `after ${after}`);
  }
  assert.ok(index.has(sorted[10]) && !index.has('nope'));
});

void test('an empty index pages nothing and deleting from it is false', () => {
  const index = new SortedKeyIndex();
  assert.deepEqual(index.keysAfter(undefined, 10), []);
  assert.deepEqual(index.keysAfter('x', 10), []);
  assert.equal(index.delete('x'), false);
  index.insert('a');
  index.clear();
  assert.equal(index.size, 0);
});
