// The streamed JSON import (two reads of the file, chunks of a few rows, a JSON-lines report of
// what did not end done) against the in-memory flow (readJsonSourcesFromFile, planBulk,
// runBulkJob): on twin emulators holding the same items, the dry-run counts, every row's outcome
// and reason and what the emulator stores come out the same. Chunks of 7 rows put repeated ids
// and mixed kinds across chunk boundaries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSymmetricKey } from '../../src/attestation';
import {
  BulkSourceError, EXPORT_FORMAT, EXPORT_VERSION, planBulk, planJsonFileStreamed, readExistingItems, readJsonSourcesFromFile,
  readStreamedReport, retrySelection, RowSet, runBulkJob, runStreamedPlan, type ReportItem,
} from '../../src/bulk';
import { InstanceBudget } from '../../src/dps/budget';
import type { BulkMode } from '../../src/dps/models';
import { FAST_RETRY, startBulkEnvironment, type BulkTestEnvironment } from '../support/bulk';
import { tempDir } from '../support/emulator';

let streamed: BulkTestEnvironment;
let inMemory: BulkTestEnvironment;
const budget = (): InstanceBudget => new InstanceBudget({ operationsPerMinute: 1e9, retry: FAST_RETRY });

before(async () => {
  streamed = await startBulkEnvironment();
  inMemory = await startBulkEnvironment();
});
after(async () => {
  await streamed.dispose();
  await inMemory.dispose();
});

type Line = Pick<ReportItem, 'origin' | 'id' | 'outcome' | 'reason'> & { kind: string };

function reportLines(file: string): Line[] {
  const text = readFileSync(file, 'utf8');
  return text === '' ? [] : text.trimEnd().split('\n').map((l) => {
    const { kind, origin, id, outcome, reason } = JSON.parse(l) as Line;
    return { kind, origin, id, outcome, reason };
  });
}

const sortLines = (lines: Line[]): Line[] => [...lines].sort((a, b) => `${a.kind}/${a.origin}`.localeCompare(`${b.kind}/${b.origin}`));

/** Both flows over the same file on twin emulators; returns what each planned and reported. */
async function importBoth(file: string, mode: BulkMode) {
  const plan = await planJsonFileStreamed(streamed.client, file, { mode, budget: budget() });
  const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
  const report = await runStreamedPlan(streamed.client, plan, { budget: budget(), reportFile, chunkRows: 7, concurrency: 3, retry: FAST_RETRY });

  const expectedPlans = [];
  const expectedLines: Line[] = [];
  const expectedCounts = [];
  for (const source of await readJsonSourcesFromFile(file, { mode, now: plan.now })) {
    const jobBudget = budget();
    const memoryPlan = planBulk(source, mode, await readExistingItems(inMemory.client, source.kind, { budget: jobBudget }));
    expectedPlans.push({
      kind: source.kind, rows: source.rows.length, toSend: memoryPlan.planned.length, invalid: memoryPlan.invalid.length,
      counts: memoryPlan.counts, requests: memoryPlan.requests, warnings: memoryPlan.warnings, keysKept: memoryPlan.keysKept,
    });
    const memoryReport = await runBulkJob(inMemory.client, memoryPlan, { budget: jobBudget, concurrency: 3, retry: FAST_RETRY });
    expectedCounts.push({ kind: source.kind, counts: memoryReport.counts });
    for (const i of memoryReport.items) {
      if (i.outcome !== 'done') expectedLines.push({ kind: source.kind, origin: i.origin, id: i.id, outcome: i.outcome, reason: i.reason });
    }
  }
  return { plan, report, reportFile, expectedPlans, expectedLines, expectedCounts };
}

function assertSameStores(prefix: string): void {
  const view = (env: BulkTestEnvironment) => {
    const snapshot = env.emulator.emu.store.snapshot();
    return {
      enrollments: snapshot.enrollments.filter((e) => e.registrationId.startsWith(prefix)).map((e) => [e.registrationId, e.provisioningStatus, JSON.stringify(e.initialTwin ?? null)]).sort(),
      groups: snapshot.enrollmentGroups.filter((g) => g.enrollmentGroupId.startsWith(prefix)).map((g) => [g.enrollmentGroupId, g.provisioningStatus]).sort(),
    };
  };
  assert.deepEqual(view(streamed), view(inMemory));
}

const storedGroupCount = (prefix: string): number => streamed.emulator.emu.store.snapshot().enrollmentGroups.filter((g) => g.enrollmentGroupId.startsWith(prefix)).length;

async function seedBoth(items: Array<{ registrationId: string; primaryKey?: string }>): Promise<void> {
  for (const env of [streamed, inMemory]) {
    for (const { registrationId, primaryKey } of items) {
      await env.client.createOrUpdateEnrollment({ registrationId, attestation: { type: 'symmetricKey', ...(primaryKey ? { symmetricKey: { primaryKey, secondaryKey: primaryKey } } : {}) } });
    }
  }
}

void describe('streamed JSON import', () => {
  void test('create: invalid, repeated (across chunks, other case) and existing rows come out as in the in-memory flow', async () => {
    await seedBoth([{ registrationId: 'sc-03' }, { registrationId: 'sc-20' }]);
    const items: unknown[] = Array.from({ length: 30 }, (_, i) => ({ registrationId: `sc-${String(i).padStart(2, '0')}`, attestation: { type: 'symmetricKey' }, initialTwin: { tags: { n: i } } }));
    items.splice(9, 0, { registrationId: 'SC-01', attestation: { type: 'symmetricKey' } }); // repeat of an earlier chunk, other case
    items.splice(17, 0, { registrationId: 'sc bad id', attestation: { type: 'symmetricKey' } });
    items.splice(25, 0, { registrationId: 'sc-no-attestation' });
    items.push({ registrationId: 'sc-29', attestation: { type: 'symmetricKey' } }); // repeat in the last chunk
    const file = join(tempDir('streamed-'), 'create.json');
    writeFileSync(file, JSON.stringify(items));

    const { plan, report, reportFile, expectedPlans, expectedLines, expectedCounts } = await importBoth(file, 'create');
    assert.deepEqual(plan.kinds, expectedPlans);
    assert.deepEqual(plan.kinds[0]?.counts, { create: 28, failExists: 2 });
    assert.deepEqual(report.kinds, expectedCounts);
    assert.deepEqual(report.kinds[0]?.counts, { done: 28, failed: 2, notSent: 0, invalid: 4 });
    assert.deepEqual(sortLines(reportLines(reportFile)), sortLines(expectedLines));
    assert.ok(reportLines(reportFile).some((l) => l.id === 'SC-01' && l.reason?.includes('item 2 has the same id')), 'the repeat names the first row');
    assertSameStores('sc-');
  });

  void test('update: existing items guarded by the etag read in the dry run, keyless ones keep their keys; an export document gives both kinds', async () => {
    const key = generateSymmetricKey();
    await seedBoth([{ registrationId: 'su-keep', primaryKey: key }, { registrationId: 'su-changed' }]);
    const enrollments = [
      ...Array.from({ length: 12 }, (_, i) => ({ registrationId: `su-${i}`, attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' })),
      { registrationId: 'su-keep', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' },
      { registrationId: 'su-changed', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' },
    ];
    const groups = Array.from({ length: 9 }, (_, i) => ({ enrollmentGroupId: `su-group-${i}`, attestation: { type: 'symmetricKey' } }));
    const file = join(tempDir('streamed-'), 'export.json');
    writeFileSync(file, JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, enrollments, enrollmentGroups: groups }));

    // Between the dry run and the run, su-changed changes on both instances: the guarded update must fail (412), not overwrite.
    const plan = await planJsonFileStreamed(streamed.client, file, { mode: 'update', budget: budget() });
    assert.deepEqual(plan.kinds.map((k) => [k.kind, k.counts, k.keysKept]), [['enrollment', { create: 12, updateExisting: 2 }, 2], ['group', { create: 9 }, 0]]);
    const sources = await readJsonSourcesFromFile(file, { mode: 'update', now: plan.now });
    const memoryPlans = [];
    for (const source of sources) memoryPlans.push(planBulk(source, 'update', await readExistingItems(inMemory.client, source.kind, { budget: budget() })));
    for (const env of [streamed, inMemory]) await env.client.createOrUpdateEnrollment({ registrationId: 'su-changed', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' });

    const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
    const report = await runStreamedPlan(streamed.client, plan, { budget: budget(), reportFile, chunkRows: 7, retry: FAST_RETRY });
    const expectedLines: Line[] = [];
    for (const memoryPlan of memoryPlans) {
      const memoryReport = await runBulkJob(inMemory.client, memoryPlan, { budget: budget(), retry: FAST_RETRY });
      for (const i of memoryReport.items) if (i.outcome !== 'done') expectedLines.push({ kind: memoryPlan.kind, origin: i.origin, id: i.id, outcome: i.outcome, reason: i.reason });
    }
    assert.deepEqual(report.kinds.map((k) => [k.kind, k.counts]), [['enrollment', { done: 13, failed: 1, notSent: 0, invalid: 0 }], ['group', { done: 9, failed: 0, notSent: 0, invalid: 0 }]]);
    assert.deepEqual(sortLines(reportLines(reportFile)), sortLines(expectedLines));
    assert.equal(reportLines(reportFile)[0]?.id, 'su-changed');
    const kept = streamed.emulator.emu.store.snapshot().enrollments.find((e) => e.registrationId === 'su-keep');
    assert.deepEqual([kept?.provisioningStatus, kept?.attestation.symmetricKey?.primaryKey], ['disabled', key]);
    assertSameStores('su-');
  });

  void test('invalid, repeated and newer-field rows are kept with their reasons up to the cap and all counted; the run sets the same rows aside', async () => {
    const policy = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
    const items: unknown[] = Array.from({ length: 20 }, (_, i) => ({ registrationId: `sv-${String(i).padStart(2, '0')}`, attestation: { type: 'symmetricKey' } }));
    items.splice(3, 0, { registrationId: 'sv-policy', attestation: { type: 'symmetricKey' }, ...policy }); // 2026-11-01 fields on a 2021-10-01 connection
    items.splice(6, 0, { registrationId: 'sv bad 1', attestation: { type: 'symmetricKey' } });
    items.splice(9, 0, { registrationId: 'SV-01', attestation: { type: 'symmetricKey' } }); // repeat, other case
    items.push(...Array.from({ length: 5 }, (_, i) => ({ registrationId: `sv bad tail ${i}`, attestation: { type: 'symmetricKey' } })));
    items.push({ registrationId: 'sv-policy', attestation: { type: 'symmetricKey' } }); // the id the set-aside row did not claim
    const file = join(tempDir('streamed-'), 'invalid.json');
    writeFileSync(file, JSON.stringify(items));
    const apiVersion = '2021-10-01' as const;

    const [source] = await readJsonSourcesFromFile(file, { mode: 'create' });
    const expected = planBulk(source, 'create', new Set(), apiVersion).invalid.map(({ row, reasons }) => ({ kind: 'enrollment', origin: row.origin, id: row.id, reason: reasons.join(' ') }));
    assert.equal(expected.length, 8);
    const all = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), apiVersion });
    assert.deepEqual(all.invalidRows, expected, 'the same rows and reasons as the in-memory dry run, in file order');
    assert.match(all.invalidRows[0]?.reason ?? '', /api-version 2021-10-01 does not accept 'namespaceName'/);
    assert.match(all.invalidRows[2]?.reason ?? '', /Duplicate id "SV-01": item 2 has the same id/);

    const capped = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), apiVersion, keepInvalidRows: 3 });
    assert.deepEqual(capped.invalidRows, expected.slice(0, 3));
    assert.deepEqual(capped.kinds.map((k) => [k.invalid, k.toSend, k.counts]), [[8, 21, { create: 21 }]], 'the cap limits what is kept, not what is counted');
    assert.deepEqual((await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), keepInvalidRows: 0 })).invalidRows, []);
    await assert.rejects(planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), keepInvalidRows: -1 }), RangeError);

    const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
    const report = await runStreamedPlan(streamed.client, capped, { budget: budget(), reportFile, chunkRows: 7, retry: FAST_RETRY });
    assert.deepEqual(report.kinds[0]?.counts, { done: 21, failed: 0, notSent: 0, invalid: 8 });
    assert.deepEqual(sortLines(reportLines(reportFile)), sortLines(expected.map((e) => ({ ...e, outcome: 'invalid' as const }))));
    // The later sv-policy without the newer fields is the one stored.
    const stored = streamed.emulator.emu.store.snapshot().enrollments.find((e) => e.registrationId === 'sv-policy') as Record<string, unknown> | undefined;
    assert.equal(stored?.namespaceName, undefined);
    assert.ok(stored !== undefined);
  });

  void test('readStreamedReport reads back the first lines of a run\'s report and counts them all', async () => {
    const file = join(tempDir('streamed-'), 'failing.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: 25 }, (_, i) => ({ registrationId: `sr bad ${i}`, attestation: { type: 'symmetricKey' } }))));
    const plan = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget() });
    const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
    await runStreamedPlan(streamed.client, plan, { budget: budget(), reportFile, chunkRows: 4 });
    const page = await readStreamedReport(reportFile, 10);
    assert.equal(page.total, 25);
    assert.deepEqual(page.lines.map((l) => [l.kind, l.origin, l.id, l.outcome]), Array.from({ length: 10 }, (_, i) => ['enrollment', `item ${i + 1}`, `sr bad ${i}`, 'invalid']));
    assert.deepEqual(page.lines.map((l) => l.reason), reportLines(reportFile).slice(0, 10).map((l) => l.reason));
  });

  void test('a retry plans and sends only the rows the report names as failed or not sent, from the unchanged file', async () => {
    const file = join(tempDir('streamed-'), 'retry.json');
    const enrollments = Array.from({ length: 12 }, (_, i) => ({ registrationId: `st-${i}`, attestation: { type: 'symmetricKey' } }));
    const groups = Array.from({ length: 3 }, (_, i) => ({ enrollmentGroupId: `st-group-${i}`, attestation: { type: 'symmetricKey' } }));
    enrollments.push({ registrationId: 'st bad', attestation: { type: 'symmetricKey' } });
    writeFileSync(file, JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, enrollments, enrollmentGroups: groups }));
    await seedBoth([{ registrationId: 'st-5' }]);
    // Cancelled at once: every valid row is not sent, st-5 too; the invalid row stays out of the retry.
    const plan = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget() });
    const cancelled = new AbortController();
    cancelled.abort();
    const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
    await runStreamedPlan(streamed.client, plan, { budget: budget(), reportFile, chunkRows: 5, signal: cancelled.signal });
    const { only, rows } = await retrySelection(reportFile);
    assert.equal(rows, 15);
    assert.deepEqual([only.get('enrollment')?.size, only.get('group')?.size, only.get('enrollment')?.has(12)], [12, 3, false]);

    // Only the enrollments with an odd index, as if the even ones had been sent.
    const odd = new RowSet();
    for (let i = 1; i < 12; i += 2) odd.add(i);
    const retry = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), only: new Map([['enrollment', odd]]), expectedStamp: plan.stamp });
    assert.deepEqual(retry.kinds.map((k) => [k.kind, k.rows, k.toSend, k.counts]), [['enrollment', 6, 6, { create: 5, failExists: 1 }]]);
    const again = join(tempDir('streamed-report-'), 'report.jsonl');
    const report = await runStreamedPlan(streamed.client, retry, { budget: budget(), reportFile: again, chunkRows: 4, retry: FAST_RETRY });
    assert.deepEqual(report.kinds.map((k) => [k.kind, k.counts]), [['enrollment', { done: 5, failed: 1, notSent: 0, invalid: 0 }]]);
    assert.deepEqual(reportLines(again).map((l) => [l.origin, l.id, l.outcome]), [['item 6', 'st-5', 'failed']]);
    assert.deepEqual(streamed.emulator.emu.store.snapshot().enrollments.map((e) => e.registrationId).filter((id) => id.startsWith('st-')).sort(), ['st-1', 'st-11', 'st-3', 'st-5', 'st-7', 'st-9']);
    assert.equal(storedGroupCount('st-group-'), 0);

    appendFileSync(file, ' ');
    await assert.rejects(planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget(), only, expectedStamp: plan.stamp }), (e: unknown) => e instanceof BulkSourceError && /changed since the dry run/.test(e.message));
  });

  void test('a file changed after the dry run is refused before anything is sent; a cancelled run reports every row not sent', async () => {
    const file = join(tempDir('streamed-'), 'changed.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ registrationId: `sx-${i}`, attestation: { type: 'symmetricKey' } }))));
    const plan = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget() });
    appendFileSync(file, ' ');
    const reportFile = join(tempDir('streamed-report-'), 'report.jsonl');
    await assert.rejects(runStreamedPlan(streamed.client, plan, { budget: budget(), reportFile }), (e: unknown) => e instanceof BulkSourceError && /changed since the dry run/.test(e.message));

    const again = await planJsonFileStreamed(streamed.client, file, { mode: 'create', budget: budget() });
    const cancelled = new AbortController();
    cancelled.abort();
    const report = await runStreamedPlan(streamed.client, again, { budget: budget(), reportFile, chunkRows: 4, signal: cancelled.signal });
    assert.deepEqual([report.cancelled, report.kinds[0]?.counts], [true, { done: 0, failed: 0, notSent: 10, invalid: 0 }]);
    assert.equal(reportLines(reportFile).filter((l) => l.outcome === 'notSent').length, 10);
    assert.equal(streamed.emulator.emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith('sx-')).length, 0);
  });
});
