import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EtagTable } from '../../../src/bulk/etagTable';

const serviceEtag = (): string => Buffer.from(`"${randomUUID()}"`).toString('base64');

void describe('EtagTable', () => {
  void test('gives back every etag exactly, the service form and any other', () => {
    const table = new EtagTable();
    const etags = [
      'IjBhMDBiNzQyLTAwMDAtMDgwMC0wMDAwLTY0NjgwMWY1MDAwMCI=', // recorded from the live service
      ...Array.from({ length: 3000 }, serviceEtag), // past the first growth
      'W/"1"', '"quoted"', 'AAAAAAFj4eU=', '',
      Buffer.from(`"${randomUUID().toUpperCase()}"`).toString('base64'), // upper case: kept as text
      Buffer.from(`"${randomUUID()}" `).toString('base64'), // not exactly a quoted GUID
    ];
    const indexes = etags.map((e) => table.add(e));
    assert.deepEqual(indexes, etags.map((_, i) => i));
    assert.equal(table.size, etags.length);
    for (const [i, etag] of etags.entries()) assert.equal(table.get(i), etag);
  });

  void test('an index it does not hold is an error, not an empty etag', () => {
    const table = new EtagTable();
    table.add(serviceEtag());
    assert.throws(() => table.get(1), RangeError);
    assert.throws(() => table.get(-1), RangeError);
    assert.throws(() => table.get(0.5), RangeError);
  });
});
