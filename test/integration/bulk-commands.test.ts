// The bulk, import/export and device-key commands driven through the vscode stub against the
// emulator: dry run shown and confirmed, job run, report document, save and retry actions.
import '../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bulkCommandContext, bulkUi, fileUri, loadEnrollmentNodes } from '../support/bulkVscode';
import { recorder, resetRecorder } from '../support/vscodeStub';
import { bulkCreate, bulkDelete } from '../../src/commands/bulkCommands';
import { deriveDeviceKeysCsv } from '../../src/commands/deviceKeysCommands';
import { exportEnrollments, importEnrollments } from '../../src/commands/exportImportCommands';
import { UserCancelledError } from '../../src/common/errorPresentation';
import { generateSymmetricKey } from '../../src/attestation';
import { startBulkEnvironment, storedEnrollments, storedGroups, type BulkTestEnvironment } from '../support/bulk';
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

void describe('bulk create from a CSV file in the workspace', () => {
  void test('dry run lists the bad row, the job runs after "Run", the report is shown and saved', async () => {
    const csv = join(dir, 'devices.csv');
    writeFileSync(csv, '\uFEFFregistrationId,status\r\ncmd-1,enabled\r\ncmd-2,disabled\r\n"cmd bad",enabled\r\n');
    const { ctx, refreshes, log } = bulkCommandContext(env.client);
    recorder.answers.push('Run', 'Save Report');
    const reportPath = join(dir, 'report.json');
    bulkUi.saveAnswers.push(reportPath);
    await bulkCreate(ctx, fileUri(csv));

    assert.match(bulkUi.documents[0], /# Dry run: Create individual enrollments[\s\S]*\| line 4 \| cmd bad \|.*does not allow/);
    const confirm = recorder.messages[0];
    assert.match(confirm.text, /2 to send in 1 bulk request \(2 create \(new\)\)\. 1 invalid row will not be sent\.[\s\S]*Nothing has been sent yet/);
    assert.deepEqual(confirm.items, ['Run']);
    assert.deepEqual(storedEnrollments(env, 'cmd-').map((e) => [e.registrationId, e.provisioningStatus]).sort(), [['cmd-1', 'enabled'], ['cmd-2', 'disabled']]);
    assert.match(bulkUi.documents[1], /# Bulk report: Create individual enrollments[\s\S]*2 done, 0 failed, 0 not sent, 1 invalid/);
    assert.match(recorder.messages[1].text, /Bulk job on emulator: 2 done/);
    assert.equal(refreshes(), 1);
    const saved = JSON.parse(readFileSync(reportPath, 'utf8')) as { counts: Record<string, number> };
    assert.deepEqual(saved.counts, { done: 2, failed: 0, notSent: 0, invalid: 1 });
    assert.ok(bulkUi.progressMessages.some((m) => /^2 of 2 · \d+\/s$/.test(m)), bulkUi.progressMessages.join(' | '));
    assert.ok(log.lines.some((l) => /Bulk create of individual enrollments from devices\.csv: 2 done/.test(l)));
  });

  void test('dismissing the dry run sends nothing', async () => {
    const csv = join(dir, 'more.csv');
    writeFileSync(csv, 'registrationId\nnot-sent-1\n');
    const { ctx } = bulkCommandContext(env.client);
    recorder.answers.push(undefined);
    await assert.rejects(bulkCreate(ctx, fileUri(csv)), UserCancelledError);
    assert.equal(storedEnrollments(env, 'not-sent-').length, 0);
  });

  void test('"Retry Failed" runs only the failed items again', async () => {
    const csv = join(dir, 'retry.csv');
    writeFileSync(csv, 'registrationId\nretry-1\nretry-2\n');
    await env.client.createOrUpdateEnrollment({ registrationId: 'retry-2', attestation: { type: 'symmetricKey' } });
    const { ctx } = bulkCommandContext(env.client);
    // Run; then "Retry Failed" after the first report; confirm; dismiss the second report.
    recorder.answers.push('Run', 'Retry Failed', 'Retry', undefined);
    await bulkCreate(ctx, fileUri(csv));
    assert.deepEqual(recorder.messages[1].items, ['Retry Failed', 'Save Report']);
    assert.match(recorder.messages[1].text, /1 done, 1 failed/);
    assert.match(recorder.messages[2].text, /Retry 1 failed or unsent items\?/);
    // retry-2 still exists, so it fails again: the second report has exactly that one item.
    assert.match(bulkUi.documents.at(-1) ?? '', /0 done, 1 failed[\s\S]*\| line 3 \| retry-2 \|/);
  });
});

void describe('cancelling from the progress notification', () => {
  void test('stops sending; the report splits done (stored) and not sent (absent) and offers a retry', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `cancel-cmd-${String(i).padStart(3, '0')}`);
    const csv = join(dir, 'cancel.csv');
    writeFileSync(csv, ['registrationId', ...ids].join('\n'));
    const { ctx } = bulkCommandContext(env.client);
    bulkUi.cancelAfterReports = 3;
    recorder.answers.push('Run', undefined);
    await bulkCreate(ctx, fileUri(csv));
    const summary = recorder.messages[1];
    const match = /(\d+) done, 0 failed, (\d+) not sent \(cancelled\)/.exec(summary.text);
    assert.ok(match, summary.text);
    const [done, notSent] = [Number(match[1]), Number(match[2])];
    assert.ok(done >= 30 && notSent > 0, summary.text);
    assert.equal(done + notSent, 300);
    assert.equal(storedEnrollments(env, 'cancel-cmd-').length, done, 'exactly the items reported done are stored');
    assert.deepEqual(summary.items, ['Retry Failed', 'Save Report']);
  });
});

void describe('bulk delete of the tree selection', () => {
  void test('deletes exactly the selected enrollments', async () => {
    const { ctx, connection } = bulkCommandContext(env.client);
    const nodes = (await loadEnrollmentNodes(connection, env.client)).filter((n) => /\/cmd-\d$/.test((n as { id: string }).id));
    assert.equal(nodes.length, 2);
    recorder.answers.push('Run', undefined);
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
      recorder.answers.push((items: Array<{ mode: string }>) => items.find((i) => i.mode === 'update'), 'Run', undefined);
      await importEnrollments(targetCtx, fileUri(file));
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
