// The streamed import's report read back: the first lines kept, all counted, a damaged line
// refused with its number; and the outcome summary per kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulkSourceError } from '../../../src/bulk/rows';
import { readStreamedReport, summariseStreamedReport } from '../../../src/bulk/streamedReport';

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
