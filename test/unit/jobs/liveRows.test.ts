// Rows that settle while a job runs: the failed-first view, the filter counts and the pages stay
// right as planned rows turn into outcomes one batch at a time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_OUTCOMES, JobModel, JobRows, type JobOutcome, type JobRow } from '../../../src/jobs';
import { RankedSet } from '../../../src/jobs/rankedSet';

function row(i: number, outcome: JobOutcome, reason?: string): JobRow {
  return { kind: 'enrollment', origin: `row ${i}`, id: `dev-${i}`, outcome, attempts: outcome === 'planned' ? 0 : 1, ...(reason !== undefined ? { reason } : {}) };
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** The failed-first order the straightforward way: a stable sort by outcome. */
function expectedOrder(rows: readonly JobRow[], filter: 'all' | JobOutcome): string[] {
  return rows
    .filter((r) => filter === 'all' || r.outcome === filter)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => JOB_OUTCOMES.indexOf(a.r.outcome) - JOB_OUTCOMES.indexOf(b.r.outcome) || a.i - b.i)
    .map(({ r }) => r.id);
}

void describe('RankedSet', () => {
  void test('finds the k-th member as members come and go, against a sorted list', () => {
    const next = random(7);
    const capacity = 300;
    const reference = new Set<number>();
    for (let i = 0; i < capacity; i++) if (next() < 0.3) reference.add(i);
    const set = new RankedSet(capacity, (i) => reference.has(i));
    for (let step = 0; step < 2000; step++) {
      const index = Math.floor(next() * capacity);
      if (reference.has(index)) {
        reference.delete(index);
        set.delete(index);
      } else {
        reference.add(index);
        set.add(index);
      }
      if (step % 100 === 0) {
        const sorted = [...reference].sort((a, b) => a - b);
        assert.equal(set.size, sorted.length);
        assert.deepEqual(sorted.map((_, k) => set.select(k)), sorted);
      }
    }
  });

  void test('refuses ranks and indexes it does not hold', () => {
    const set = new RankedSet(4, (i) => i === 2);
    assert.equal(set.select(0), 2);
    assert.throws(() => set.select(1), /No member 1: the set holds 1/);
    assert.throws(() => set.add(4), /Index 4 is outside 0..3/);
    assert.throws(() => new RankedSet(-1), /whole capacity/);
    assert.equal(new RankedSet(0).size, 0);
  });
});

void describe('JobRows settling in place', () => {
  void test('random settles keep every filter\'s pages and counts equal to a fresh failed-first sort', () => {
    const next = random(42);
    const rows = new JobRows();
    const reference = Array.from({ length: 500 }, (_, i) => row(i, i % 50 === 3 ? 'invalid' : 'planned'));
    rows.replace(reference);
    const outcomes: JobOutcome[] = ['failed', 'notSent', 'done'];
    for (let step = 0; step < 600; step++) {
      const index = Math.floor(next() * reference.length);
      const settled = row(index, outcomes[Math.floor(next() * outcomes.length)], `reason ${step}`);
      reference[index] = settled;
      rows.set(index, settled);
      if (step % 60 !== 0) continue;
      for (const filter of ['all', ...JOB_OUTCOMES] as const) {
        const expected = expectedOrder(reference, filter);
        assert.equal(rows.count({ filter, search: '' }), expected.length, filter);
        // Pages of 37 from every offset join into the whole ordered list.
        const paged: string[] = [];
        for (let offset = 0; offset < expected.length; offset += 37) paged.push(...rows.page({ filter, search: '' }, offset, 37).map((r) => r.id));
        assert.deepEqual(paged, expected, filter);
      }
      for (const outcome of JOB_OUTCOMES) assert.equal(rows.counts[outcome], reference.filter((r) => r.outcome === outcome).length);
    }
    // A search sees the settled rows' reasons, not the planned ones.
    const last = reference.find((r) => r.reason === 'reason 599');
    assert.deepEqual(rows.page({ filter: 'all', search: 'REASON 599' }, 0, 10).map((r) => r.id), [last?.id]);
  });

  void test('set replaces the whole row: a planned row\'s detail and warning do not stay on its outcome', () => {
    const rows = new JobRows();
    rows.replace([{ ...row(1, 'planned', 'Warning: no tags'), detail: 'create' }]);
    rows.set(0, { ...row(1, 'done'), detail: 'created' });
    assert.deepEqual(rows.ordered(), [{ ...row(1, 'done'), detail: 'created' }]);
    assert.throws(() => rows.set(1, row(2, 'done')), /No row 1: the job has 1/);
  });
});

void describe('JobModel settling rows while the job runs', () => {
  const header = { title: 'Create individual enrollments', source: 'devices.csv', quotaPerSecond: 3 };

  function running(): JobModel {
    const model = new JobModel({ header });
    model.showDryRun([...Array.from({ length: 6 }, (_, i) => row(i, 'planned')), row(6, 'invalid', 'No key')], ['6 to send']);
    model.startRun();
    return model;
  }

  void test('a failed row is listed first and counted while the rest is still planned', () => {
    const model = running();
    model.settleRows([{ index: 0, row: row(0, 'done') }, { index: 4, row: { ...row(4, 'failed', 'Invalid attestation.'), errorCode: 400004 } }]);
    const snapshot = model.snapshot();
    assert.equal(snapshot.phase, 'running');
    assert.deepEqual(snapshot.counts, { failed: 1, notSent: 0, invalid: 1, planned: 4, done: 1 });
    assert.deepEqual(model.rows.page({ filter: 'all', search: '' }, 0, 3).map((r) => [r.id, r.outcome]), [['dev-4', 'failed'], ['dev-6', 'invalid'], ['dev-1', 'planned']]);
    assert.equal(model.rows.page({ filter: 'failed', search: '' }, 0, 10)[0].reason, 'Invalid attestation.');
    assert.equal(model.rows.count({ filter: 'planned', search: '' }), 4);
    assert.equal(model.rows.page({ filter: 'all', search: '' }, 6, 10).at(-1)?.id, 'dev-0', 'done rows last');
  });

  void test('the finish replaces the live rows with the report\'s, which agree with them', () => {
    const model = running();
    const final = [row(0, 'done'), row(1, 'done'), row(2, 'failed', 'Conflict'), row(3, 'done'), row(4, 'failed', 'Bad'), row(5, 'notSent', 'Cancelled'), row(6, 'invalid', 'No key')];
    model.settleRows(final.slice(0, 5).map((r, index) => ({ index, row: r })));
    const live = model.rows.ordered().filter((r) => r.outcome !== 'planned');
    model.finish(final, ['done'], true);
    const finished = model.rows.ordered();
    assert.deepEqual(live, finished.filter((r) => live.some((l) => l.id === r.id)));
    assert.deepEqual(model.snapshot().counts, { failed: 2, notSent: 1, invalid: 1, planned: 0, done: 3 });
  });

  void test('rows that are not the job\'s are refused and nothing of their batch is applied', () => {
    const model = running();
    assert.throws(() => model.settleRows([{ index: 1, row: row(1, 'done') }, { index: 2, row: row(3, 'done') }]), /Row 2 is enrollment 'dev-2', not enrollment 'dev-3'/);
    assert.throws(() => model.settleRows([{ index: 7, row: row(7, 'done') }]), /No row 7: the job lists 7/);
    assert.throws(() => model.settleRows([{ index: 1.5, row: row(1, 'done') }]), /No row 1.5/);
    assert.deepEqual(model.snapshot().counts, { failed: 0, notSent: 0, invalid: 1, planned: 6, done: 0 });
  });

  void test('rows settle only while running, and never in a counts-only job', () => {
    const model = new JobModel({ header });
    model.showDryRun([row(0, 'planned')], ['1 to send']);
    assert.throws(() => model.settleRows([{ index: 0, row: row(0, 'done') }]), /only while the job runs; it is dryRun/);
    model.showDryRun([row(9, 'invalid', 'Repeat')], ['98 to send'], { failed: 0, notSent: 0, invalid: 1, planned: 98, done: 0 });
    model.startRun();
    assert.throws(() => model.settleRows([{ index: 0, row: row(9, 'done') }]), /counts-only job has no listed rows/);
  });
});
