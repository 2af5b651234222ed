import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandIdPattern, IdPatternError, isIdPattern, parseRegistrationIdList } from '../../../src/bulk/idPattern';

void describe('expandIdPattern', () => {
  void test('keeps the zero-padded width of the range', () => {
    const ids = expandIdPattern('dev-{0001..0500}');
    assert.equal(ids.length, 500);
    assert.equal(ids[0], 'dev-0001');
    assert.equal(ids[499], 'dev-0500');
  });

  void test('unpadded ranges, descending ranges and text after the range', () => {
    assert.deepEqual(expandIdPattern('a{8..11}b'), ['a8b', 'a9b', 'a10b', 'a11b']);
    assert.deepEqual(expandIdPattern('x{3..1}'), ['x3', 'x2', 'x1']);
  });

  void test('several ranges multiply', () => {
    assert.deepEqual(expandIdPattern('l{1..2}-d{01..02}'), ['l1-d01', 'l1-d02', 'l2-d01', 'l2-d02']);
  });

  void test('text without a range is the only id', () => {
    assert.deepEqual(expandIdPattern('plain-id'), ['plain-id']);
    assert.equal(isIdPattern('plain-id'), false);
    assert.equal(isIdPattern('d{1..2}'), true);
  });

  void test('refuses braces that are not ranges and ranges over the cap', () => {
    assert.throws(() => expandIdPattern('dev-{a..z}'), IdPatternError);
    assert.throws(() => expandIdPattern('dev-{1..5'), /brace that is not a range/);
    assert.throws(() => expandIdPattern('d{1..1000}-{1..1000}'), /expands to 1000000 ids/);
    assert.throws(() => expandIdPattern('d{1..11}', 10), /at most 10/);
  });
});

void describe('parseRegistrationIdList', () => {
  void test('lines, commas, comments, BOM and patterns; repeats reported case-insensitively', () => {
    const { ids, duplicates } = parseRegistrationIdList('\uFEFFa-1, a-2\r\n# comment\n\nb-{1..3}  # trailing\nA-1\n');
    assert.deepEqual(ids, ['a-1', 'a-2', 'b-1', 'b-2', 'b-3']);
    assert.deepEqual(duplicates, ['A-1']);
  });

  void test('the cap applies across all entries', () => {
    assert.throws(() => parseRegistrationIdList('a{1..6}\nb{1..6}', 10), /at most 4/);
  });
});
