// runBulkJob's live rows: what a watching view hears while the job runs must be, row for row, what
// the finished report says, and a failure must be heard before the job has sent everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBulkJob, type BulkJobClient, type BulkJobReport, type BulkPlan, type PlannedRow, type SettledRow } from '../../../src/bulk';
import { bulkPlansRows, bulkReportRow, bulkReportRows, JobModel } from '../../../src/jobs';
import { FakeBulkService, VirtualClock, enrollments, httpError } from '../../support/dpsFakes';

/** The fake bulk endpoint plus attestation reads, which 404 (the item was deleted since the dry run). */
function client(clock: VirtualClock, failId: string): FakeBulkService & BulkJobClient {
  const service = new FakeBulkService(clock, {
    itemError: (id) => (id === failId ? { errorCode: 400004, errorStatus: 'Invalid attestation.' } : undefined),
  });
  const missing = (): Promise<never> => Promise.reject(httpError(404, { errorCode: 404201, message: 'not found' }));
  return Object.assign(service, { getEnrollmentAttestation: missing, getEnrollmentGroupAttestation: missing });
}

function plan(): BulkPlan {
  const planned: PlannedRow[] = enrollments(23).map((item, i) => ({
    row: { origin: `row ${i + 2}`, id: item.registrationId, item, errors: [], warnings: [] },
    action: i === 0 ? 'updateExisting' : 'create',
    ...(i === 0 ? { etag: '"7"', keepKeys: true } : {}),
  }));
  return { kind: 'enrollment', mode: 'update', description: 'devices.csv', planned, invalid: [], counts: {}, requests: 3, warnings: 0, keysKept: 1 };
}

void test('rows are heard as they settle (key-read failures first), each once, as the report lists them', async () => {
  const clock = new VirtualClock();
  const service = client(clock, 'dev-011');
  const heard: Array<{ rows: SettledRow[]; requestsSent: number }> = [];
  const report = await runBulkJob(service, plan(), {
    clock, concurrency: 1, operationsPerMinute: 60_000,
    onRowsSettled: (rows) => heard.push({ rows, requestsSent: service.calls.length }),
  });
  // The key read of the first row (an update) failed before anything was sent; then the 22 creates in batches of 10, 10, 2.
  assert.deepEqual(heard.map((h) => [h.rows.length, h.requestsSent]), [[1, 0], [10, 1], [10, 2], [2, 3]]);
  assert.equal(heard[0].rows[0].planIndex, 0);
  assert.match(heard[0].rows[0].item.reason ?? '', /no longer exists/);
  // dev-011 failed in the second batch, while the third was still to be sent.
  const failed = heard[2].rows.find((r) => r.item.outcome === 'failed');
  assert.equal(failed?.planIndex, 11);
  assert.equal(failed?.item.reason, 'Invalid attestation.');
  const all = heard.flatMap((h) => h.rows).sort((a, b) => a.planIndex - b.planIndex);
  assert.deepEqual(all.map((r) => r.planIndex), report.items.map((_, i) => i), 'every row heard exactly once');
  assert.deepEqual(all.map((r) => r.item), report.items, 'live rows agree with the report');
  assert.deepEqual(report.counts, { done: 21, failed: 2, notSent: 0, invalid: 0 });
});

void test('a throwing listener does not break the job', async () => {
  const clock = new VirtualClock();
  const report = await runBulkJob(client(clock, 'none'), plan(), {
    clock, operationsPerMinute: 60_000,
    onRowsSettled: () => {
      throw new Error('listener bug');
    },
  });
  assert.deepEqual(report.counts, { done: 22, failed: 1, notSent: 0, invalid: 0 });
});

void test('two plans in one Jobs view: each row settles at its dry-run place, and the live rows are the finished rows', async () => {
  const clock = new VirtualClock();
  const service = client(clock, 'dev-011');
  const first = plan();
  const invalidRow = { row: { origin: 'row 99', id: 'bad id', errors: ['The id does not allow spaces.'], warnings: [] }, reasons: ['The id does not allow spaces.'] };
  first.invalid.push(invalidRow);
  const groups = enrollments(3, 'grp').map((item, i) => ({ row: { origin: `item ${i + 1}`, id: item.registrationId, item, errors: [], warnings: [] }, action: 'create' as const }));
  const second: BulkPlan = { ...plan(), planned: groups, invalid: [invalidRow], description: 'more.json' };
  const dryRun = bulkPlansRows([first, second]);
  assert.deepEqual([dryRun.starts.get(first), dryRun.starts.get(second), dryRun.rows.length], [0, 24, 28]);
  const model = new JobModel({ header: { title: 'Update', source: 'two files', quotaPerSecond: 1 } });
  model.showDryRun(dryRun.rows, ['2 plans']);
  model.startRun();
  const failedWhileRunning: string[] = [];
  const reports: BulkJobReport[] = [];
  for (const p of [first, second]) {
    const start = dryRun.starts.get(p) ?? -1;
    reports.push(await runBulkJob(service, p, {
      clock, concurrency: 1, operationsPerMinute: 60_000,
      onRowsSettled: (rows) => {
        model.settleRows(rows.map(({ planIndex, item }) => ({ index: start + planIndex, row: bulkReportRow(p.kind, item) })));
        failedWhileRunning.push(...model.rows.page({ filter: 'failed', search: '' }, 0, 10).map((r) => r.id).filter((id) => !failedWhileRunning.includes(id)));
      },
    }));
  }
  assert.deepEqual(failedWhileRunning, ['dev-000', 'dev-011'], 'the key-read failure, then the service\'s, listed as they happened');
  const live = model.rows.ordered();
  model.finish(reports.flatMap(bulkReportRows), ['done'], false);
  assert.deepEqual(live, model.rows.ordered(), 'the finish changes nothing the live rows showed');
});
