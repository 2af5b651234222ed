// Benchmarks of the DPS client against the official SDK (azure-iot-provisioning-service), same emulator, same run:
//  (a) list N enrollments page by page;  (b) bulk-create N enrollments under an operations-per-minute quota.
// Each scenario runs in its own process (bench/dps-worker.ts) so peak memory is one client's; the emulator runs
// here and counts the requests each scenario made. Figures are printed, never asserted.
//   npx tsx bench/dps.ts          env: BENCH_ITEMS (10000) BENCH_QUOTA (1000/min) BENCH_PAGE (100) BENCH_TIMEBOX_MS (60000)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DpsClient, runBulk } from '../src/dps';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import type { Figures } from './dps-worker';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const QUOTA = Number(process.env.BENCH_QUOTA ?? 1_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 100);
const TIMEBOX_MS = Number(process.env.BENCH_TIMEBOX_MS ?? 60_000);

interface Row extends Figures { scenario: string; requests: number; throttled: number }

function runWorker(emu: RunningEmulator, scenario: string, extra: Record<string, unknown>): Promise<Figures> {
  const job = {
    scenario,
    target: { port: emu.port, connectionString: emu.connectionString, caCertificatePem: emu.caCertificatePem },
    pageSize: PAGE, items: ITEMS, operationsPerMinute: QUOTA, timeBoxMs: TIMEBOX_MS, idPrefix: `${scenario}.`, ...extra,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'dps-worker.ts')], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Figures);
      else reject(new Error(`${scenario} exited with ${code}`));
    });
  });
}

async function measure(emu: RunningEmulator, scenario: string, extra: Record<string, unknown> = {}): Promise<Row> {
  const before = emu.stats();
  const figures = await runWorker(emu, scenario, extra);
  const after = emu.stats();
  return { scenario, ...figures, requests: after.requests - before.requests, throttled: after.throttled - before.throttled };
}

const fmt = (n: number | undefined, digits = 0): string => (n === undefined ? '-' : n.toFixed(digits));

function table(rows: Row[]): void {
  const header = ['scenario', 'items', 'time s', 'first page ms', 'items/min', 'requests', '429s', 'peak RSS MB', 'RSS growth MB'];
  const lines = rows.map((r) => [
    r.scenario + (r.timedOut ? ' (time-boxed)' : ''), String(r.items), fmt(r.elapsedMs / 1000, 2), fmt(r.firstPageMs, 1),
    fmt((r.items / r.elapsedMs) * 60_000), String(r.requests), String(r.throttled), fmt(r.peakRssMb, 1), fmt(r.peakRssMb - r.baseRssMb, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}

async function seed(emu: RunningEmulator): Promise<void> {
  const client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    registrationId: `listed-${String(i).padStart(6, '0')}`,
    attestation: { type: 'symmetricKey' as const },
  }));
  const report = await runBulk({ client, kind: 'enrollment', mode: 'create', items, operationsPerMinute: 1e9 });
  client.dispose();
  if (report.counts.done !== ITEMS) throw new Error(`seeding created ${report.counts.done} of ${ITEMS}`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dps-bench-'));
  const emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
  try {
    console.log(`DPS benchmarks: ${ITEMS} enrollments, page size ${PAGE}, quota ${QUOTA} operations/min, node ${process.version}\n`);
    await seed(emu);

    console.log(`(a) list ${ITEMS} enrollments (ideal requests = ceil(N / page) = ${Math.ceil(ITEMS / PAGE)})`);
    const list = [await measure(emu, 'list-ours'), await measure(emu, 'list-sdk')];
    table(list);
    console.log(`ratio time sdk/ours: ${fmt(list[1].elapsedMs / list[0].elapsedMs, 2)}  ` +
      `peak RSS growth sdk/ours: ${fmt((list[1].peakRssMb - list[1].baseRssMb) / Math.max(0.1, list[0].peakRssMb - list[0].baseRssMb), 2)}\n`);

    console.log(`(b) bulk-create ${ITEMS} enrollments under a quota of ${QUOTA}/min ` +
      `(quota-limited maximum = 10 per operation = ${QUOTA * 10} items/min; SDK runs are time-boxed at ${TIMEBOX_MS / 1000} s)`);
    const bulk: Row[] = [];
    for (const scenario of ['bulk-ours', 'bulk-ours-burst', 'bulk-sdk-single', 'bulk-sdk-bulk']) {
      emu.setQuota({ operationsPerMinute: QUOTA }); // a fresh window for each scenario
      bulk.push(await measure(emu, scenario));
    }
    emu.setQuota(undefined);
    table(bulk);
    const rate = (r: Row): number => (r.items / r.elapsedMs) * 60_000;
    const [paced, burst, sdkSingle, sdkBulk] = bulk;
    const stored = emu.store.snapshot().enrollments;
    const storedFor = (r: Row): number => stored.filter((e) => e.registrationId.startsWith(`${r.scenario}.`)).length;
    console.log(`bulk-ours (paced): ${fmt((100 * rate(paced)) / (QUOTA * 10), 1)}% of the quota-limited rate, ` +
      `${paced.failed ?? 0} not done, ${storedFor(paced)} stored`);
    console.log(`bulk-ours-burst: ${ITEMS} items in ${fmt(burst.elapsedMs / 1000, 2)} s (the job fits in one minute's budget), ` +
      `${burst.failed ?? 0} not done, ${storedFor(burst)} stored`);
    console.log(`throughput ratio ours (paced) / SDK one call per enrollment, its samples' way: ${fmt(rate(paced) / rate(sdkSingle), 1)}x`);
    console.log(`throughput ratio ours (burst of a minute's budget) / SDK one call per enrollment: ${fmt(rate(burst) / rate(sdkSingle), 1)}x`);
    console.log(`throughput ratio ours (burst) / SDK sequential bulk of 10: ${fmt(rate(burst) / rate(sdkBulk), 2)}x`);
    console.log('note: the emulator enforces the quota as a sliding 60 s window, so a job that fits in one minute\'s budget can\n' +
      'burst; paced mode spreads operations evenly to leave budget for the instance\'s other clients.');
  } finally {
    await emu.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
