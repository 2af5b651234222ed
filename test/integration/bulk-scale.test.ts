// 10,000 rows from a CSV through the whole pipeline (parse, dry run, runner, report) while the
// emulator injects 429 with Retry-After, 503, 500 and connection resets, some after applying the
// request. Nothing may be lost or duplicated, and every "done" must be stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandIdPattern, parseEnrollmentCsv, planBulk, runBulkJob } from '../../src/bulk';
import { csvLines, FAST_RETRY, startBulkEnvironment, storedEnrollments, type BulkTestEnvironment } from '../support/bulk';

const COUNT = 10_000;
let env: BulkTestEnvironment;

before(async () => {
  env = await startBulkEnvironment();
});
after(async () => {
  await env.dispose();
});

void test(`${COUNT} enrollments from CSV under injected faults: nothing lost, nothing duplicated`, { timeout: 120_000 }, async () => {
  const ids = expandIdPattern('scale-{00001..10000}');
  const plan = planBulk(parseEnrollmentCsv(csvLines('registrationId,tags', ids, (_, i) => `,batch=${Math.floor(i / 10)}`), { mode: 'create' }), 'create');
  assert.equal(plan.planned.length, COUNT);
  assert.equal(plan.requests, COUNT / 10);

  env.emulator.emu.setFaults({ rate: 0.1, kinds: ['429', '503', '500', 'reset'], retryAfterSeconds: 1, applyAfterProcessing: true, seed: 42 });
  const started = Date.now();
  const report = await runBulkJob(env.client, plan, { operationsPerMinute: 600_000, concurrency: 8, retry: FAST_RETRY });
  const seconds = (Date.now() - started) / 1000;
  const faults = env.emulator.emu.stats().faultsInjected;
  env.emulator.emu.setFaults(undefined);

  assert.ok(faults >= 50, `faults were injected (${faults})`);
  const ids2 = report.items.map((i) => i.id);
  assert.equal(new Set(ids2).size, COUNT, 'each item reported once');
  assert.deepEqual(report.counts, { done: COUNT, failed: 0, notSent: 0, invalid: 0 }, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 3)));
  const stored = storedEnrollments(env, 'scale-');
  assert.equal(stored.length, COUNT);
  assert.equal(new Set(stored.map((e) => e.registrationId.toLowerCase())).size, COUNT);
  // Figures for the report; they are not asserted (shared CI machine).
  console.log(`bulk-scale: ${COUNT} items, ${report.requests} requests, ${faults} faults, ${seconds.toFixed(1)} s, ${Math.round(COUNT / seconds)} items/s`);
});
