// The folder of streamed-import reports: a new name per run, the oldest removed beyond the newest few.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { newReportFile } from '../../../src/bulk/reportFolder';

void describe('newReportFile', () => {
  void test('names the report after the source and the time, in a folder it creates', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'report-folder-')), 'import-reports');
    const file = await newReportFile(folder, 'my export (1).json', new Date('2026-12-01T06:30:00.123Z'));
    assert.equal(dirname(file), folder);
    assert.equal(basename(file), 'my-export-1-.json-2026-12-01T06-30-00-123Z.jsonl');
    assert.ok(existsSync(folder));
  });

  void test('keeps the newest reports and removes the oldest; other files stay', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'report-folder-'));
    for (let i = 0; i < 5; i++) {
      const file = join(folder, `r${i}.jsonl`);
      writeFileSync(file, '');
      utimesSync(file, 1_000 + i, 1_000 + i);
    }
    writeFileSync(join(folder, 'notes.txt'), 'kept');
    await newReportFile(folder, 'x.json', new Date(), 3);
    assert.deepEqual(readdirSync(folder).sort(), ['notes.txt', 'r3.jsonl', 'r4.jsonl']);
    await assert.rejects(newReportFile(folder, 'x.json', new Date(), 0), RangeError);
  });
});
