// applyPlan's live items: a view hears each change of the plan once, at the row the dry run listed
// it (applyPlanRows), as the report will give it, and failures before the apply has sent everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, type ApplyClient, type Plan, type PlanEntry, type SettledApplyItem } from '../../../src/ascode';
import { applyPlanRows, applyReportRow, applyReportRows, JobModel } from '../../../src/jobs';
import { FakeBulkService, VirtualClock } from '../../support/dpsFakes';

function entry(id: string, action: PlanEntry['action'], withBody = true): PlanEntry {
  return { kind: 'enrollment', id, action, changes: [], ...(withBody && action !== 'delete' ? { body: { registrationId: id, attestation: { type: 'none' } } } : {}), ...(action === 'delete' ? { etag: '"1"' } : {}) };
}

void test('each change is heard once, with the index applyPlanRows lists it at, as the report gives it', async () => {
  const service = new FakeBulkService(new VirtualClock(), {
    itemError: (id) => (id === 'b-bad' ? { errorCode: 400004, errorStatus: 'Invalid attestation.' } : undefined),
  });
  service.store.set('e-del', { registrationId: 'e-del', attestation: { type: 'none' } });
  const none = (): Promise<never> => Promise.reject(new Error('no attestation reads expected'));
  const client: ApplyClient = Object.assign(service, { hostName: 'test.azure-devices-provisioning.net', getEnrollmentAttestation: none, getEnrollmentGroupAttestation: none });
  const plan: Plan = {
    format: 'dps-enrollments-plan', version: 1, hostName: client.hostName, fileName: 'prod.dps.json', prune: true, createdAtUtc: '2026-01-01T00:00:00Z',
    entries: [entry('a-new', 'create'), entry('b-bad', 'create'), entry('c-nobody', 'update', false), entry('d-same', 'unchanged'), entry('e-del', 'delete')],
    counts: { create: 2, update: 1, delete: 1, unchanged: 1 },
    notInFile: [],
  };
  const heard: Array<{ settled: SettledApplyItem[]; requestsSent: number }> = [];
  // The Jobs model fed as the apply command feeds it.
  const model = new JobModel({ header: { title: 'Apply prod.dps.json', source: 'prod.dps.json → test', quotaPerSecond: 1 } });
  model.showDryRun(applyPlanRows(plan), ['4 changes']);
  model.startRun();
  const report = await applyPlan(client, plan, {
    operationsPerMinute: 60_000,
    onItemsSettled: (settled) => {
      heard.push({ settled, requestsSent: service.calls.length });
      model.settleRows(settled.map(({ index, item }) => ({ index, row: applyReportRow(item, plan.fileName) })));
    },
  });
  // Creates (one batch), the update refused before sending, then the delete.
  assert.deepEqual(heard.map((h) => [h.settled.map((s) => s.index), h.requestsSent]), [[[0, 1], 1], [[2], 1], [[3], 2]]);
  assert.equal(heard[0].settled[1].item.message, 'Invalid attestation.');
  const rows = applyPlanRows(plan);
  const all = heard.flatMap((h) => h.settled);
  assert.deepEqual(all.map((s) => rows[s.index].id), all.map((s) => s.item.id), 'each index is the row of its item');
  assert.deepEqual(all.map((s) => s.item), report.items, 'live items agree with the report');
  assert.deepEqual(report.counts, { done: 2, failed: 2, notSent: 0 });
  // Before the finish, the live rows are already the report's rows (in the plan's order).
  const byId = (rows: Array<{ id: string }>) => [...rows].sort((x, y) => x.id.localeCompare(y.id));
  assert.deepEqual(byId(model.rows.ordered()), byId(applyReportRows(report, plan.fileName)));
  assert.deepEqual(model.rows.ordered().map((r) => r.id).slice(0, 2), ['b-bad', 'c-nobody'], 'failed first while still running');
  assert.equal(model.currentPhase, 'running');
});
