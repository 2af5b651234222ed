// End to end in code-server: a bulk create against the emulator where some ids already exist. The
// Jobs view shows the dry run, then the outcome with the failed items first and the service's
// reason; filter and search narrow the list; Retry Failed (after the conflicting items are gone)
// shows a new dry run of just those and runs them; Save Report writes the CSV through the dialog.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { addConnectionThroughUi, e2eSkipReason, openDpsView, openWorkbench, pickFileInDialog, runCommand, type Workbench } from '../support/codeServer';
import { FORM_TIMEOUT_MS, formFrame, waitUntil } from '../support/formE2e';

const skip = e2eSkipReason();
const ids = Array.from({ length: 30 }, (_, i) => `jobs-e2e-${String(i + 1).padStart(2, '0')}`);
const existing = ['jobs-e2e-03', 'jobs-e2e-09', 'jobs-e2e-15', 'jobs-e2e-21', 'jobs-e2e-27'];

void describe('Jobs view in code-server', { skip, timeout: 600_000 }, () => {
  let emu: RunningEmulator;
  let wb: Workbench;
  let client: DpsClient;
  let dataDir: string;
  let workspace: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dps-e2e-jobs-emu-'));
    workspace = mkdtempSync(path.join(tmpdir(), 'dps-e2e-jobs-ws-'));
    writeFileSync(path.join(workspace, 'devices.csv'), ['registrationId,status', ...ids.map((id) => `${id},enabled`)].join('\n') + '\n');
    emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    for (const id of existing) await client.createOrUpdateEnrollment({ registrationId: id, attestation: { type: 'symmetricKey' } });
    wb = await openWorkbench({ workspace });
    await openDpsView(wb.page);
    await addConnectionThroughUi(wb.page, emu.connectionString, 'jobs emulator', emu.caCertificatePath);
  });

  after(async () => {
    client?.dispose();
    await wb?.close();
    await emu?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('run with failures, failed first, filter, Retry Failed, Save Report', async () => {
    const { page } = wb;
    await runCommand(page, 'DPS: Bulk Create…');
    const source = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'CSV file' }).first();
    await source.waitFor({ timeout: 15_000 });
    await source.click();
    await pickFileInDialog(page, path.join(workspace, 'devices.csv'));

    const job = formFrame(page);
    const dryRun = job.locator('#summary', { hasText: '30 to send in 3 bulk requests' });
    await dryRun.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.match(await dryRun.innerText(), /25 create \(new\), 5 will fail: already exists/);
    await job.locator('#run').click();

    // The outcome: counts, failed first with the service's reason.
    await job.locator('#job-phase', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    assert.equal(await job.locator('#count-failed').innerText(), 'Failed: 5');
    assert.equal(await job.locator('#count-done').innerText(), 'Done: 25');
    const first = job.locator('#rows .row[data-index="0"]');
    await first.waitFor({ timeout: FORM_TIMEOUT_MS });
    assert.equal(await first.getAttribute('data-id'), 'jobs-e2e-03');
    assert.match(await first.innerText(), /Failed[\s\S]*409/);
    assert.equal(await job.locator('#rows .row[data-index="4"]').getAttribute('data-id'), 'jobs-e2e-27');
    assert.equal(await job.locator('#rows .row[data-index="5"]').getAttribute('data-id'), 'jobs-e2e-01', 'done items after the failed ones');
    assert.equal(await job.locator('#chart polyline.requests').count(), 1, 'the throughput chart is drawn');
    await wb.screenshot('jobs-1-outcome');

    // Filter and search.
    await job.locator('#filter').selectOption('done');
    await job.locator('#row-count', { hasText: '25 items' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await job.locator('#search').fill('e2e-1');
    await job.locator('#row-count', { hasText: '9 items' }).waitFor({ timeout: FORM_TIMEOUT_MS });
    await job.locator('#search').fill('');
    await job.locator('#filter').selectOption('all');
    await job.locator('#row-count', { hasText: '30 items' }).waitFor({ timeout: FORM_TIMEOUT_MS });

    // The conflicting items go; Retry Failed plans just those again and runs them.
    for (const id of existing) await client.deleteEnrollment(id);
    await job.locator('#retry', { hasText: 'Retry Failed (5)' }).click();
    const retryDryRun = job.locator('#summary', { hasText: '5 to send in 1 bulk request (5 create (new))' });
    await retryDryRun.waitFor({ timeout: FORM_TIMEOUT_MS });
    await job.locator('#run').click();
    await job.locator('#summary', { hasText: '5 done, 0 failed, 0 not sent' }).waitFor({ timeout: 60_000 });
    assert.equal(await job.locator('#retry').isVisible(), false, 'nothing left to retry');
    await waitUntil(() => emu.store.snapshot().enrollments.length === 30, 'all 30 enrollments stored');
    await wb.screenshot('jobs-2-retried');

    // Save Report as CSV through the save dialog.
    const reportPath = path.join(workspace, 'jobs-report.csv');
    await job.locator('#save-csv').click();
    await pickFileInDialog(page, reportPath);
    await waitUntil(() => existsSync(reportPath), 'the saved report');
    const lines = readFileSync(reportPath, 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'kind,origin,id,outcome,errorCode,reason,attempts,detail');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[2]).sort(), existing);
    assert.ok(lines.slice(1).every((l) => l.split(',')[3] === 'done'));
    await job.locator('#status', { hasText: 'Report saved to' }).waitFor({ timeout: FORM_TIMEOUT_MS });
  });
});
