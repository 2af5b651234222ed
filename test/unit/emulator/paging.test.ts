import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeContinuation, encodeContinuation, paginate } from '../../../src/emulator/paging';

const items = Array.from({ length: 23 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
const page = (continuation?: string, maxItemCount?: string) =>
  paginate(items, (x) => x, { scope: 'enrollments', maxItemCount, continuation, maxPageSize: 10 });

void test('walks all items once in order, continuation only while more exist', () => {
  const seen: string[] = [];
  let token: string | undefined;
  let requests = 0;
  do {
    const p = page(token, '5');
    seen.push(...p.items);
    token = p.continuation;
    requests += 1;
  } while (token !== undefined);
  assert.deepEqual(seen, items);
  assert.equal(requests, Math.ceil(23 / 5));
});

void test('page size defaults to and is capped at maxPageSize', () => {
  assert.equal(page().items.length, 10);
  assert.equal(page(undefined, '1000').pageSize, 10);
  assert.equal(page(undefined, '3').items.length, 3);
});

void test('a deleted item does not break the walk (token remembers the last id, not an offset)', () => {
  const first = paginate(items, (x) => x, { scope: 's', maxItemCount: '5', maxPageSize: 10 });
  const without = items.filter((x) => x !== 'id-04' && x !== 'id-05');
  const next = paginate(without, (x) => x, { scope: 's', maxItemCount: '5', continuation: first.continuation, maxPageSize: 10 });
  assert.equal(next.items[0], 'id-06');
});

void test('bad tokens, foreign tokens and bad sizes are 400', () => {
  assert.throws(() => page('%%%'), /not valid/);
  assert.throws(() => page(Buffer.from('{"x":1}').toString('base64url')), /not valid/);
  assert.throws(() => decodeContinuation(encodeContinuation('enrollmentGroups', 'a'), 'enrollments'), /different query/);
  assert.throws(() => page(undefined, '0'), /between 1/);
  assert.throws(() => page(undefined, '-1'), /positive integer/);
});
