// Benchmark: enrollments as code at 10,000 items against the emulator under a 1,000 ops/min quota.
// 1) apply a desired-state file that creates 10,000 enrollments (bulk requests of 10, paced);
// 2) plan the same file again (all unchanged: 100 query pages per 10,000 items);
// 3) plan after editing 10% of the file, and apply that plan (updates under If-Match, the keys kept by
//    one attestation read per symmetric-key item). Prints time, requests, throttled answers and memory.
// Run: npx tsx bench/ascode.ts [items] [opsPerMinute] (or BENCH_ITEMS, BENCH_QUOTA).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyPlan, planDesiredStateFile } from '../src/ascode';
import { DpsClient } from '../src/dps/client';
import { startTestEmulator, tempDir } from '../test/support/emulator';

const ITEMS = Number(process.argv[2] ?? process.env.BENCH_ITEMS ?? 10_000);
const OPS = Number(process.argv[3] ?? process.env.BENCH_QUOTA ?? 1000);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function desiredFile(dir: string, name: string, edited: number): string {
  const enrollments = Array.from({ length: ITEMS }, (_, i) => ({
    registrationId: `bench-${String(i).padStart(5, '0')}`,
    attestation: { type: 'symmetricKey', keys: 'generate' },
    initialTwin: { tags: { line: String(i % 7) } },
    ...(i < edited ? { provisioningStatus: 'disabled' } : {}),
  }));
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ version: 1, enrollments }, null, 2));
  return path;
}

async function main(): Promise<void> {
  const emulator = await startTestEmulator({ quota: { operationsPerMinute: OPS } });
  const client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  const dir = tempDir('ascode-bench-');
  const heapStart = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const file = desiredFile(dir, 'bench.dps.json', 0);
    let t = performance.now();
    const first = await planDesiredStateFile(client, file, { prune: false, operationsPerMinute: OPS });
    const planMs = performance.now() - t;
    console.log(`plan (empty instance): ${ITEMS} to create in ${(planMs / 1000).toFixed(2)} s, ${first.requests} requests`);

    t = performance.now();
    const report = await applyPlan(client, first.plan, { operationsPerMinute: OPS });
    const applyMs = performance.now() - t;
    const ideal = (report.requests / OPS) * 60;
    console.log(`apply: ${report.counts.done} done, ${report.counts.failed} failed, ${report.counts.notSent} not sent; ${report.requests} requests in ${(applyMs / 1000).toFixed(1)} s (quota-limited minimum ${ideal.toFixed(1)} s, ${((ideal * 1000 / applyMs) * 100).toFixed(0)}% of it)`);

    t = performance.now();
    const again = await planDesiredStateFile(client, file, { prune: false, operationsPerMinute: OPS });
    console.log(`plan (all applied): ${again.plan.counts.unchanged} unchanged, ${again.plan.counts.create + again.plan.counts.update} changes in ${((performance.now() - t) / 1000).toFixed(2)} s, ${again.requests} requests`);

    const edited = desiredFile(dir, 'edited.dps.json', Math.round(ITEMS / 10));
    t = performance.now();
    const editPlan = await planDesiredStateFile(client, edited, { prune: false, operationsPerMinute: OPS });
    console.log(`plan (10% edited): ${editPlan.plan.counts.update} to update in ${((performance.now() - t) / 1000).toFixed(2)} s, ${editPlan.requests} requests`);

    const beforeEdit = emulator.emu.stats();
    const heapBeforeEdit = process.memoryUsage().heapUsed;
    t = performance.now();
    const editReport = await applyPlan(client, editPlan.plan, { operationsPerMinute: OPS });
    const editMs = performance.now() - t;
    const afterEdit = emulator.emu.stats();
    const editIdeal = (editReport.requests / OPS) * 60;
    console.log(`apply (10% edited): ${editReport.counts.done} done, ${editReport.counts.failed} failed, ${editReport.counts.notSent} not sent; ${editReport.requests} requests in ${(editMs / 1000).toFixed(1)} s (quota-limited minimum ${editIdeal.toFixed(1)} s), ${afterEdit.throttled - beforeEdit.throttled} throttled (429), heap growth ${mb(process.memoryUsage().heapUsed - heapBeforeEdit)}, RSS ${mb(process.memoryUsage().rss)}`);

    const settled = await planDesiredStateFile(client, edited, { prune: false, operationsPerMinute: OPS });
    console.log(`plan (edits applied): ${settled.plan.counts.unchanged} unchanged, ${settled.plan.counts.create + settled.plan.counts.update} changes`);

    const stats = emulator.emu.stats();
    console.log(`emulator: ${stats.requests} requests, ${stats.throttled} throttled (429)`);
    console.log(`memory: heap growth ${mb(process.memoryUsage().heapUsed - heapStart)}, peak RSS ${mb(peakRss)}`);
  } finally {
    clearInterval(sample);
    client.dispose();
    await emulator.dispose();
  }
}

void main();
