import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planBulk } from '../../../src/bulk/plan';
import { buildJobReport } from '../../../src/bulk/report';
import type { SourceRow } from '../../../src/bulk/rows';
import { applyPlanRows, applyReportRows, bulkPlanRows, bulkReportRows, csvCell, JobModel, JobRows, RateSeries, reportCsv, reportJson, type JobRow } from '../../../src/jobs';

function row(i: number, outcome: JobRow['outcome'], reason?: string): JobRow {
  return { kind: 'enrollment', origin: `row ${i}`, id: `dev-${i}`, outcome, attempts: 1, ...(reason !== undefined ? { reason } : {}) };
}

void describe('JobRows', () => {
  void test('lists failed first, then not sent, invalid, planned, done, each in input order', () => {
    const rows = new JobRows();
    rows.replace([row(1, 'done'), row(2, 'failed', 'a'), row(3, 'invalid'), row(4, 'notSent'), row(5, 'failed', 'b'), row(6, 'done')]);
    assert.deepEqual(rows.ordered().map((r) => r.id), ['dev-2', 'dev-5', 'dev-4', 'dev-3', 'dev-1', 'dev-6']);
    assert.deepEqual({ ...rows.counts }, { failed: 2, notSent: 1, invalid: 1, planned: 0, done: 2 });
  });

  void test('filters by outcome and searches id, origin, reason and error code without case', () => {
    const rows = new JobRows();
    rows.replace([row(1, 'done'), { ...row(2, 'failed', 'Enrollment already exists'), errorCode: 409201 }, row(13, 'failed', 'Bad key')]);
    assert.deepEqual(rows.page({ filter: 'failed', search: '' }, 0, 10).map((r) => r.id), ['dev-2', 'dev-13']);
    assert.deepEqual(rows.page({ filter: 'all', search: 'ALREADY' }, 0, 10).map((r) => r.id), ['dev-2']);
    assert.deepEqual(rows.page({ filter: 'all', search: '409201' }, 0, 10).map((r) => r.id), ['dev-2']);
    assert.deepEqual(rows.page({ filter: 'all', search: 'row 1' }, 0, 10).map((r) => r.id), ['dev-13', 'dev-1']);
    assert.equal(rows.count({ filter: 'done', search: 'bad' }), 0);
  });

  void test('an update moves a row between outcomes, counts follow and the view is rebuilt', () => {
    const rows = new JobRows();
    rows.replace([row(1, 'planned'), row(2, 'planned')]);
    assert.deepEqual(rows.page({ filter: 'failed', search: '' }, 0, 10), []);
    rows.update(1, { outcome: 'failed', reason: 'Precondition failed', errorCode: 412 });
    assert.deepEqual({ ...rows.counts }, { failed: 1, notSent: 0, invalid: 0, planned: 1, done: 0 });
    assert.deepEqual(rows.page({ filter: 'failed', search: '' }, 0, 10).map((r) => [r.id, r.reason]), [['dev-2', 'Precondition failed']]);
    assert.throws(() => rows.update(5, { outcome: 'done' }), /No row 5: the job has 2/);
  });

  void test('pages through 100,000 rows with failed ones first; a page is a copy', () => {
    const rows = new JobRows();
    rows.replace(Array.from({ length: 100_000 }, (_, i) => row(i, i % 1000 === 7 ? 'failed' : 'done')));
    const first = rows.page({ filter: 'all', search: '' }, 0, 100);
    assert.equal(first.length, 100);
    assert.deepEqual(first.slice(0, 3).map((r) => r.id), ['dev-7', 'dev-1007', 'dev-2007']);
    assert.ok(first.slice(0, 100).every((r) => r.outcome === 'failed'), 'the 100 failed rows come first');
    const last = rows.page({ filter: 'all', search: '' }, 99_990, 100);
    assert.equal(last.length, 10);
    assert.equal(last.at(-1)?.id, 'dev-99999');
    first[0].id = 'changed';
    assert.equal(rows.page({ filter: 'all', search: '' }, 0, 1)[0].id, 'dev-7');
    assert.deepEqual(rows.page({ filter: 'all', search: '' }, -5, -1), []);
  });
});

void describe('RateSeries', () => {
  void test('counts events per bucket, keeps empty buckets, and keeps only the newest ones', () => {
    const series = new RateSeries({ startMs: 10_000, bucketMs: 1000, keep: 3 });
    series.record('requests', 10_100, 4);
    series.record('throttled', 10_900);
    series.record('requests', 12_500, 2);
    series.record('retries', 12_600);
    assert.deepEqual(series.buckets(12_700), [
      { atMs: 0, requests: 4, retries: 0, throttled: 1 },
      { atMs: 1000, requests: 0, retries: 0, throttled: 0 },
      { atMs: 2000, requests: 2, retries: 1, throttled: 0 },
    ]);
    series.record('requests', 14_000, 5);
    series.record('requests', 10_500, 99); // older than what is kept: dropped
    assert.deepEqual(series.buckets(14_000).map((b) => [b.atMs, b.requests]), [[2000, 2], [3000, 0], [4000, 5]]);
    // A long gap clears the reused slots.
    assert.deepEqual(series.buckets(30_000).map((b) => b.requests), [0, 0, 0]);
  });

  void test('refuses a bucket width or count that cannot work', () => {
    assert.throws(() => new RateSeries({ startMs: 0, bucketMs: 0 }), /positive bucket width/);
    assert.throws(() => new RateSeries({ startMs: 0, keep: 0 }), /positive bucket width/);
  });
});

void describe('JobModel', () => {
  const header = { title: 'Create individual enrollments', source: 'devices.csv', quotaPerSecond: 3 };

  void test('dry run, then the run with requests per bucket, then the outcome with retry counts', () => {
    let now = 1_000;
    const model = new JobModel({ header, now: () => now });
    model.showDryRun([row(1, 'planned'), row(2, 'planned'), row(3, 'invalid', 'No id')], ['2 to send']);
    let snapshot = model.snapshot();
    assert.equal(snapshot.phase, 'dryRun');
    assert.equal(snapshot.canRun, true);
    assert.equal(snapshot.retryable, 0);
    assert.deepEqual(snapshot.chart.buckets, []);

    model.startRun();
    now += 500;
    model.progress({ total: 2, done: 1, failed: 0, requests: 3 });
    model.retried(true);
    now += 1000;
    model.progress({ total: 2, done: 1, failed: 1, requests: 5 });
    model.retried(false);
    snapshot = model.snapshot();
    assert.equal(snapshot.phase, 'running');
    assert.deepEqual(snapshot.live, { total: 2, done: 1, failed: 1, requests: 5 });
    assert.deepEqual(snapshot.chart.buckets, [
      { atMs: 0, requests: 3, retries: 0, throttled: 1 },
      { atMs: 1000, requests: 2, retries: 1, throttled: 0 },
    ]);
    assert.equal(snapshot.elapsedMs, 1500);

    model.finish([row(1, 'done'), row(2, 'failed', 'Bad'), row(3, 'invalid', 'No id')], ['1 done, 1 failed'], false);
    now += 5000;
    snapshot = model.snapshot();
    assert.equal(snapshot.phase, 'finished');
    assert.equal(snapshot.canRun, false);
    assert.equal(snapshot.retryable, 1);
    assert.equal(snapshot.elapsedMs, 1500, 'the clock stops at the finish');
    assert.deepEqual(snapshot.counts, { failed: 1, notSent: 0, invalid: 1, planned: 0, done: 1 });
  });

  void test('a job that cannot send its failures again offers no retry', () => {
    const model = new JobModel({ header });
    model.finish([row(1, 'failed', 'Precondition failed')], ['1 failed'], false, false);
    assert.equal(model.snapshot().retryable, 0);
    assert.equal(model.snapshot().counts.failed, 1);
  });

  void test('a dry run with nothing valid cannot be run', () => {
    const model = new JobModel({ header });
    model.showDryRun([row(1, 'invalid', 'No id')], ['nothing to send']);
    assert.equal(model.snapshot().canRun, false);
  });

  void test('counts only: totals come from the caller, the rows are the few listed, the run counts against the totals', () => {
    let now = 0;
    const model = new JobModel({ header, now: () => now });
    model.showDryRun([row(7, 'invalid', 'No id'), row(9, 'invalid', 'Repeat')], ['98 to send'], { failed: 0, notSent: 0, invalid: 3, planned: 98, done: 0 });
    let snapshot = model.snapshot();
    assert.deepEqual([snapshot.countsOnly, snapshot.canRun, model.rows.size], [true, true, 2]);
    assert.deepEqual(snapshot.counts, { failed: 0, notSent: 0, invalid: 3, planned: 98, done: 0 });
    model.startRun();
    assert.equal(model.snapshot().live.total, 98, 'the run counts against the planned total, not the listed rows');
    now += 1000;
    model.progress({ total: 98, done: 90, failed: 8, requests: 10 });
    model.finish([row(3, 'failed', 'Conflict')], ['90 done'], false, false, { failed: 8, notSent: 0, invalid: 3, planned: 0, done: 90 });
    snapshot = model.snapshot();
    assert.deepEqual([snapshot.countsOnly, snapshot.retryable, snapshot.counts.done, model.rows.size], [true, 0, 90, 1]);
    // The same model shows a job that lists every row again.
    model.showDryRun([row(1, 'planned')], ['1 to send']);
    assert.deepEqual([model.snapshot().countsOnly, model.snapshot().counts.planned], [false, 1]);
  });

  void test('counts only: totals below the listed rows, or not whole, are refused rather than shown', () => {
    const model = new JobModel({ header });
    const totals = { failed: 0, notSent: 0, invalid: 1, planned: 5, done: 0 };
    assert.throws(() => model.showDryRun([row(1, 'invalid'), row(2, 'invalid')], [], totals), /invalid total \(1\) is below its 2 listed invalid rows/);
    assert.throws(() => model.finish([], [], false, false, { ...totals, done: 1.5 }), RangeError);
  });

  void test('counts only: a saved JSON report says its items are the listed ones', () => {
    const model = new JobModel({ header });
    model.finish([row(2, 'failed', 'x')], ['1 failed'], false, false, { failed: 1, notSent: 0, invalid: 0, planned: 0, done: 500 });
    const parsed = JSON.parse(reportJson(model.snapshot(), model.rows.ordered())) as { counts: Record<string, number>; itemsListed?: string; items: JobRow[] };
    assert.deepEqual([parsed.counts.done, parsed.items.length], [500, 1]);
    assert.match(parsed.itemsListed ?? '', /counts cover every item/);
    model.finish([row(2, 'failed', 'x')], ['1 failed'], false);
    assert.equal((JSON.parse(reportJson(model.snapshot(), model.rows.ordered())) as { itemsListed?: string }).itemsListed, undefined);
  });
});

void describe('rows from the bulk library', () => {
  const sourceRow = (id: string, errors: string[] = [], warnings: string[] = []): SourceRow => (errors.length > 0
    ? { origin: `line ${id}`, id, errors, warnings }
    : { origin: `line ${id}`, id, item: { registrationId: id, attestation: { type: 'symmetricKey' } }, errors, warnings });

  void test('a plan becomes planned rows with the action, warnings and invalid rows with reasons', () => {
    const plan = planBulk({ kind: 'enrollment', description: 'devices.csv', rows: [sourceRow('a'), sourceRow('b', ['bad key']), sourceRow('c', [], ['expires soon'])] }, 'create', new Set(['c']));
    const rows = bulkPlanRows(plan);
    assert.deepEqual(rows.map((r) => [r.id, r.outcome, r.detail, r.reason]), [
      ['a', 'planned', 'create (new)', undefined],
      ['c', 'planned', 'will fail: already exists', 'Warning: expires soon'],
      ['b', 'invalid', undefined, 'bad key'],
    ]);
  });

  void test('a report becomes rows with the service reason, code, and what was done', () => {
    const plan = planBulk({ kind: 'enrollment', description: 'devices.csv', rows: [sourceRow('a'), sourceRow('b')] }, 'create');
    const report = buildJobReport(plan, {
      items: [{ id: 'a', outcome: 'done', attempts: 1 }, { id: 'b', outcome: 'failed', attempts: 2, errorCode: 409201, errorStatus: 'Enrollment already exists' }],
      requests: 2, elapsedMs: 10, cancelled: false, counts: { done: 1, failed: 1, notSent: 0 },
    }, new Date(0));
    assert.deepEqual(bulkReportRows(report).map((r) => [r.id, r.outcome, r.detail, r.errorCode, r.reason, r.attempts]), [
      ['a', 'done', 'created', undefined, undefined, 1],
      ['b', 'failed', undefined, 409201, 'Enrollment already exists', 2],
    ]);
  });
});

void describe('rows from an as-code apply', () => {
  void test('the plan lists what changes (unchanged left out) and the report the outcome with the service message', () => {
    const plan = {
      fileName: 'prod.dps.json',
      entries: [
        { kind: 'enrollment', id: 'a', action: 'update', changes: [{ field: 'provisioningStatus' }, { field: 'tags' }], position: { line: 7, column: 5 } },
        { kind: 'group', id: 'g', action: 'delete', changes: [] },
        { kind: 'enrollment', id: 'same', action: 'unchanged', changes: [] },
      ],
    } as unknown as Parameters<typeof applyPlanRows>[0];
    assert.deepEqual(applyPlanRows(plan).map((r) => [r.kind, r.id, r.origin, r.outcome, r.detail]), [
      ['enrollment', 'a', 'prod.dps.json:7', 'planned', 'update: provisioningStatus, tags'],
      ['group', 'g', 'prod.dps.json', 'planned', 'delete'],
    ]);
    const report = {
      items: [
        { kind: 'enrollment', id: 'a', action: 'update', outcome: 'failed', errorCode: 412, message: 'The etag does not match.' },
        { kind: 'group', id: 'g', action: 'delete', outcome: 'notSent' },
      ],
    } as unknown as Parameters<typeof applyReportRows>[0];
    assert.deepEqual(applyReportRows(report, 'prod.dps.json').map((r) => [r.id, r.outcome, r.errorCode, r.reason, r.attempts]), [
      ['a', 'failed', 412, 'The etag does not match.', 1],
      ['g', 'notSent', undefined, undefined, 0],
    ]);
  });
});

void describe('report files', () => {
  void test('CSV quotes separators and quotes and defuses spreadsheet formulas', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a, "b"'), '"a, ""b"""');
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('-1'), "'-1");
    assert.equal(csvCell(undefined), '');
    const csv = reportCsv([{ ...row(2, 'failed', 'Conflict, "etag"'), errorCode: 412 }, { ...row(1, 'done'), detail: 'created' }]);
    assert.equal(csv, 'kind,origin,id,outcome,errorCode,reason,attempts,detail\r\nenrollment,row 2,dev-2,failed,412,"Conflict, ""etag""",1,\r\nenrollment,row 1,dev-1,done,,,1,created\r\n');
  });

  void test('JSON holds the header, counts and every row', () => {
    const model = new JobModel({ header: { title: 'T', source: 'S', quotaPerSecond: 1 } });
    model.finish([row(1, 'done'), row(2, 'failed', 'x')], ['1 done, 1 failed'], true);
    const parsed = JSON.parse(reportJson(model.snapshot(), model.rows.ordered())) as { title: string; cancelled: boolean; counts: Record<string, number>; items: JobRow[] };
    assert.equal(parsed.title, 'T');
    assert.equal(parsed.cancelled, true);
    assert.equal(parsed.counts.failed, 1);
    assert.deepEqual(parsed.items.map((i) => i.id), ['dev-2', 'dev-1']);
  });
});
