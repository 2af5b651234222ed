import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BulkReport } from '../../../src/dps/bulk';
import { planBulk, plannedItems } from '../../../src/bulk/plan';
import { renderPlanMarkdown, summarisePlan } from '../../../src/bulk/renderPlan';
import { buildJobReport, renderReportJson, renderReportMarkdown, retrySource, summariseReport } from '../../../src/bulk/report';
import type { SourceResult, SourceRow } from '../../../src/bulk/rows';
import { describeProgress } from '../../../src/bulk/job';
import { cell } from '../../../src/bulk/markdown';

function row(id: string, errors: string[] = [], warnings: string[] = []): SourceRow {
  return errors.length > 0
    ? { origin: `line ${id}`, id, errors, warnings }
    : { origin: `line ${id}`, id, item: { registrationId: id, attestation: { type: 'symmetricKey' } }, errors, warnings };
}

const source: SourceResult = {
  kind: 'enrollment',
  description: 'devices.csv',
  rows: [row('a'), row('b', ['bad key | really']), row('c', [], ['expires soon']), row('A'), row('d'), row('e')],
};

void describe('planBulk', () => {
  void test('invalid rows and case-insensitive repeats are set aside with reasons', () => {
    const plan = planBulk(source, 'create');
    assert.deepEqual(plan.planned.map((p) => p.row.id), ['a', 'c', 'd', 'e']);
    assert.deepEqual(plan.invalid.map((i) => i.row.id), ['b', 'A']);
    assert.match(plan.invalid[1].reasons[0], /Duplicate id "A": line a has the same id/);
    assert.deepEqual(plan.counts, { create: 4 });
    assert.equal(plan.requests, 1);
    assert.equal(plan.warnings, 1);
    assert.deepEqual(plannedItems(plan).map((i) => (i as { registrationId: string }).registrationId), ['a', 'c', 'd', 'e']);
  });

  void test('known existing ids split the actions per mode', () => {
    const existing = new Set(['a', 'd']);
    assert.deepEqual(planBulk(source, 'create', existing).counts, { failExists: 2, create: 2 });
    assert.deepEqual(planBulk(source, 'update', existing).counts, { updateExisting: 2, create: 2 });
    assert.deepEqual(planBulk(source, 'update').counts, { createOrUpdate: 4 });
    assert.deepEqual(planBulk(source, 'delete', existing).counts, { delete: 2, failMissing: 2 });
    assert.deepEqual(planBulk(source, 'updateIfMatchETag', existing).counts, { update: 2, failMissing: 2 });
  });

  void test('the summary and document give counts and every invalid row, escaped', () => {
    const plan = planBulk(source, 'create');
    assert.equal(summarisePlan(plan), 'Create individual enrollments from devices.csv: 4 to send in 1 bulk request (4 create (new)). 2 invalid rows will not be sent. 1 row has warnings.');
    const md = renderPlanMarkdown(plan);
    assert.match(md, /\| line b \| b \| bad key \\\| really \|/);
    assert.match(md, /## Warnings \(1 rows, sent anyway\)/);
  });
});

void describe('job report', () => {
  const plan = planBulk(source, 'create');
  const run: BulkReport = {
    items: [
      { id: 'a', outcome: 'done', attempts: 1 },
      { id: 'c', outcome: 'failed', errorCode: 409201, errorStatus: 'Enrollment already exists', attempts: 1 },
      { id: 'd', outcome: 'done', attempts: 2 },
      { id: 'e', outcome: 'notSent', attempts: 0 },
    ],
    requests: 3,
    elapsedMs: 2000,
    cancelled: true,
    counts: { done: 2, failed: 1, notSent: 1 },
  };

  void test('every input row appears once with its outcome', () => {
    const report = buildJobReport(plan, run, new Date(0));
    assert.deepEqual(report.items.map((i) => [i.id, i.outcome]), [['a', 'done'], ['c', 'failed'], ['d', 'done'], ['e', 'notSent'], ['b', 'invalid'], ['A', 'invalid']]);
    assert.deepEqual(report.counts, { done: 2, failed: 1, notSent: 1, invalid: 2 });
    assert.equal(report.items[1].reason, 'Enrollment already exists');
    assert.equal(report.items[1].errorCode, 409201);
    assert.match(report.items[3].reason ?? '', /cancelled/);
    assert.equal(summariseReport(report), '2 done, 1 failed, 1 not sent (cancelled), 2 invalid; 3 requests in 2.0 s (2 items/s).');
  });

  void test('a run that does not match the plan is refused rather than misreported', () => {
    assert.throws(() => buildJobReport(plan, { ...run, items: run.items.slice(1) }, new Date()), /3 items for 4 sent/);
  });

  void test('retry takes failed and unsent rows only', () => {
    const retry = retrySource(buildJobReport(plan, run, new Date(0)), plan);
    assert.deepEqual(retry.rows.map((r) => r.id), ['c', 'e']);
    assert.ok(retry.rows.every((r) => r.item !== undefined));
  });

  void test('Markdown and JSON renderings', () => {
    const report = buildJobReport(plan, run, new Date(0));
    const md = renderReportMarkdown(report);
    assert.match(md, /## Failed \(1\)\n\n\| Row \| Id \| Code \| Reason \|\n\|---\|---\|---\|---\|\n\| line c \| c \| 409201 \| Enrollment already exists \|/);
    assert.ok(md.indexOf('## Failed') < md.indexOf('## Done'));
    const json = JSON.parse(renderReportJson(report)) as { items: unknown[]; counts: unknown };
    assert.equal(json.items.length, 6);
    assert.deepEqual(json.counts, report.counts);
  });
});

void describe('progress text', () => {
  void test('counts, failures and rate', () => {
    const base = { total: 5000, done: 1200, failed: 30, notSent: 0, requests: 130, batchesSettled: 123, batches: 500, elapsedMs: 10_000 };
    assert.equal(describeProgress({ ...base, itemsPerSecond: 95.4 }), '1,230 of 5,000 · 30 failed · 95/s');
    assert.equal(describeProgress({ ...base, failed: 0, itemsPerSecond: 120 }), '1,200 of 5,000 · 120/s');
  });
});

void describe('Markdown cells', () => {
  void test('pipes, newlines and HTML cannot break out of a cell', () => {
    assert.equal(cell('a|b\nc <script>'), 'a\\|b c &lt;script>');
    assert.equal(cell('dev_1.a'), 'dev_1.a');
  });
});
