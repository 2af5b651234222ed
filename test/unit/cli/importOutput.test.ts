// The import command's text: a few lines whatever the size (counts, at most the sample it is given,
// "and N more"), and its small choices (--mode values, the default report name).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultReportFile, importMode } from '../../../src/cli/import';
import { renderImport, renderInvalid } from '../../../src/cli/importOutput';
import { CliError } from '../../../src/cli/exitCodes';

void describe('import output', () => {
  void test('a million rows with 3,000 failed: counts per kind, the sample and "and N more", the report named', () => {
    const sample = Array.from({ length: 20 }, (_, i) => ({ kind: 'enrollment', origin: `item ${i + 1}`, id: `d-${i}`, outcome: 'failed', errorCode: 409201, reason: 'Enrollment already exists.', attempts: 1 }));
    const text = renderImport('big.json', 'x.azure-devices-provisioning.net', 'create', {
      kinds: [{ kind: 'enrollment', counts: { done: 997_000, failed: 3_000, notSent: 0, invalid: 0 } }],
      requests: 100_000, elapsedMs: 61_234, cancelled: false, notDone: 3_000, reportFile: '/w/big.import-report.jsonl', failedSample: sample,
    });
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'Imported 997,000 of 1,000,000 items of big.json into x.azure-devices-provisioning.net (mode create).');
    assert.equal(lines[1], '  individual enrollments: 997,000 done, 3,000 failed');
    assert.equal(lines[2], '100,000 requests, 61.2 s.');
    assert.equal(lines[3], '! individual enrollment d-0 (item 1): failed (409201): Enrollment already exists.');
    assert.equal(lines.length, 3 + 20 + 2);
    assert.deepEqual(lines.slice(-2), ['and 2,980 more.', '3,000 item(s) did not end done; all are in /w/big.import-report.jsonl (one JSON object a line).']);
  });

  void test('cancelled and empty runs say so', () => {
    const cancelled = renderImport('f.json', 'h', 'update', {
      kinds: [{ kind: 'group', counts: { done: 1, failed: 0, notSent: 9, invalid: 0 } }], requests: 1, elapsedMs: 10, cancelled: true, notDone: 9, reportFile: '/r', failedSample: [],
    });
    assert.match(cancelled, /^Cancelled: imported 1 of 10 items of f\.json into h \(mode update\)\.\n {2}enrollment groups: 1 done, 9 not sent\n1 request, /);
    const empty = renderImport('f.json', 'h', 'create', { kinds: [], requests: 0, elapsedMs: 1, cancelled: false, notDone: 0, reportFile: null, failedSample: [] });
    assert.equal(empty, 'Nothing to import: f.json holds no items.\n');
  });

  void test('invalid rows: the listed ones, then how many more and where all of them are', () => {
    const text = renderInvalid('f.json', 21, [{ kind: 'enrollment', origin: 'item 4', id: '', reasons: ['No registrationId.'] }], 'f.import-report.jsonl');
    assert.equal(text, 'f.json has 21 invalid item(s); nothing was sent:\n  individual enrollment (no id) (item 4): No registrationId.\n  and 20 more.\nAll of them are in f.import-report.jsonl (one JSON object a line).');
  });

  void test('--mode takes create (default) or update; the report is named after the input, in the current folder', () => {
    assert.equal(importMode(undefined), 'create');
    assert.equal(importMode('update'), 'update');
    assert.throws(() => importMode('delete'), (e: unknown) => e instanceof CliError && /"create" .* or "update" .*, not "delete"/.test(e.message));
    assert.equal(defaultReportFile('exports/devices.json'), 'devices.import-report.jsonl');
    assert.equal(defaultReportFile('list'), 'list.import-report.jsonl');
  });
});
