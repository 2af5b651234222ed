// Enrollments as code against the emulator over real HTTPS: export → plan is empty; an edit plans as
// exactly that edit, applies, and plans empty again; a change made between plan and apply is
// reported and not overwritten; prune off and on; keys by env reference compared without showing them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRootCertificate, generateSymmetricKey } from '../../src/attestation';
import { DpsClient } from '../../src/dps/client';
import {
  applyPlan, exportDesiredState, formatDesiredState, planDesiredStateFile, renderApplyText, renderPlanMarkdown, renderPlanText, type ApplyProgress, type Plan,
  type SettledApplyItem,
} from '../../src/ascode';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;
const FAST = 60_000; // the emulator has no quota here; tests need not wait

before(async () => {
  emulator = await startTestEmulator();
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('ascode-');
  const root = await generateRootCertificate({ commonName: 'ascode-root', key: 'ecdsa-p256' });
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'root.pem'), root.certificatePem);
  await client.createOrUpdateEnrollment({ registrationId: 'dev-1', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { site: 'a' } } });
  await client.createOrUpdateEnrollment({ registrationId: 'dev-2', attestation: { type: 'none' }, provisioningStatus: 'disabled' });
  await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'grp-1', attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: root.certificatePem } } } } });
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

async function exportTo(name: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, formatDesiredState(await exportDesiredState(client, { operationsPerMinute: FAST })));
  return path;
}

const plan = async (path: string, prune = false, env: Record<string, string> = {}): Promise<Plan> =>
  (await planDesiredStateFile(client, path, { prune, operationsPerMinute: FAST, env })).plan;

void describe('plan and apply against the emulator', () => {
  void test('export, then plan: nothing to do', async () => {
    const path = await exportTo('exported.dps.json');
    const p = await plan(path);
    assert.deepEqual(p.counts, { create: 0, update: 0, delete: 0, unchanged: 3 });
    assert.deepEqual(p.notInFile, []);
    assert.match(renderPlanText(p), /0 to create, 0 to update, 0 to delete, 3 unchanged\./);
  });

  void test('an edit plans as exactly that edit, applies, and then plans empty', async () => {
    const path = await exportTo('edit.dps.json');
    const doc = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path, 'utf8'))) as { enrollments: Array<Record<string, unknown>> };
    const dev1 = doc.enrollments.find((e) => e.registrationId === 'dev-1') as Record<string, unknown>;
    dev1.provisioningStatus = 'disabled';
    doc.enrollments.push({ registrationId: 'dev-3', attestation: { type: 'symmetricKey', keys: 'generate' } });
    writeFileSync(path, JSON.stringify(doc));
    const keysBefore = await client.getEnrollmentAttestation('dev-1');

    const p = await plan(path);
    assert.deepEqual(p.counts, { create: 1, update: 1, delete: 0, unchanged: 2 });
    const update = p.entries.find((e) => e.action === 'update');
    assert.equal(update?.id, 'dev-1');
    assert.deepEqual(update?.changes, [{ field: 'provisioningStatus', after: 'disabled' }]);
    assert.ok(update?.etag, 'the live etag is recorded');
    assert.match(renderPlanMarkdown(p), /\+ provisioningStatus: disabled/);

    const progress: ApplyProgress[] = [];
    const report = await applyPlan(client, p, { operationsPerMinute: FAST, onProgress: (q) => progress.push(q) });
    assert.deepEqual(report.counts, { done: 2, failed: 0, notSent: 0 });
    // The progress carries the requests sent, never going back, ending at the report's (the Jobs view charts it).
    const sent = progress.map((q) => q.requests);
    assert.deepEqual(sent, [...sent].sort((a, b) => a - b));
    assert.equal(sent.at(-1), report.requests);
    assert.ok(report.requests > 0);
    assert.equal(progress.at(-1)?.settled, 2);
    assert.equal((await client.getEnrollment('dev-1')).provisioningStatus, 'disabled');
    // "generate" on an existing item keeps its keys: an update without keys would have rotated them.
    assert.deepEqual(await client.getEnrollmentAttestation('dev-1'), keysBefore);
    const again = await plan(path);
    assert.deepEqual(again.counts, { create: 0, update: 0, delete: 0, unchanged: 4 });
  });

  void test('a change between plan and apply is reported and not overwritten', async () => {
    const path = await exportTo('race.dps.json');
    const text = (await import('node:fs')).readFileSync(path, 'utf8').replace('"site": "a"', '"site": "b"');
    writeFileSync(path, text);
    const p = await plan(path);
    assert.equal(p.counts.update, 1);
    // Someone else edits dev-1 after the plan.
    const current = await client.getEnrollment('dev-1');
    await client.createOrUpdateEnrollment({ ...current, attestation: await client.getEnrollmentAttestation('dev-1'), initialTwin: { tags: { site: 'someone-else' } } }, { ifMatch: current.etag });

    const report = await applyPlan(client, p, { operationsPerMinute: FAST });
    assert.equal(report.counts.failed, 1);
    const failed = report.items.find((i) => i.outcome === 'failed');
    assert.equal(failed?.id, 'dev-1');
    assert.match(String(failed?.errorCode), /^412/);
    assert.match(failed?.message ?? '', /Changed on the service since the plan was made.*not overwritten/);
    assert.deepEqual((await client.getEnrollment('dev-1')).initialTwin?.tags, { site: 'someone-else' });
    // Re-planning shows the other change as what the file would undo.
    const replanned = await plan(path);
    const entry = replanned.entries.find((e) => e.id === 'dev-1');
    assert.deepEqual(entry?.changes, [{ field: 'initialTwin', before: { tags: { site: 'someone-else' } }, after: { tags: { site: 'b' } } }]);
  });

  void test('prune off leaves items the file does not name; prune on deletes them', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'stray-1', attestation: { type: 'none' } });
    const path = join(dir, 'only-groups.dps.json');
    writeFileSync(path, formatDesiredState({ ...(await exportDesiredState(client, { operationsPerMinute: FAST })), enrollments: [] }));
    const kept = await plan(path, false);
    assert.equal(kept.counts.delete, 0);
    assert.ok(kept.notInFile.some((i) => i.id === 'stray-1'));
    const pruned = await plan(path, true);
    assert.deepEqual(pruned.entries.filter((e) => e.action === 'delete').map((e) => e.id).sort(), ['dev-1', 'dev-2', 'dev-3', 'stray-1']);
    assert.ok(pruned.entries.filter((e) => e.action === 'delete').every((e) => typeof e.etag === 'string'));
    const report = await applyPlan(client, pruned, { operationsPerMinute: FAST });
    assert.equal(report.counts.done, 4);
    assert.equal((await client.queryEnrollments({})).items.length, 0);
    assert.deepEqual((await plan(path, true)).counts, { create: 0, update: 0, delete: 0, unchanged: 1 });
  });

  void test('certificates by file compare by thumbprint; keys from env compare without being shown', async () => {
    const primary = generateSymmetricKey();
    const secondary = generateSymmetricKey();
    const path = join(dir, 'refs.dps.json');
    writeFileSync(path, `// comments are allowed
{
  "version": 1,
  "enrollmentGroups": [
    { "enrollmentGroupId": "grp-1", "attestation": { "type": "x509", "certificate": { "file": "certs/root.pem" } } },
    { "enrollmentGroupId": "grp-keys", "attestation": { "type": "symmetricKey",
      "keys": { "primary": { "env": "GRP_PRIMARY" }, "secondary": { "env": "GRP_SECONDARY" } } } },
  ],
}`);
    const env = { GRP_PRIMARY: primary, GRP_SECONDARY: secondary };
    const p = await plan(path, false, env);
    assert.deepEqual(p.counts, { create: 1, update: 0, delete: 0, unchanged: 1 });
    const shown = JSON.stringify(p) + renderPlanText(p) + renderPlanMarkdown(p);
    assert.ok(!shown.includes(primary) && !shown.includes(secondary), 'no key in the plan or its renderings');
    assert.equal((await applyPlan(client, p, { operationsPerMinute: FAST, env })).counts.done, 1);
    const stored = await client.getEnrollmentGroupAttestation('grp-keys');
    assert.equal(stored.symmetricKey?.primaryKey, primary);
    assert.deepEqual((await plan(path, false, env)).counts.unchanged, 2);
    // Rotated in the environment: the plan says the keys differ, without saying what they are.
    const rotated = { ...env, GRP_PRIMARY: generateSymmetricKey() };
    const p2 = await plan(path, false, rotated);
    const change = p2.entries.find((e) => e.id === 'grp-keys')?.changes;
    assert.deepEqual(change, [{ field: 'attestation.keys', before: '(current keys)', after: '(keys from GRP_PRIMARY, GRP_SECONDARY)' }]);
    assert.ok(!JSON.stringify(p2).includes(rotated.GRP_PRIMARY));
  });

  void test('cancelled after the first bulk request: the rest is reported not sent; planning again applies just the rest', async () => {
    const path = join(dir, 'cancel.dps.json');
    const ids = Array.from({ length: 35 }, (_, i) => `cancel-${String(i).padStart(2, '0')}`);
    writeFileSync(path, JSON.stringify({ version: 1, enrollments: ids.map((registrationId) => ({ registrationId, attestation: { type: 'symmetricKey', keys: 'generate' } })) }));
    const p = await plan(path);
    assert.equal(p.counts.create, 35);

    const controller = new AbortController();
    const heard: SettledApplyItem[] = [];
    // 600 a minute: a bulk request of 10 every 0.1 s, so the first has settled before the second is due.
    const report = await applyPlan(client, p, {
      operationsPerMinute: 600,
      signal: controller.signal,
      onItemsSettled: (settled) => {
        heard.push(...settled);
        controller.abort();
      },
    });
    assert.equal(report.cancelled, true);
    assert.deepEqual(report.counts, { done: 10, failed: 0, notSent: 25 });
    const done = report.items.filter((i) => i.outcome === 'done').map((i) => i.id);
    assert.deepEqual(done, ids.slice(0, 10));
    assert.deepEqual(report.items.filter((i) => i.outcome === 'notSent').map((i) => i.id), ids.slice(10));
    assert.deepEqual(heard.map((h) => [h.index, h.item.outcome]).sort((a, b) => Number(a[0]) - Number(b[0])),
      report.items.map((i, index) => [index, i.outcome]), 'each item heard once, as the report gives it');
    assert.match(renderApplyText(report), /\? individual enrollment cancel-10: create not sent\n[\s\S]*10 done, 0 failed, 25 not sent \(cancelled\)[\s\S]*plan again and apply to finish/);
    const stored = (await client.queryEnrollments({})).items.map((e) => e.registrationId).filter((id) => id.startsWith('cancel-'));
    assert.deepEqual(stored.sort(), done);

    // Resume: the done items plan as unchanged, only the rest is created.
    const rest = await plan(path);
    assert.deepEqual(rest.counts, { create: 25, update: 0, delete: 0, unchanged: 10 });
    assert.deepEqual(rest.entries.filter((e) => e.action === 'create').map((e) => e.id), ids.slice(10));
    const finished = await applyPlan(client, rest, { operationsPerMinute: FAST });
    assert.deepEqual([finished.counts, finished.cancelled], [{ done: 25, failed: 0, notSent: 0 }, false]);
    assert.deepEqual((await plan(path)).counts, { create: 0, update: 0, delete: 0, unchanged: 35 });
  });
});
