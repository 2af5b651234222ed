// End to end in code-server: bulk create from a CSV in the workspace. The Jobs view shows the dry
// run with the bad row; after "Run" there it shows the outcome and the new enrollments appear in the tree.
// Then bulk update over those enrollments (CSV) and over existing groups (JSON, then CSV), against an emulator
// that, like the live service, refuses bulk mode `update` for items that exist (409201/409202): the
// product sends existing items as `updateIfMatchETag` with the etags its dry run read, and says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DpsClient } from '../../src/dps/client';
import { generateTestChain } from '../../src/attestation';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import {
  addConnectionThroughUi, e2eSkipReason, openDpsView, openWorkbench, pickFileInDialog, pickQuickPickItem, runCommand, treeRow, type Workbench,
} from '../support/codeServer';
import { FORM_TIMEOUT_MS, formFrame } from '../support/formE2e';

const skip = e2eSkipReason();

void describe('bulk create and update in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let wb: Workbench;
  let dataDir: string;
  let workspace: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-bulk-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-bulk-ws-'));
    const rows = Array.from({ length: 12 }, (_, i) => `e2e-bulk-${String(i + 1).padStart(2, '0')},enabled,"site=north;line=${i % 3}"`);
    writeFileSync(path.join(workspace, 'devices.csv'), ['registrationId,status,tags', ...rows, 'e2e bad id,enabled,'].join('\r\n') + '\r\n');
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'bulk emulator', emu.caCertificatePath);
  });

  after(async () => {
    await wb?.close();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('CSV → dry run → run → report and tree', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Bulk Create…');
    const source = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'CSV file' }).first();
    await source.waitFor({ timeout: 15_000 });
    await source.click();
    await pickFileInDialog(page, path.join(workspace, 'devices.csv'));

    // The dry run in the Jobs view: the counts, and the bad row listed first with its reason.
    const job = formFrame(page);
    const summary = job.locator('#summary', { hasText: '12 to send in 2 bulk requests' });
    await summary.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match(await summary.innerText(), /1 invalid row will not be sent/);
    await job.locator('#rows .row[data-index="0"]', { hasText: 'e2e bad id' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await wb.screenshot('bulk-1-dry-run');
    await job.locator('#run').click();

    await job.locator('#job-phase', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    await job.locator('#summary', { hasText: '12 done, 0 failed, 0 not sent, 1 invalid' }).waitFor({ timeout: 30_000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Bulk job on bulk emulator: 12 done' }).waitFor({ timeout: 30_000 });
    assert.equal(await job.locator('#save-csv').isVisible(), true);
    await treeRow(page, 'e2e-bulk-12').waitFor({ timeout: 30_000 });
    await wb.screenshot('bulk-2-report-and-tree');
    assert.equal(emu.store.snapshot().enrollments.length, 12);
  });
  async function runBulkUpdate(fileName: string, sourceLabel: 'CSV file' | 'JSON file'): Promise<void> {
    const { page } = wb;
    await runCommand(page, 'DPS: Bulk Update (Create or Replace)…');
    const source = page.locator('.quick-input-widget .monaco-list-row', { hasText: sourceLabel }).first();
    await source.waitFor({ timeout: 15_000 });
    await source.click();
    await pickFileInDialog(page, path.join(workspace, fileName));
  }

  void test('bulk update from a CSV over existing enrollments: guarded updates and one create, said per item', async () => {
    const { page } = wb;
    const before = new Map(emu.store.snapshot().enrollments.map((e) => [e.registrationId, e.etag]));
    assert.equal(before.size, 12, 'the enrollments of the previous test');
    const rows = Array.from({ length: 12 }, (_, i) => `e2e-bulk-${String(i + 1).padStart(2, '0')},disabled`);
    writeFileSync(path.join(workspace, 'update.csv'), ['registrationId,status', ...rows, 'e2e-bulk-13,disabled'].join('\n') + '\n');
    await runBulkUpdate('update.csv', 'CSV file');

    const job = formFrame(page);
    const summary = job.locator('#summary', { hasText: '13 to send' });
    await summary.waitFor({ timeout: FORM_TIMEOUT_MS });
    const text = await summary.innerText();
    assert.match(text, /12 update \(existing, guarded by the etag read now\)/);
    assert.match(text, /1 create \(new\)/);
    await wb.screenshot('bulk-3-update-dry-run');
    await job.locator('#run').click();

    await job.locator('#summary', { hasText: '13 done, 0 failed, 0 not sent' }).waitFor({ timeout: 60_000 });
    await job.locator('#rows .row', { hasText: 'updated (etag matched)' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('bulk-4-update-report');
    const after = emu.store.snapshot().enrollments;
    assert.equal(after.length, 13);
    assert.ok(after.every((e) => e.provisioningStatus === 'disabled'), 'every enrollment carries the new status');
    assert.ok(after.filter((e) => before.has(e.registrationId)).every((e) => e.etag !== before.get(e.registrationId)), 'the existing ones were written');
  });

  void test('bulk update from a JSON file over existing groups keeps their keys', async () => {
    const { page } = wb;
    const client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    const keysBefore = new Map<string, string | undefined>();
    for (const id of ['e2e-group-a', 'e2e-group-b']) {
      const created = await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: id, attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' });
      keysBefore.set(id, created.attestation.symmetricKey?.primaryKey);
    }
    assert.ok([...keysBefore.values()].every((k) => typeof k === 'string' && k.length > 0), 'the service generated keys');
    const groups = ['e2e-group-a', 'e2e-group-b', 'e2e-group-c'].map((enrollmentGroupId) => ({ enrollmentGroupId, attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' }));
    writeFileSync(path.join(workspace, 'groups.json'), JSON.stringify(groups, null, 2));
    await runBulkUpdate('groups.json', 'JSON file');

    const job = formFrame(page);
    const summary = job.locator('#summary', { hasText: '3 to send' });
    await summary.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match(await summary.innerText(), /2 update \(existing, guarded by the etag read now\)/);
    await job.locator('#run').click();
    await job.locator('#summary', { hasText: '3 done, 0 failed, 0 not sent' }).waitFor({ timeout: 60_000 });
    await wb.screenshot('bulk-5-group-update-report');
    for (const id of ['e2e-group-a', 'e2e-group-b', 'e2e-group-c']) assert.equal((await client.getEnrollmentGroup(id)).provisioningStatus, 'disabled', id);
    // A write without keys would have made the service generate new ones, locking out the group's devices.
    for (const [id, key] of keysBefore) assert.equal((await client.getEnrollmentGroupAttestation(id)).symmetricKey?.primaryKey, key, `${id} kept its keys`);
    client.dispose();
  });

  void test('bulk update from a CSV over existing groups: the header makes it a group job, guarded per item, said per item', async () => {
    const { page } = wb;
    const client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    const chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'e2e-csv-device', namePrefix: 'E2E CSV' });
    writeFileSync(path.join(workspace, 'root-ca.pem'), chain.root.certificatePem);
    writeFileSync(path.join(workspace, 'device.pem'), chain.device.certificatePem);
    const keyed = await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'e2e-csv-keys', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' });
    const signed = await client.createOrUpdateEnrollmentGroup({
      enrollmentGroupId: 'e2e-csv-ca',
      attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: chain.intermediate.certificatePem } } } },
      provisioningStatus: 'enabled',
    });
    const keysBefore = (await client.getEnrollmentGroupAttestation('e2e-csv-keys')).symmetricKey;
    writeFileSync(path.join(workspace, 'groups.csv'), [
      'enrollmentGroupId,certificate,status,tags',
      'e2e-csv-keys,,disabled,site=north',
      'e2e-csv-ca,root-ca.pem,disabled,',
      'e2e-csv-new,root-ca.pem,enabled,',
      'e2e-csv-leaf,device.pem,enabled,',
    ].join('\n') + '\n');
    await runBulkUpdate('groups.csv', 'CSV file');

    const job = formFrame(page);
    const summary = job.locator('#summary', { hasText: 'enrollment groups from groups.csv: 3 to send' });
    await summary.waitFor({ timeout: FORM_TIMEOUT_MS });
    const text = await summary.innerText();
    assert.match(text, /2 update \(existing, guarded by the etag read now\)/);
    assert.match(text, /1 create \(new\)/);
    assert.match(text, /1 invalid row will not be sent/);
    await job.locator('#rows .row', { hasText: 'e2e-csv-leaf' }).filter({ hasText: 'is a device (leaf) certificate, not a CA' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await wb.screenshot('bulk-6-group-csv-dry-run');
    await job.locator('#run').click();

    await job.locator('#summary', { hasText: '3 done, 0 failed, 0 not sent, 1 invalid' }).waitFor({ timeout: 60_000 });
    // The report says per item what was done.
    for (const [id, done] of [['e2e-csv-keys', 'updated (etag matched)'], ['e2e-csv-ca', 'updated (etag matched)'], ['e2e-csv-new', 'created']]) {
      await job.locator('#rows .row', { hasText: id }).filter({ hasText: done }).waitFor({ timeout: 30_000 });
    }
    await wb.screenshot('bulk-7-group-csv-report');
    const keys = await client.getEnrollmentGroup('e2e-csv-keys');
    assert.equal(keys.provisioningStatus, 'disabled');
    assert.deepEqual(keys.initialTwin?.tags, { site: 'north' });
    assert.notEqual(keys.etag, keyed.etag);
    assert.deepEqual((await client.getEnrollmentGroupAttestation('e2e-csv-keys')).symmetricKey, keysBefore, 'kept its keys');
    const ca = await client.getEnrollmentGroup('e2e-csv-ca');
    assert.notEqual(ca.etag, signed.etag);
    assert.equal(ca.provisioningStatus, 'disabled');
    assert.match(ca.attestation.x509?.signingCertificates?.primary?.info?.subjectName ?? '', /E2E CSV Root CA/);
    assert.equal((await client.getEnrollmentGroup('e2e-csv-new')).provisioningStatus, 'enabled');
    assert.equal(emu.store.snapshot().enrollmentGroups.some((g) => g.enrollmentGroupId === 'e2e-csv-leaf'), false);
    client.dispose();
  });

  void test('import of a large file: counts in the Jobs view, run, and the rows not done listed from the kept report', async () => {
    const { page } = wb;
    // One id that exists (from the first test: create fails for it) and one that is not valid.
    const items: unknown[] = Array.from({ length: 25 }, (_, i) => ({ registrationId: `e2e-big-${String(i).padStart(2, '0')}`, attestation: { type: 'symmetricKey' } }));
    items.push({ registrationId: 'e2e-bulk-01', attestation: { type: 'symmetricKey' } }, { registrationId: 'e2e big bad', attestation: { type: 'symmetricKey' } });
    // Whitespace makes it large enough for the streamed path (8 MiB, STREAMED_IMPORT_MIN_BYTES; that module
    // needs vscode) without thousands of items; the dry run's "counted, not listed" proves the path.
    writeFileSync(path.join(workspace, 'large.json'), JSON.stringify(items) + ' '.repeat(8 * 2 ** 20));
    await runCommand(page, 'DPS: Import Enrollments…');
    await pickFileInDialog(page, path.join(workspace, 'large.json'));
    await pickQuickPickItem(page, 'Create', 'Import large.json');

    const job = formFrame(page);
    const summary = job.locator('#summary', { hasText: 'counted, not listed' });
    await summary.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match(await summary.innerText(), /26 to send in 3 bulk requests \(25 create \(new\), 1 will fail: already exists\)\. 1 invalid row will not be sent\./);
    await job.locator('#rows .row', { hasText: 'e2e big bad' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await job.locator('#row-count', { hasText: 'listed (the counts cover all)' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await wb.screenshot('bulk-8-large-import-dry-run');
    await job.locator('#run').click();

    await job.locator('#job-phase', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    await job.locator('#summary', { hasText: '25 done, 1 failed, 0 not sent, 1 invalid' }).waitFor({ timeout: 30_000 });
    await job.locator('#summary', { hasText: '.jsonl' }).waitFor({ timeout: 30_000 });
    await job.locator('#rows .row', { hasText: 'e2e-bulk-01' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('bulk-9-large-import-report');
    assert.equal(emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith('e2e-big-')).length, 25);
  });
});
