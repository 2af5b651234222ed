// Certificate policies (api-version 2026-11-01) in desired-state files and in the CLI, against an
// emulator linked to a Device Registry namespace: export writes them, plan shows an edit of them,
// apply sends them, and a connection of 2021-10-01 refuses a file (or an import) that names them,
// at the item, naming the fields and the version, with nothing sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DesiredStateError, applyPlan, exportDesiredState, formatDesiredState, planDesiredStateFile } from '../../src/ascode';
import { DpsClient } from '../../src/dps/client';
import { runCli, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
const OTHER_POLICY = { ...POLICY, certificatePolicyName: 'edge-certs' };
const FAST = 60_000;

let emulator: TestEmulator;
let v2026: DpsClient;
let v2021: DpsClient;
let dir: string;

before(async () => {
  emulator = await startTestEmulator({
    seed: 'none',
    adr: { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }, { certificateAuthority: 'ca1', policy: 'edge-certs' }] },
  });
  const options = { ca: emulator.emu.caCertificatePem, retry: { maxAttempts: 1 } };
  v2026 = DpsClient.fromConnectionString(emulator.emu.connectionString, { ...options, apiVersion: '2026-11-01' });
  v2021 = DpsClient.fromConnectionString(emulator.emu.connectionString, options);
  dir = tempDir('ascode-policy-');
  await v2026.createOrUpdateEnrollment({ registrationId: 'pol-1', attestation: { type: 'symmetricKey' }, ...POLICY });
  await v2026.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'pol-group', attestation: { type: 'symmetricKey' }, ...POLICY });
});
after(async () => {
  v2026.dispose();
  v2021.dispose();
  await emulator.dispose();
});

const cli = (args: string[], env: Record<string, string>): Promise<CliRun> =>
  runCli([...args, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { DPS_CONNECTION_STRING: emulator.emu.connectionString, DPS_API_VERSION: '', ...env } });

void describe('certificate policies as code', () => {
  void test('export writes the policy names; the export plans empty on 2026-11-01', async () => {
    const doc = await exportDesiredState(v2026, { operationsPerMinute: FAST });
    assert.deepEqual(
      [doc.enrollments[0], doc.enrollmentGroups[0]].map((i) => [i.namespaceName, i.certificateAuthorityName, i.certificatePolicyName]),
      [Object.values(POLICY), Object.values(POLICY)],
    );
    const path = join(dir, 'export.dps.json');
    writeFileSync(path, formatDesiredState(doc));
    const { plan } = await planDesiredStateFile(v2026, path, { prune: false, operationsPerMinute: FAST });
    assert.deepEqual(plan.counts, { create: 0, update: 0, delete: 0, unchanged: 2 });
  });

  void test('changing the policy plans as that change and applies it', async () => {
    const path = join(dir, 'edit.dps.json');
    const doc = await exportDesiredState(v2026, { operationsPerMinute: FAST });
    Object.assign(doc.enrollments[0], OTHER_POLICY);
    writeFileSync(path, formatDesiredState(doc));
    const { plan } = await planDesiredStateFile(v2026, path, { prune: false, operationsPerMinute: FAST });
    assert.deepEqual(plan.entries.filter((e) => e.action === 'update').map((e) => [e.id, e.changes]), [
      ['pol-1', [{ field: 'certificatePolicyName', before: 'device-certs', after: 'edge-certs' }]],
    ]);
    const report = await applyPlan(v2026, plan, { operationsPerMinute: FAST });
    assert.deepEqual(report.counts, { done: 1, failed: 0, notSent: 0 });
    assert.equal((await v2026.getEnrollment('pol-1')).certificatePolicyName, 'edge-certs');
    const again = await planDesiredStateFile(v2026, path, { prune: false, operationsPerMinute: FAST });
    assert.deepEqual(again.plan.counts, { create: 0, update: 0, delete: 0, unchanged: 2 });
  });

  void test('a 2021-10-01 connection refuses a file that names a policy, at the item, naming fields and version', async () => {
    const path = join(dir, 'new.dps.json');
    writeFileSync(path, JSON.stringify({ version: 1, enrollments: [{ registrationId: 'pol-2', attestation: { type: 'symmetricKey', keys: 'generate' }, ...POLICY }] }, null, 2));
    const error = await planDesiredStateFile(v2021, path, { prune: false, operationsPerMinute: FAST }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DesiredStateError, String(error));
    assert.deepEqual(error.problems.map((p) => [p.position.line, p.position.column]), [[4, 5]]);
    assert.match(error.problems[0]?.message ?? '', /^api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)/);
    await assert.rejects(v2026.getEnrollment('pol-2'), /does not exist/);
  });

  void test('the CLI speaks 2026-11-01 with --api-version or DPS_API_VERSION, and 2021-10-01 by default', async () => {
    const path = join(dir, 'cli.dps.json');
    writeFileSync(path, JSON.stringify({ version: 1, enrollments: [{ registrationId: 'pol-3', attestation: { type: 'symmetricKey', keys: 'generate' }, ...POLICY }] }, null, 2));
    const old = await cli(['plan', 'cli.dps.json'], {});
    assert.equal(old.code, 1);
    assert.match(old.stderr, /cli\.dps\.json:4:5: api-version 2021-10-01 does not accept 'namespaceName'/);
    const planned = await cli(['plan', 'cli.dps.json', '--api-version', '2026-11-01', '--json'], {});
    assert.equal(planned.code, 2, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as { counts: { create: number } }).counts.create, 1);
    const applied = await cli(['apply', 'cli.dps.json'], { DPS_API_VERSION: '2026-11-01' });
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal((await v2026.getEnrollment('pol-3')).certificatePolicyName, 'device-certs');
    const drift = await cli(['drift', 'cli.dps.json', '--api-version', '2026-11-01'], {});
    assert.equal(drift.code, 0, drift.stderr);
    const bad = await cli(['plan', 'cli.dps.json', '--api-version', '2025-07-01-preview'], {});
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--api-version must be 2021-10-01 or 2026-11-01, not "2025-07-01-preview"/);
  });

  void test('CLI import on 2021-10-01 sets aside rows with policy fields before anything is sent; on 2026-11-01 it imports them', async () => {
    const rows = [
      { registrationId: 'imp-plain', attestation: { type: 'symmetricKey' } },
      { registrationId: 'imp-pol', attestation: { type: 'symmetricKey' }, ...POLICY },
    ];
    writeFileSync(join(dir, 'rows.json'), JSON.stringify(rows));
    const old = await cli(['import', 'rows.json', '--json', '--report', 'old-report.jsonl'], {});
    assert.equal(old.code, 1);
    const body = JSON.parse(old.stdout) as { invalid: number; invalidSample: Array<{ id: string; reasons: string[] }> };
    assert.equal(body.invalid, 1);
    assert.equal(body.invalidSample[0]?.id, 'imp-pol');
    assert.match(body.invalidSample[0]?.reasons[0] ?? '', /api-version 2021-10-01 does not accept 'namespaceName'/);
    const reported = readFileSync(join(dir, 'old-report.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; outcome: string; reason: string });
    assert.deepEqual(reported.map((r) => [r.id, r.outcome]), [['imp-pol', 'invalid']]);
    await assert.rejects(v2026.getEnrollment('imp-plain'), /does not exist/, 'nothing is sent when a row is invalid');

    const now = await cli(['import', 'rows.json', '--api-version', '2026-11-01', '--json'], {});
    assert.equal(now.code, 0, now.stderr + now.stdout);
    assert.equal((await v2026.getEnrollment('imp-pol')).namespaceName, 'adr-ns');
  });
});
