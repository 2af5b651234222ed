// Bulk jobs end to end against the emulator over HTTPS: each mode and each source goes through the
// dry-run plan and the bulk runner, and every report is checked against what the emulator stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSymmetricKey } from '../../src/attestation';
import {
  certificateFolderSource, exportConnection, readExistingItems, parseEnrollmentCsv, parseJsonSource, parseJsonSources,
  planBulk, retrySource, runBulkJob, selectionSource, type BulkJobReport,
} from '../../src/bulk';
import { expandIdPattern } from '../../src/bulk/idPattern';
import { runBulk } from '../../src/dps/bulk';
import { InstanceBudget } from '../../src/dps/budget';
import type { ExportDocument } from '../../src/bulk/exportFormat';
import type { DpsClient } from '../../src/dps/client';
import type { IndividualEnrollment } from '../../src/dps/models';
import { leafWithCommonName, testChain, withTempDir, writeFiles } from '../support/attestation';
import { csvLines, FAST_RETRY, startBulkEnvironment, storedEnrollments, storedGroups, type BulkTestEnvironment } from '../support/bulk';

let env: BulkTestEnvironment;
const fast = { operationsPerMinute: 600_000, retry: FAST_RETRY };

before(async () => {
  env = await startBulkEnvironment();
});
after(async () => {
  await env.dispose();
});

/** The streamed export gathered into a string and parsed, for checks on its content. */
async function exportDocument(client: DpsClient, includeKeys: boolean): Promise<ExportDocument> {
  let text = '';
  await exportConnection(client, { write: (chunk) => { text += chunk; return Promise.resolve(); } }, { includeKeys, budget: new InstanceBudget({ operationsPerMinute: 600_000 }) });
  return JSON.parse(text) as ExportDocument;
}

function outcomes(report: BulkJobReport): Record<string, string> {
  return Object.fromEntries(report.items.map((i) => [i.id || i.origin, i.outcome]));
}

/** Done means stored (or gone, for delete); everything else means untouched by this job. */
function assertReportMatchesStore(report: BulkJobReport, storedIds: Set<string>, deleted = false): void {
  for (const item of report.items) {
    if (item.outcome === 'done') assert.equal(storedIds.has(item.id.toLowerCase()), !deleted, `${item.id} reported done`);
  }
}

void describe('bulk create from CSV', () => {
  void test('mixed valid, invalid, duplicate and already existing rows give a per-item report', async () => {
    await env.client.createOrUpdateEnrollment({ registrationId: 'csv-exists', attestation: { type: 'symmetricKey' } });
    const ids = expandIdPattern('csv-{01..24}');
    const csv = csvLines('registrationId,primaryKey,tags', [...ids, 'csv-exists', 'csv bad', 'csv-badkey', 'CSV-01'], (id) =>
      id === 'csv-badkey' ? ',bm90IGEga2V5,' : `,,"{""n"":""${id}""}"`);
    const source = parseEnrollmentCsv(csv, { mode: 'create', fileName: 'devices.csv' });
    const plan = planBulk(source, 'create', await readExistingItems(env.client, 'enrollment', { budget: new InstanceBudget({ operationsPerMinute: 600_000 }) }));
    assert.deepEqual(plan.counts, { create: 24, failExists: 1 });
    assert.equal(plan.invalid.length, 3);

    const report = await runBulkJob(env.client, plan, fast);
    assert.deepEqual(report.counts, { done: 24, failed: 1, notSent: 0, invalid: 3 });
    const byId = outcomes(report);
    assert.equal(byId['csv-exists'], 'failed');
    assert.match(report.items.find((i) => i.id === 'csv-exists')?.reason ?? '', /exist/i);
    assert.equal(byId['csv bad'], 'invalid');
    assert.equal(byId['CSV-01'], 'invalid');
    const stored = storedEnrollments(env, 'csv-');
    assert.equal(stored.length, 25);
    assert.equal(stored.find((e) => e.registrationId === 'csv-07')?.initialTwin?.tags?.n, 'csv-07');
    assertReportMatchesStore(report, new Set(stored.map((e) => e.registrationId.toLowerCase())));
  });
});

void describe('update, update if ETag matches, delete', () => {
  const ids = expandIdPattern('upd-{001..030}');

  before(async () => {
    const plan = planBulk(parseEnrollmentCsv(csvLines('registrationId', ids), { mode: 'create' }), 'create');
    assert.equal((await runBulkJob(env.client, plan, fast)).counts.done, 30);
  });

  // The live service refuses bulk mode `update` of existing enrollments per item (409201, recording
  // test_individual_enrollment_bulk_operations); the product's Update must use updateIfMatchETag or single PUTs.
  void test('update from a JSON array replaces content (existing items sent guarded by the etags read in the dry run)', async () => {
    const items = ids.map((registrationId) => ({ registrationId, attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' }));
    const existing = await readExistingItems(env.client, 'enrollment', { budget: new InstanceBudget() });
    const report = await runBulkJob(env.client, planBulk(parseJsonSource(JSON.stringify(items), 'enrollment', { mode: 'update' }), 'update', existing), fast);
    assert.equal(report.counts.done, 30);
    assert.ok(storedEnrollments(env, 'upd-').every((e) => e.provisioningStatus === 'disabled'));
  });

  void test('updateIfMatchETag: current ETags apply, a stale one fails with the service reason', async () => {
    const current = await Promise.all(ids.slice(0, 5).map((id) => env.client.getEnrollment(id)));
    const staleItemStatus = current[2].provisioningStatus; // whatever the earlier test left; the stale item keeps it
    current[2].etag = '"stale"';
    const text = JSON.stringify(current.map((e) => ({ ...e, provisioningStatus: 'enabled' })));
    const report = await runBulkJob(env.client, planBulk(parseJsonSource(text, 'enrollment', { mode: 'updateIfMatchETag' }), 'updateIfMatchETag'), fast);
    assert.deepEqual(report.counts, { done: 4, failed: 1, notSent: 0, invalid: 0 });
    const failed = report.items.find((i) => i.outcome === 'failed');
    assert.equal(failed?.id, ids[2]);
    assert.ok((failed?.reason ?? '').length > 0);
    const stored = new Map(storedEnrollments(env, 'upd-').map((e) => [e.registrationId, e.provisioningStatus]));
    assert.deepEqual(ids.slice(0, 5).map((id) => stored.get(id)), ['enabled', 'enabled', staleItemStatus, 'enabled', 'enabled']);
  });

  void test('delete from the tree selection', async () => {
    const selected = await Promise.all(ids.slice(0, 10).map((id) => env.client.getEnrollment(id)));
    const report = await runBulkJob(env.client, planBulk(selectionSource(selected, 'enrollment', 'delete'), 'delete'), fast);
    assert.equal(report.counts.done, 10);
    const left = new Set(storedEnrollments(env, 'upd-').map((e) => e.registrationId));
    assert.equal(left.size, 20);
    assertReportMatchesStore(report, left, true);
  });
});

void describe('other sources', () => {
  void test('a certificate folder: one X.509 enrollment per leaf, CA certificate refused', async () => {
    const chain = await testChain('ecdsa-p256', 'certdir-1');
    await withTempDir(async (dir) => {
      writeFiles(dir, { '1.pem': chain.device.certificatePem, '2.pem': await leafWithCommonName('certdir-2'), 'ca.pem': chain.root.certificatePem });
      const report = await runBulkJob(env.client, planBulk(await certificateFolderSource(dir, 'create'), 'create'), fast);
      assert.deepEqual(report.counts, { done: 2, failed: 0, notSent: 0, invalid: 1 });
      const stored = storedEnrollments(env, 'certdir-');
      assert.deepEqual(stored.map((e) => e.registrationId).sort(), ['certdir-1', 'certdir-2']);
      assert.equal(stored[0].attestation.type, 'x509');
    });
  });

  void test('export with keys from one instance, import into another: enrollments and groups (group bulk API)', async () => {
    const groupKey = generateSymmetricKey();
    await env.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'exp-group-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: groupKey, secondaryKey: generateSymmetricKey() } } });
    await env.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'exp-group-2', attestation: { type: 'symmetricKey' } });
    const exported = await exportDocument(env.client, true);
    assert.ok(exported.enrollments.length >= 45);
    const target = await startBulkEnvironment();
    try {
      const sources = parseJsonSources(JSON.stringify(exported), { mode: 'update' });
      assert.deepEqual(sources.map((s) => s.kind), ['enrollment', 'group']);
      let x509WithoutPem = 0;
      for (const source of sources) {
        const plan = planBulk(source, 'update', await readExistingItems(target.client, source.kind, { budget: new InstanceBudget({ operationsPerMinute: 600_000 }) }));
        // X.509 enrollments come back from the service without their certificate: the plan says so.
        for (const { reasons } of plan.invalid) {
          assert.match(reasons.join(' '), /has only its info/);
          x509WithoutPem++;
        }
        const report = await runBulkJob(target.client, plan, fast);
        assert.equal(report.counts.done, plan.planned.length, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 3)));
      }
      assert.equal(x509WithoutPem, exported.enrollments.filter((e) => e.attestation.type === 'x509').length);
      assert.ok(x509WithoutPem > 0, 'the certificate-folder enrollments were exported');
      const groups = storedGroups(target, 'exp-group-');
      assert.equal(groups.length, 2);
      assert.equal(groups.find((g) => g.enrollmentGroupId === 'exp-group-1')?.attestation.symmetricKey?.primaryKey, groupKey, 'keys travelled');
      assert.equal(target.emulator.emu.store.snapshot().enrollments.length, exported.enrollments.length - x509WithoutPem);
      assert.ok((target.emulator.emu.stats().byOperation.EnrollmentGroup_RunBulkOperation ?? 0) >= 1, 'groups went through the group bulk API');
    } finally {
      await target.dispose();
    }
  });

  void test('groups: create from JSON and delete from the selection, through the group bulk API', async () => {
    const groups = ['grp-a', 'grp-b', 'grp-c'].map((enrollmentGroupId) => ({ enrollmentGroupId, attestation: { type: 'symmetricKey' } }));
    const created = await runBulkJob(env.client, planBulk(parseJsonSource(JSON.stringify(groups), 'group', { mode: 'create' }), 'create'), fast);
    assert.equal(created.counts.done, 3);
    assert.equal(storedGroups(env, 'grp-').length, 3);
    const selected = await Promise.all(['grp-a', 'grp-c'].map((id) => env.client.getEnrollmentGroup(id)));
    const deleted = await runBulkJob(env.client, planBulk(selectionSource(selected, 'group', 'delete'), 'delete'), fast);
    assert.equal(deleted.counts.done, 2);
    assert.deepEqual(storedGroups(env, 'grp-').map((g) => g.enrollmentGroupId), ['grp-b']);
  });

  void test('export without keys leaves every key out', async () => {
    const exported = await exportDocument(env.client, false);
    const text = JSON.stringify(exported);
    for (const e of env.emulator.emu.store.snapshot().enrollmentGroups) {
      const key = e.attestation.symmetricKey?.primaryKey;
      if (key !== undefined) assert.ok(!text.includes(key));
    }
  });
});

void describe('cancellation mid-run', () => {
  void test('the report splits exactly into done (stored) and not sent (absent); retry finishes the rest', async () => {
    const ids = expandIdPattern('cancel-{0001..0400}');
    const plan = planBulk(parseEnrollmentCsv(csvLines('registrationId', ids), { mode: 'create' }), 'create');
    const controller = new AbortController();
    const report = await runBulkJob(env.client, plan, {
      ...fast,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => { if (p.batchesSettled >= 6) controller.abort(); },
    });
    assert.equal(report.cancelled, true);
    assert.ok(report.counts.done >= 60 && report.counts.notSent > 0, JSON.stringify(report.counts));
    assert.equal(report.counts.done + report.counts.failed + report.counts.notSent, 400);
    const stored = new Set(storedEnrollments(env, 'cancel-').map((e) => e.registrationId));
    assert.equal(stored.size, report.counts.done, 'exactly the items reported done are stored');
    for (const item of report.items) assert.equal(stored.has(item.id), item.outcome === 'done', item.id);

    const retry = planBulk(retrySource(report, plan), 'create');
    assert.equal(retry.planned.length, report.counts.notSent + report.counts.failed);
    const second = await runBulkJob(env.client, retry, fast);
    assert.equal(second.counts.done, retry.planned.length);
    assert.equal(storedEnrollments(env, 'cancel-').length, 400);
  });
});

void describe('duplicates inside one batch', () => {
  void test('the runner alone refuses a repeated id without sending the batch twice', async () => {
    // Bypass the plan: even a caller that skips the dry run never sends a repeat to the service.
    const items: IndividualEnrollment[] = ['dup-1', 'dup-2', 'DUP-1'].map((registrationId) => ({ registrationId, attestation: { type: 'symmetricKey' } }));
    const plan = planBulk(selectionSource(items, 'enrollment', 'create'), 'create');
    assert.equal(plan.invalid.length, 1, 'the plan sets the repeat aside');
    const run = await runBulk({ client: env.client, kind: 'enrollment', mode: 'create', items, ...fast });
    assert.deepEqual(run.items.map((i) => i.outcome), ['done', 'done', 'failed']);
    assert.equal(storedEnrollments(env, 'dup-').length, 2);
  });
});
