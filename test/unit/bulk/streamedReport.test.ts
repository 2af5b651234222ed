// The streamed import's report read back: the first lines kept, all counted, a damaged line
// refused with its number; the rows a retry sends again; and the outcome summary per kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulkSourceError } from '../../../src/bulk/rows';
import { jsonItemIndex, jsonItemOrigin } from '../../../src/bulk/jsonSource';
import { RowSet } from '../../../src/bulk/rowSet';
import { readStreamedReport, retrySelection, summariseStreamedReport } from '../../../src/bulk/streamedReport';

const dir = mkdtempSync(join(tmpdir(), 'streamed-report-unit-'));

function reportFile(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

const line = (i: number, extra: Record<string, unknown> = {}): string => JSON.stringify({ kind: 'enrollment', origin: `item ${i}`, id: `d-${i}`, outcome: 'failed', reason: 'Conflict', errorCode: 409201, attempts: 1, ...extra });

void describe('readStreamedReport', () => {
  void test('keeps the first lines in file order and counts every line', async () => {
    const file = reportFile('many.jsonl', Array.from({ length: 2_500 }, (_, i) => line(i)));
    const page = await readStreamedReport(file, 1_000);
    assert.equal(page.total, 2_500);
    assert.equal(page.lines.length, 1_000);
    assert.deepEqual(page.lines[999], { kind: 'enrollment', origin: 'item 999', id: 'd-999', outcome: 'failed', reason: 'Conflict', errorCode: 409201, attempts: 1 });
    assert.deepEqual(await readStreamedReport(file, 0), { lines: [], total: 2_500 });
  });

  void test('an empty report (every row done) reads as none', async () => {
    assert.deepEqual(await readStreamedReport(reportFile('empty.jsonl', []), 10), { lines: [], total: 0 });
  });

  void test('a damaged line is refused with its number, even past the kept lines; a bad limit too', async () => {
    const broken = reportFile('broken.jsonl', [line(1), line(2), '{"kind":"enrollment"', line(4)]);
    await assert.rejects(readStreamedReport(broken, 10), (e: unknown) => e instanceof BulkSourceError && e.message === 'The report broken.jsonl has a malformed line 3.');
    const wrongShape = reportFile('shape.jsonl', [line(1), line(2, { outcome: 'exploded' })]);
    await assert.rejects(readStreamedReport(wrongShape, 10), /malformed line 2/);
    await assert.rejects(readStreamedReport(join(dir, 'absent.jsonl'), 10), (e: unknown) => e instanceof BulkSourceError && /absent\.jsonl could not be read/.test(e.message));
    await assert.rejects(readStreamedReport(broken, -1), RangeError);
  });
});

void describe('summariseStreamedReport', () => {
  void test('one line per kind and one for requests and time', () => {
    const lines = summariseStreamedReport({
      kinds: [
        { kind: 'enrollment', counts: { done: 90, failed: 5, notSent: 3, invalid: 2 } },
        { kind: 'group', counts: { done: 10, failed: 0, notSent: 0, invalid: 0 } },
      ],
      requests: 12,
      elapsedMs: 2_000,
      cancelled: true,
      reportFile: '/r.jsonl',
    });
    assert.deepEqual(lines, [
      'Individual enrollments: 90 done, 5 failed, 3 not sent (cancelled), 2 invalid.',
      'Enrollment groups: 10 done, 0 failed, 0 not sent (cancelled), 0 invalid.',
      '12 requests in 2.0 s (53 items/s).',
    ]);
  });
});

void describe('retrySelection', () => {
  void test('selects the failed and not-sent rows by kind and index; invalid rows stay out', async () => {
    const file = reportFile('retry.jsonl', [
      line(1), line(7, { outcome: 'notSent' }), line(3, { outcome: 'invalid' }),
      line(2, { kind: 'group', outcome: 'notSent' }), line(100_000),
    ]);
    const { only, rows } = await retrySelection(file);
    assert.equal(rows, 4);
    const enrollments = only.get('enrollment');
    assert.deepEqual([0, 1, 2, 3, 6, 99_999].map((i) => enrollments?.has(i)), [true, false, false, false, true, true], 'item N is row index N - 1');
    assert.deepEqual([only.get('group')?.has(1), only.get('group')?.size], [true, 1]);
  });

  void test('a line naming no item of a JSON file is refused', async () => {
    const file = reportFile('csv-origin.jsonl', [line(1, { origin: 'row 3' })]);
    await assert.rejects(retrySelection(file), /names no item of the file on line 1/);
  });
});

void describe('RowSet and item origins', () => {
  void test('a set of row indexes that grows as needed and counts each index once', () => {
    const set = new RowSet();
    for (const i of [0, 5, 5, 1_000_003]) set.add(i);
    assert.equal(set.size, 3);
    assert.deepEqual([set.has(0), set.has(1), set.has(5), set.has(1_000_003), set.has(1_000_004), set.has(-1)], [true, false, true, true, false, false]);
    assert.throws(() => set.add(-1), RangeError);
    assert.throws(() => set.add(1.5), RangeError);
  });

  void test('jsonItemIndex reads back what jsonItemOrigin wrote, and nothing else', () => {
    for (const i of [0, 9, 123_456]) assert.equal(jsonItemIndex(jsonItemOrigin(i)), i);
    for (const origin of ['item 0', 'item -1', 'item 01', 'row 2', 'item 2 ', 'item 99999999999']) assert.equal(jsonItemIndex(origin), undefined, origin);
  });
});
