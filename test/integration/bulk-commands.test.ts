// The bulk, import/export and device-key commands driven through the vscode stub against the
// emulator: dry run shown in the Jobs view and confirmed there, job run, outcome, save and retry.
import '../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bulkCommandContext, bulkUi, fileUri, loadEnrollmentNodes, type FakeJobsView } from '../support/bulkVscode';
import { recorder, resetRecorder } from '../support/vscodeStub';
import { bulkCreate, bulkDelete, bulkUpdate } from '../../src/commands/bulkCommands';
import { deriveDeviceKeysCsv } from '../../src/commands/deviceKeysCommands';
import { exportEnrollments, importEnrollments, STREAMED_IMPORT_MIN_BYTES } from '../../src/commands/exportImportCommands';
import { UserCancelledError } from '../../src/common/errorPresentation';
import { generateSymmetricKey } from '../../src/attestation';
import { startBulkEnvironment, storedEnrollments, storedGroups, type BulkTestEnvironment } from '../support/bulk';
import { testChain } from '../support/attestation';
import { tempDir } from '../support/emulator';

let env: BulkTestEnvironment;
let dir: string;

before(async () => {
  env = await startBulkEnvironment();
  dir = tempDir('bulk-commands-');
});
after(async () => {
  await env.dispose();
});
beforeEach(() => {
  resetRecorder();
  bulkUi.reset();
});

/** Polls until `condition` holds (the Jobs view's Save and Retry run after the command returns). */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((done) => setTimeout(done, 25));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

function finishedSnapshots(view: FakeJobsView): NonNullable<ReturnType<FakeJobsView['snapshot']>>[] {
  return view.posted.filter((m) => m.type === 'snapshot' && m.snapshot.phase === 'finished').map((m) => (m as { snapshot: NonNullable<ReturnType<FakeJobsView['snapshot']>> }).snapshot);
}

void describe('bulk create from a CSV file in the workspace', () => {
  void test('the Jobs view shows the dry run with the bad row, runs on "Run", shows the outcome and saves it', async () => {
    const csv = join(dir, 'devices.csv');
    writeFileSync(csv, '\uFEFFregistrationId,status\r\ncmd-1,enabled\r\ncmd-2,disabled\r\n"cmd bad",enabled\r\n');
    const { ctx, refreshes, log } = bulkCommandContext(env.client);
    bulkUi.pageActions.push({ type: 'run' }, { type: 'save', format: 'json' });
    const reportPath = join(dir, 'report.json');
    bulkUi.saveAnswers.push(reportPath);
    await bulkCreate(ctx, fileUri(csv));

    const view = bulkUi.views[0];
    assert.equal(bulkUi.views.length, 1);
    assert.equal(bulkUi.documents.length, 0, 'no Markdown documents any more');
    const dryRun = view.posted.find((m) => m.type === 'snapshot');
    assert.ok(dryRun?.type === 'snapshot' && dryRun.snapshot.phase === 'dryRun');
    assert.match(dryRun.snapshot.summary.join(' '), /2 to send in 1 bulk request \(2 create \(new\)\)\. 1 invalid row will not be sent\./);
    // Invalid rows come before planned ones.
    const planned = view.rowsOf('dryRun');
    assert.deepEqual(planned.map((r) => [r.id, r.outcome]), [['cmd bad', 'invalid'], ['cmd-1', 'planned'], ['cmd-2', 'planned']]);
    assert.match(planned[0].reason ?? '', /does not allow/);
    assert.equal(planned[0].origin, 'line 4');
    assert.deepEqual(storedEnrollments(env, 'cmd-').map((e) => [e.registrationId, e.provisioningStatus]).sort(), [['cmd-1', 'enabled'], ['cmd-2', 'disabled']]);

    const finished = finishedSnapshots(view)[0];
    assert.match(finished.summary.join(' '), /2 done, 0 failed, 0 not sent, 1 invalid/);
    assert.deepEqual(finished.counts, { failed: 0, notSent: 0, invalid: 1, planned: 0, done: 2 });
    assert.equal(finished.live.requests, 1);
    assert.equal(finished.retryable, 0);
    assert.match(recorder.messages[0].text, /Bulk job on emulator: 2 done/);
    assert.equal(refreshes(), 1);
    await eventually(() => existsSync(reportPath), 'the saved report');
    const saved = JSON.parse(readFileSync(reportPath, 'utf8')) as { counts: Record<string, number>; items: Array<{ id: string }> };
    assert.deepEqual(saved.counts, { failed: 0, notSent: 0, invalid: 1, planned: 0, done: 2 });
    assert.deepEqual(saved.items.map((i) => i.id), ['cmd bad', 'cmd-1', 'cmd-2']);
    assert.ok(bulkUi.progressMessages.some((m) => /^2 of 2 · \d+\/s$/.test(m)), bulkUi.progressMessages.join(' | '));
    assert.ok(log.lines.some((l) => /Bulk create of individual enrollments from devices\.csv: 2 done/.test(l)));
    assert.ok(!log.lines.some((l) => /could not list settled rows/.test(l)), 'every settled row found its dry-run row');
  });

  void test('Cancel on the dry run sends nothing', async () => {
    const csv = join(dir, 'more.csv');
    writeFileSync(csv, 'registrationId\nnot-sent-1\n');
    const { ctx } = bulkCommandContext(env.client);
    bulkUi.pageActions.push({ type: 'cancel' });
    await assert.rejects(bulkCreate(ctx, fileUri(csv)), UserCancelledError);
    assert.equal(storedEnrollments(env, 'not-sent-').length, 0);
  });

  void test('a malformed message from the page is refused and logged; the job goes on', async () => {
    const csv = join(dir, 'hostile.csv');
    writeFileSync(csv, 'registrationId\nhostile-1\n');
    const { ctx, log } = bulkCommandContext(env.client);
    // The page asks for far too many rows at once: refused, so the dry run keeps waiting.
    bulkUi.pageActions.push({ type: 'query', requestId: 1, filter: 'all', search: '', offset: 0, limit: 1_000_000 } as never);
    const done = bulkCreate(ctx, fileUri(csv));
    await eventually(() => log.lines.filter((l) => /Jobs view: refused a message/.test(l)).length >= 1, 'the refusal');
    bulkUi.views[0].send({ type: 'run', extra: true });
    bulkUi.views[0].send({ type: 'run' });
    await done;
    assert.ok(log.lines.some((l) => /refused a message from the page \(query: limit must be 1 to 200\)/.test(l)), log.lines.join('\n'));
    assert.ok(log.lines.some((l) => /refused a message from the page \(run: unexpected field "extra"\)/.test(l)), log.lines.join('\n'));
    assert.equal(storedEnrollments(env, 'hostile-').length, 1);
  });

  void test('"Retry Failed" in the view shows a new dry run of the failed items and runs only those', async () => {
    const csv = join(dir, 'retry.csv');
    writeFileSync(csv, 'registrationId\nretry-1\nretry-2\n');
    await env.client.createOrUpdateEnrollment({ registrationId: 'retry-2', attestation: { type: 'symmetricKey' } });
    const { ctx, log } = bulkCommandContext(env.client);
    bulkUi.pageActions.push({ type: 'run' }, { type: 'retryFailed' }, { type: 'run' });
    await bulkCreate(ctx, fileUri(csv));
    const view = bulkUi.views[0];
    await eventually(() => finishedSnapshots(view).length === 2, 'the retried job');
    const [first, second] = finishedSnapshots(view);
    assert.match(first.summary.join(' '), /1 done, 1 failed/);
    assert.equal(first.retryable, 1);
    // Failed first, with the service's reason.
    const firstRows = view.rowsOf('finished', 0);
    assert.deepEqual(firstRows.map((r) => [r.id, r.outcome]), [['retry-2', 'failed'], ['retry-1', 'done']]);
    assert.ok((firstRows[0].reason ?? '').length > 0, 'the failure carries a reason');
    // The retry's dry run knows retry-2 exists now; it fails again and is the only item.
    assert.deepEqual(view.rowsOf('dryRun', 1).map((r) => [r.id, r.detail]), [['retry-2', 'will fail: already exists']]);
    assert.deepEqual(second.counts, { failed: 1, notSent: 0, invalid: 0, planned: 0, done: 0 });
    assert.deepEqual(view.rowsOf('finished', 1).map((r) => [r.origin, r.id]), [['line 3', 'retry-2']]);
    assert.ok(!log.lines.some((l) => /could not list settled rows/.test(l)), 'the retry\'s rows settle at its own dry-run rows');
  });
});

void describe('closing the Jobs view', () => {
  void test('during the run: the job finishes and is reported; nothing more goes to the closed view', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `closed-view-${String(i).padStart(2, '0')}`);
    const csv = join(dir, 'closed.csv');
    writeFileSync(csv, ['registrationId', ...ids].join('\n'));
    const { ctx } = bulkCommandContext(env.client);
    bulkUi.closeWhenRunning = true;
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, fileUri(csv));
    assert.equal(bulkUi.views[0].disposed, true);
    assert.equal(storedEnrollments(env, 'closed-view-').length, 40);
    assert.match(recorder.messages[0].text, /Bulk job on emulator: 40 done/);
  });
});

void describe('cancelling from the progress notification', () => {
  void test('stops sending; the outcome splits done (stored) and not sent (absent) and offers a retry', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `cancel-cmd-${String(i).padStart(3, '0')}`);
    const csv = join(dir, 'cancel.csv');
    writeFileSync(csv, ['registrationId', ...ids].join('\n'));
    const { ctx } = bulkCommandContext(env.client);
    bulkUi.cancelAfterReports = 3;
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, fileUri(csv));
    const summary = recorder.messages[0];
    const match = /(\d+) done, 0 failed, (\d+) not sent \(cancelled\)/.exec(summary.text);
    assert.ok(match, summary.text);
    const [done, notSent] = [Number(match[1]), Number(match[2])];
    assert.ok(done >= 30 && notSent > 0, summary.text);
    assert.equal(done + notSent, 300);
    assert.equal(storedEnrollments(env, 'cancel-cmd-').length, done, 'exactly the items reported done are stored');
    const finished = finishedSnapshots(bulkUi.views[0])[0];
    await eventually(() => bulkUi.views[0].rowsOf('finished').length > 0, 'the outcome rows');
    assert.equal(finished.cancelled, true);
    assert.equal(finished.retryable, notSent);
    assert.equal(bulkUi.views[0].rowsOf('finished')[0].outcome, 'notSent', 'the unsent items come before the done ones');
  });
});

void describe('bulk delete of the tree selection', () => {
  void test('deletes exactly the selected enrollments', async () => {
    const { ctx, connection } = bulkCommandContext(env.client);
    const nodes = (await loadEnrollmentNodes(connection, env.client)).filter((n) => /\/cmd-\d$/.test((n as { id: string }).id));
    assert.equal(nodes.length, 2);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkDelete(ctx, nodes[0], nodes);
    assert.equal(storedEnrollments(env, 'cmd-').length, 0);
  });
});

void describe('export and import', () => {
  void test('export with keys needs the modal warning and writes a private file; import recreates everything', async () => {
    const groupKey = generateSymmetricKey();
    await env.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'cmdgroup', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: groupKey, secondaryKey: generateSymmetricKey() } } });
    const { ctx, log } = bulkCommandContext(env.client);
    const file = join(dir, 'export.json');
    recorder.answers.push((items: Array<{ includeKeys: boolean }>) => items.find((i) => i.includeKeys), 'Export With Keys');
    bulkUi.saveAnswers.push(file);
    await exportEnrollments(ctx);
    assert.match(recorder.messages[0].text, /symmetric keys of every enrollment/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(groupKey));
    assert.ok(!log.lines.join('\n').includes(groupKey), 'no key in the log');

    const target = await startBulkEnvironment();
    try {
      const { ctx: targetCtx } = bulkCommandContext(target.client);
      recorder.answers.push((items: Array<{ mode: string }>) => items.find((i) => i.mode === 'update'));
      bulkUi.pageActions.push({ type: 'run' });
      await importEnrollments(targetCtx, fileUri(file));
      assert.equal(bulkUi.views[0].snapshot()?.countsOnly, false, 'a small file lists every row');
      assert.equal(storedGroups(target, 'cmdgroup')[0]?.attestation.symmetricKey?.primaryKey, groupKey);
      assert.equal(target.emulator.emu.store.snapshot().enrollments.length, env.emulator.emu.store.snapshot().enrollments.length);
    } finally {
      await target.dispose();
    }
  });

  void test('declining the keys warning exports nothing', async () => {
    const { ctx } = bulkCommandContext(env.client);
    recorder.answers.push((items: Array<{ includeKeys: boolean }>) => items.find((i) => i.includeKeys), undefined);
    await assert.rejects(exportEnrollments(ctx), UserCancelledError);
  });
});

void describe('import of a large file (streamed)', () => {
  void test('the Jobs view shows counts and the invalid rows, runs with live progress, and ends with the rows not done read back from the kept report', async () => {
    await env.client.createOrUpdateEnrollment({ registrationId: 'big-03', attestation: { type: 'symmetricKey' } });
    const items: unknown[] = Array.from({ length: 30 }, (_, i) => ({ registrationId: `big-${String(i).padStart(2, '0')}`, attestation: { type: 'symmetricKey' } }));
    items.splice(5, 0, { registrationId: 'big bad', attestation: { type: 'symmetricKey' } });
    // 2026-11-01 fields; the test connection speaks 2021-10-01.
    items.splice(12, 0, { registrationId: 'big-policy', attestation: { type: 'symmetricKey' }, namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' });
    const file = join(dir, 'large.json');
    // JSON whitespace makes the file large enough for the streamed path without thousands of items.
    writeFileSync(file, JSON.stringify(items) + ' '.repeat(STREAMED_IMPORT_MIN_BYTES));
    const { ctx, refreshes, log } = bulkCommandContext(env.client);
    recorder.answers.push((choices: Array<{ mode: string }>) => choices.find((c) => c.mode === 'create'));
    bulkUi.pageActions.push({ type: 'run' }, { type: 'save', format: 'csv' });
    const csvPath = join(dir, 'large-report.csv');
    bulkUi.saveAnswers.push(csvPath);
    await importEnrollments(ctx, fileUri(file));

    const view = bulkUi.views[0];
    const dryRun = view.posted.find((m) => m.type === 'snapshot');
    assert.ok(dryRun?.type === 'snapshot' && dryRun.snapshot.phase === 'dryRun');
    assert.equal(dryRun.snapshot.countsOnly, true);
    assert.deepEqual(dryRun.snapshot.counts, { failed: 0, notSent: 0, invalid: 2, planned: 30, done: 0 });
    assert.match(dryRun.snapshot.summary.join(' '), /30 to send in 3 bulk requests \(29 create \(new\), 1 will fail: already exists\)\. 2 invalid rows will not be sent\./);
    assert.match(dryRun.snapshot.summary.join(' '), /counted, not listed/);
    const planned = view.rowsOf('dryRun');
    assert.deepEqual(planned.map((r) => [r.origin, r.id, r.outcome]), [['item 6', 'big bad', 'invalid'], ['item 13', 'big-policy', 'invalid']]);
    assert.match(planned[1].reason ?? '', /api-version 2021-10-01 does not accept 'namespaceName'/);

    const finished = finishedSnapshots(view)[0];
    assert.equal(finished.countsOnly, true);
    assert.deepEqual(finished.counts, { failed: 1, notSent: 0, invalid: 2, planned: 0, done: 29 });
    assert.equal(finished.retryable, 1, 'Retry Failed offers the failed row (invalid rows would fail again)');
    assert.equal(finished.live.total, 30);
    assert.ok(finished.live.requests >= 3);
    await eventually(() => view.rowsOf('finished').length > 0, 'the outcome rows');
    assert.deepEqual(view.rowsOf('finished').map((r) => [r.id, r.outcome]), [['big-03', 'failed'], ['big bad', 'invalid'], ['big-policy', 'invalid']]);
    const reportPath = /kept in (\S+\.jsonl) \(JSON lines\)/.exec(finished.summary.join(' '))?.[1] ?? '';
    assert.equal(dirname(reportPath), join(ctx.globalStorageUri.fsPath, 'import-reports'));
    assert.deepEqual(readFileSync(reportPath, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort(), ['big bad', 'big-03', 'big-policy']);
    assert.ok(view.posted.some((m) => m.type === 'notice' && m.text.includes(reportPath)), 'a notice says where the report is');
    assert.equal(storedEnrollments(env, 'big-').length, 30);
    assert.equal(storedEnrollments(env, 'big-policy').length, 0);
    assert.equal(refreshes(), 1);
    assert.match(recorder.messages[0].text, /Bulk job on emulator: Individual enrollments: 29 done, 1 failed, 0 not sent, 2 invalid\./);
    assert.ok(bulkUi.progressMessages.some((m) => /^\d+ of 30 · 1 failed · \d+\/s$/.test(m)), bulkUi.progressMessages.join(' | '));
    assert.ok(log.lines.some((l) => /Bulk dry run \(create, streamed\)/.test(l)));
    await eventually(() => existsSync(csvPath), 'the saved report');
    assert.equal(readFileSync(csvPath, 'utf8').trim().split('\r\n').length, 4, 'the header and the three listed rows');
  });

  void test('Retry Failed plans again the rows the report names (a fresh etag read) and sends only those', async () => {
    await env.client.createOrUpdateEnrollment({ registrationId: 'bigr-1', attestation: { type: 'symmetricKey' } });
    const file = join(dir, 'large-retry.json');
    const items = Array.from({ length: 10 }, (_, i) => ({ registrationId: `bigr-${i}`, attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' }));
    writeFileSync(file, JSON.stringify(items) + ' '.repeat(STREAMED_IMPORT_MIN_BYTES));
    const { ctx } = bulkCommandContext(env.client);
    recorder.answers.push((choices: Array<{ mode: string }>) => choices.find((c) => c.mode === 'update'));
    const done = importEnrollments(ctx, fileUri(file));
    await eventually(() => bulkUi.views[0]?.snapshot()?.phase === 'dryRun', 'the dry run');
    const view = bulkUi.views[0];
    // Changed after the dry run read its etag: the guarded update fails (412) rather than overwrite.
    await env.client.createOrUpdateEnrollment({ registrationId: 'bigr-1', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' });
    bulkUi.pageActions.push({ type: 'retryFailed' }, { type: 'run' });
    view.send({ type: 'run' });
    await done;
    await eventually(() => finishedSnapshots(view).length === 2, 'the retried job');
    const [first, second] = finishedSnapshots(view);
    assert.deepEqual([first.counts, first.retryable, first.countsOnly], [{ failed: 1, notSent: 0, invalid: 0, planned: 0, done: 9 }, 1, true]);
    const retryDryRun = view.posted.filter((m) => m.type === 'snapshot' && m.snapshot.phase === 'dryRun').map((m) => (m as { snapshot: NonNullable<ReturnType<FakeJobsView['snapshot']>> }).snapshot).at(-1);
    assert.deepEqual(retryDryRun?.counts, { failed: 0, notSent: 0, invalid: 0, planned: 1, done: 0 });
    assert.match(retryDryRun?.summary.join(' ') ?? '', /the failed or unsent items of large-retry\.json: 1 to send in 1 bulk request \(1 update \(existing/);
    assert.deepEqual([second.counts, second.retryable], [{ failed: 0, notSent: 0, invalid: 0, planned: 0, done: 1 }, 0]);
    assert.deepEqual(storedEnrollments(env, 'bigr-').map((e) => e.provisioningStatus), Array.from({ length: 10 }, () => 'disabled'));
  });

  void test('a file changed between the dry run and Run stops the import, and the view leaves "running" with what it knows', async () => {
    const file = join(dir, 'large-changed.json');
    const items = Array.from({ length: 3 }, (_, i) => ({ registrationId: `bigc-${i}`, attestation: { type: 'symmetricKey' } }));
    writeFileSync(file, JSON.stringify(items) + ' '.repeat(STREAMED_IMPORT_MIN_BYTES));
    const { ctx } = bulkCommandContext(env.client);
    recorder.answers.push((choices: Array<{ mode: string }>) => choices.find((c) => c.mode === 'create'));
    const done = importEnrollments(ctx, fileUri(file));
    await eventually(() => bulkUi.views[0]?.snapshot()?.phase === 'dryRun', 'the dry run');
    writeFileSync(file, JSON.stringify(items.slice(0, 1)) + ' '.repeat(STREAMED_IMPORT_MIN_BYTES));
    bulkUi.views[0].send({ type: 'run' });
    await assert.rejects(done, /changed since the dry run/);
    const finished = finishedSnapshots(bulkUi.views[0]);
    assert.equal(finished.length, 1, 'the view is finished, not left running');
    assert.match(finished[0].summary.join(' '), /The import stopped: .*changed since the dry run/);
    assert.deepEqual(finished[0].counts, { failed: 0, notSent: 3, invalid: 0, planned: 0, done: 0 });
    assert.equal(storedEnrollments(env, 'bigc-').length, 0);
  });

  void test('Cancel on a streamed dry run sends nothing and writes no report', async () => {
    const file = join(dir, 'large-cancel.json');
    writeFileSync(file, JSON.stringify([{ registrationId: 'big-cancel-1', attestation: { type: 'symmetricKey' } }]) + ' '.repeat(STREAMED_IMPORT_MIN_BYTES));
    const { ctx } = bulkCommandContext(env.client);
    recorder.answers.push((choices: Array<{ mode: string }>) => choices.find((c) => c.mode === 'update'));
    bulkUi.pageActions.push({ type: 'cancel' });
    await assert.rejects(importEnrollments(ctx, fileUri(file)), UserCancelledError);
    assert.equal(bulkUi.views[0].snapshot()?.countsOnly, true);
    assert.equal(storedEnrollments(env, 'big-cancel-').length, 0);
    assert.equal(existsSync(join(ctx.globalStorageUri.fsPath, 'import-reports')), false);
  });
});

void describe('bulk update of existing groups from a CSV file', () => {
  // The emulator, like the live service, refuses bulk mode `update` of an existing item (409202): the
  // job must send existing groups as updateIfMatchETag with the etags its dry run read.
  void test('the header makes it a group job: existing groups updated guarded by their etags (keys kept, certificate replaced), a new one created, a leaf refused', async () => {
    const chain = await testChain('ecdsa-p256', 'csvg-device');
    writeFileSync(join(dir, 'csvg-root.pem'), chain.root.certificatePem);
    writeFileSync(join(dir, 'csvg-device.pem'), chain.device.certificatePem);
    const keyed = await env.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'csvg-keys', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' });
    const signed = await env.client.createOrUpdateEnrollmentGroup({
      enrollmentGroupId: 'csvg-ca',
      attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: chain.intermediate.certificatePem } } } },
      provisioningStatus: 'enabled',
    });
    const keysBefore = (await env.client.getEnrollmentGroupAttestation('csvg-keys')).symmetricKey;
    assert.ok(keysBefore?.primaryKey, 'the service generated keys');
    const csv = join(dir, 'groups.csv');
    writeFileSync(csv, [
      'enrollmentGroupId,certificate,caReference,status,tags',
      'csvg-keys,,,disabled,site=north',
      'csvg-ca,csvg-root.pem,,disabled,',
      'csvg-new,,csvg-root-ca,enabled,',
      'csvg-leaf,csvg-device.pem,,enabled,',
    ].join('\r\n') + '\r\n');
    const { ctx, log } = bulkCommandContext(env.client);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkUpdate(ctx, fileUri(csv));

    const view = bulkUi.views[0];
    assert.match(view.title, /enrollment groups/);
    const dryRun = view.posted.find((m) => m.type === 'snapshot');
    assert.ok(dryRun?.type === 'snapshot' && dryRun.snapshot.phase === 'dryRun');
    const planned = dryRun.snapshot.summary.join(' ');
    assert.match(planned, /enrollment groups from groups\.csv: 3 to send in 1 bulk request \(2 update \(existing, guarded by the etag read now\), 1 create \(new\)\)\./);
    assert.match(planned, /1 existing symmetric-key item has no keys in the source: its current keys are read/);
    assert.match(planned, /1 invalid row will not be sent\./);
    const leaf = view.rowsOf('dryRun').find((r) => r.id === 'csvg-leaf');
    assert.equal(leaf?.outcome, 'invalid');
    assert.match(leaf?.reason ?? '', /"csvg-device" is a device \(leaf\) certificate, not a CA/);

    const finished = finishedSnapshots(view)[0];
    assert.match(finished.summary.join(' '), /3 done, 0 failed, 0 not sent, 1 invalid/);
    // The report says per item what was done.
    await eventually(() => view.rowsOf('finished').length > 0, 'the outcome rows');
    const outcome = new Map(view.rowsOf('finished').map((r) => [r.id, [r.kind, r.outcome, r.detail ?? r.reason]]));
    assert.deepEqual(Object.fromEntries(outcome), {
      'csvg-keys': ['group', 'done', 'updated (etag matched)'],
      'csvg-ca': ['group', 'done', 'updated (etag matched)'],
      'csvg-new': ['group', 'done', 'created'],
      'csvg-leaf': ['group', 'invalid', leaf?.reason],
    });
    assert.ok(log.lines.some((l) => /Bulk update of enrollment groups from groups\.csv: 3 done/.test(l)), log.lines.join('\n'));

    const stored = new Map(storedGroups(env, 'csvg-').map((g) => [g.enrollmentGroupId, g]));
    assert.deepEqual([...stored.keys()].sort(), ['csvg-ca', 'csvg-keys', 'csvg-new']);
    assert.equal(stored.get('csvg-keys')?.provisioningStatus, 'disabled');
    assert.deepEqual(stored.get('csvg-keys')?.initialTwin?.tags, { site: 'north' });
    assert.notEqual(stored.get('csvg-keys')?.etag, keyed.etag, 'written');
    // Without keys in the CSV the update carried the current ones: the group's devices still authenticate.
    assert.deepEqual((await env.client.getEnrollmentGroupAttestation('csvg-keys')).symmetricKey, keysBefore);
    const ca = await env.client.getEnrollmentGroup('csvg-ca');
    assert.notEqual(ca.etag, signed.etag, 'written');
    assert.equal(ca.provisioningStatus, 'disabled');
    assert.match(ca.attestation.x509?.signingCertificates?.primary?.info?.subjectName ?? '', /Root CA/, 'the root from the file replaced the intermediate');
    assert.deepEqual(stored.get('csvg-new')?.attestation.x509?.caReferences, { primary: 'csvg-root-ca' });
  });
});

void describe('device keys at scale', () => {
  void test('a range pattern gives a private CSV of derived keys for a symmetric-key group', async () => {
    const groupKey = generateSymmetricKey();
    await env.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'factory', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: groupKey, secondaryKey: generateSymmetricKey() } } });
    const { ctx, log } = bulkCommandContext(env.client);
    const out = join(dir, 'keys.csv');
    bulkUi.saveAnswers.push(out);
    // Pick the group from the QuickPick, then "Range pattern", then the pattern.
    recorder.answers.push(
      'factory', // the group is typed into the open-by-id picker (a GET, not a list)
      (items: Array<{ from: string }>) => items.find((i) => i.from === 'pattern'),
      'line1-{0001..0250}',
    );
    await deriveDeviceKeysCsv(ctx);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 251);
    assert.equal(lines[0], 'registrationId,derivedKey');
    const expected = createHmac('sha256', Buffer.from(groupKey, 'base64')).update('line1-0100').digest('base64');
    assert.equal(lines[100], `line1-0100,${expected}`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.ok(!log.lines.join('\n').includes(groupKey));
    assert.ok(!log.lines.join('\n').includes(expected));
  });
});
