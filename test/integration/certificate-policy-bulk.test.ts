// Bulk sources and export/import carry the ADR certificate policy through the emulator on
// 2026-11-01 connections: CSV create, JSON groups, export, import into another linked instance. An
// import through a 2021-10-01 connection fails per item with a reason naming the field and version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportConnection, parseEnrollmentCsv, parseJsonSource, parseJsonSources, planBulk, readExistingItems, runBulkJob } from '../../src/bulk';
import type { ExportDocument } from '../../src/bulk/exportFormat';
import { InstanceBudget } from '../../src/dps/budget';
import { DpsClient } from '../../src/dps/client';
import { FAST_RETRY, csvLines, startBulkEnvironment, storedEnrollments, storedGroups, type BulkTestEnvironment } from '../support/bulk';

const ADR = { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }] };
const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
const fast = { operationsPerMinute: 600_000, retry: FAST_RETRY };
const budget = () => new InstanceBudget({ operationsPerMinute: 600_000 });

let source: BulkTestEnvironment;
let v2026: DpsClient;

function clientFor(env: BulkTestEnvironment, apiVersion: '2021-10-01' | '2026-11-01'): DpsClient {
  return DpsClient.fromConnectionString(env.emulator.emu.connectionString, { ca: env.emulator.emu.caCertificatePem, apiVersion, retry: FAST_RETRY });
}

before(async () => {
  source = await startBulkEnvironment({ adr: ADR });
  v2026 = clientFor(source, '2026-11-01');
});
after(async () => {
  v2026?.dispose();
  await source?.dispose();
});

async function exportDocument(client: DpsClient): Promise<ExportDocument> {
  let text = '';
  await exportConnection(client, { write: (chunk) => { text += chunk; return Promise.resolve(); } }, { includeKeys: true, budget: budget() });
  return JSON.parse(text) as ExportDocument;
}

void describe('certificate policy through bulk and export/import (emulator, 2026-11-01)', () => {
  void test('CSV and JSON create, export, import into another linked instance: the policy travels', async () => {
    const ids = ['pol-01', 'pol-02', 'pol-03'];
    const csv = csvLines('registrationId,namespaceName,certificateAuthorityName,certificatePolicyName', [...ids, 'plain-01'], (id) => (id.startsWith('pol') ? ',adr-ns,ca1,device-certs' : ',,,'));
    const plan = planBulk(parseEnrollmentCsv(csv, { mode: 'create', fileName: 'devices.csv' }), 'create');
    assert.equal(plan.invalid.length, 0);
    assert.equal((await runBulkJob(v2026, plan, fast)).counts.done, 4);
    const groups = parseJsonSource(JSON.stringify([{ enrollmentGroupId: 'pol-group', attestation: { type: 'symmetricKey' }, ...POLICY }]), 'group', { mode: 'create' });
    assert.equal((await runBulkJob(v2026, planBulk(groups, 'create'), fast)).counts.done, 1);
    const stored = storedEnrollments(source, 'pol-');
    assert.deepEqual(stored.map((e) => e.certificatePolicyName), ['device-certs', 'device-certs', 'device-certs']);
    assert.equal(storedEnrollments(source, 'plain-')[0]?.namespaceName, undefined, 'empty cells send no policy');

    const exported = await exportDocument(v2026);
    assert.equal(exported.enrollments.filter((e) => e.certificatePolicyName === 'device-certs').length, 3);
    assert.equal(exported.enrollmentGroups.find((g) => g.enrollmentGroupId === 'pol-group')?.namespaceName, 'adr-ns');

    const target = await startBulkEnvironment({ adr: ADR });
    const targetClient = clientFor(target, '2026-11-01');
    try {
      for (const src of parseJsonSources(JSON.stringify(exported), { mode: 'update' })) {
        const report = await runBulkJob(targetClient, planBulk(src, 'update', await readExistingItems(targetClient, src.kind, { budget: budget() })), fast);
        assert.equal(report.counts.done, src.rows.length, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 2)));
      }
      assert.deepEqual(storedEnrollments(target, 'pol-').map((e) => [e.namespaceName, e.certificateAuthorityName, e.certificatePolicyName]), ids.map(() => ['adr-ns', 'ca1', 'device-certs']));
      assert.equal(storedGroups(target, 'pol-group')[0]?.certificateAuthorityName, 'ca1');
    } finally {
      targetClient.dispose();
      await target.dispose();
    }
  });

  void test('an import through a 2021-10-01 connection fails per item, naming the field and both versions', async () => {
    const target = await startBulkEnvironment({ adr: ADR });
    const old = clientFor(target, '2021-10-01');
    try {
      const src = parseJsonSource(JSON.stringify([{ registrationId: 'old-1', attestation: { type: 'symmetricKey' }, ...POLICY }]), 'enrollment', { mode: 'create' });
      const report = await runBulkJob(old, planBulk(src, 'create'), fast);
      assert.equal(report.counts.done, 0);
      const reason = report.items.find((i) => i.id === 'old-1')?.reason ?? '';
      assert.match(reason, /api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)/);
      assert.equal(storedEnrollments(target, 'old-').length, 0, 'nothing was stored');
    } finally {
      old.dispose();
      await target.dispose();
    }
  });
});
