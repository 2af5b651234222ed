// Scale figures for issue "Scale and speed", one run each, nothing asserted:
//  (a) list N enrollments, ours vs the official SDK, at 10,000 and 100,000 (1,000,000 with BENCH_1M=1);
//  (b) export, streamed dry run and import (library and CLI) peak memory growth at 100,000 (1,000,000 with BENCH_1M=1);
//  (c) the bulk runner's own CPU at 100,000 items with and without progress (instant fake service).
// The emulator's store is generated directly (no bulk create), and each client runs in its own
// process (bench/dps-worker.ts) so peak RSS is one client's.   npx tsx bench/scale.ts
// BENCH_PARTS=a,b runs only those parts (default all).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBulk, type BulkClient, type IndividualEnrollment } from '../src/dps';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import type { Figures } from './dps-worker';

const BIG = process.env.BENCH_1M === '1';
const LIST_SIZES = BIG ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
const EXPORT_SIZES = BIG ? [100_000, 1_000_000] : [100_000];
const PARTS = new Set((process.env.BENCH_PARTS ?? 'a,b,c').split(',').map((p) => p.trim()));

function runWorker(emu: RunningEmulator, scenario: string, extra: Record<string, unknown> = {}): Promise<Figures> {
  const job = {
    scenario, pageSize: 100, items: 0, operationsPerMinute: 1e9, timeBoxMs: 0, idPrefix: '',
    target: { port: emu.port, connectionString: emu.connectionString, caCertificatePem: emu.caCertificatePem }, ...extra,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'dps-worker.ts')], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Figures) : reject(new Error(`${scenario} exited with ${code}`))));
  });
}

function seed(emu: RunningEmulator, count: number): void {
  emu.store.clear();
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    emu.store.enrollments.load({
      registrationId: `listed-${String(i).padStart(7, '0')}`, attestation: { type: 'symmetricKey' },
      provisioningStatus: 'enabled', initialTwin: { tags: { line: i % 13 } }, etag: `e${i}`, createdDateTimeUtc: now, lastUpdatedDateTimeUtc: now,
    });
  }
}

const mb = (f: Figures): string => (f.peakRssMb - f.baseRssMb).toFixed(1);
const heapMb = (f: Figures): string => (f.peakHeapMb - f.baseHeapMb).toFixed(1);
const s = (ms: number): string => (ms / 1000).toFixed(2);

/** Rounds per size: ours and the SDK alternate which goes first, and the medians are printed (one run each moved the ratio by ±40% on a shared machine). */
const LIST_ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function listing(emu: RunningEmulator): Promise<void> {
  console.log(`(a) list, page size 100: median of ${LIST_ROUNDS} rounds (who goes first alternates): time s / first page ms / client CPU s / peak RSS growth MB`);
  for (const n of LIST_SIZES) {
    seed(emu, n);
    const rounds = n >= 1_000_000 ? 1 : LIST_ROUNDS;
    const ours: Figures[] = [];
    const sdk: Figures[] = [];
    let requestsOurs = 0;
    let requestsSdk = 0;
    for (let round = 0; round < rounds; round++) {
      for (const who of round % 2 === 0 ? ['ours', 'sdk'] : ['sdk', 'ours']) {
        const before = emu.stats().requests;
        if (who === 'ours') {
          ours.push(await runWorker(emu, 'list-ours'));
          requestsOurs = emu.stats().requests - before;
        } else {
          sdk.push(await runWorker(emu, 'list-sdk'));
          requestsSdk = emu.stats().requests - before;
        }
      }
    }
    const pick = (runs: Figures[], f: (r: Figures) => number): number => median(runs.map(f));
    const facts = (runs: Figures[]) => ({
      items: runs[0]?.items ?? 0,
      time: pick(runs, (r) => r.elapsedMs),
      first: pick(runs, (r) => r.firstPageMs ?? NaN),
      cpu: pick(runs, (r) => r.cpuMs),
      growth: pick(runs, (r) => r.peakRssMb - r.baseRssMb),
    });
    const a = facts(ours);
    const b = facts(sdk);
    console.log(`  N=${n.toLocaleString('en-US')}: ours ${a.items} items, ${requestsOurs} requests, ${s(a.time)} s, ${a.first.toFixed(1)} ms, CPU ${s(a.cpu)} s, ${a.growth.toFixed(1)} MB` +
      ` | SDK ${b.items} items, ${requestsSdk} requests, ${s(b.time)} s, ${b.first.toFixed(1)} ms, CPU ${s(b.cpu)} s, ${b.growth.toFixed(1)} MB` +
      ` | ours/SDK: time ${(a.time / b.time).toFixed(2)}x, CPU ${(a.cpu / b.cpu).toFixed(2)}x, memory growth ${(a.growth / Math.max(0.1, b.growth)).toFixed(2)}x` +
      ` (per round, time: ${ours.map((r, i) => (r.elapsedMs / (sdk[i]?.elapsedMs ?? NaN)).toFixed(2)).join(' ')})`);
  }
}

async function exportImport(emu: RunningEmulator, dir: string): Promise<void> {
  console.log('(b) export (without keys), streamed dry run against the full instance, import (create, into the emptied emulator): peak RSS / heap-in-use growth of the client process');
  for (const n of EXPORT_SIZES) {
    seed(emu, n);
    const file = join(dir, `export-${n}.json`);
    const exported = await runWorker(emu, 'export-ours', { file });
    console.log(`  N=${n.toLocaleString('en-US')}: export ${exported.items} items in ${s(exported.elapsedMs)} s, file ${(statSync(file).size / 2 ** 20).toFixed(1)} MB, peak RSS growth ${mb(exported)} MB, heap ${heapMb(exported)} MB`);
    const planned = await runWorker(emu, 'plan-streamed', { file });
    console.log(`    streamed dry run: ${planned.items} rows to send, ${planned.failed ?? 0} of them existing, ${s(planned.elapsedMs)} s, peak RSS growth ${mb(planned)} MB, heap ${heapMb(planned)} MB`);
    // The in-memory import holds every row and outcome: run at up to 100,000 only.
    if (n <= 100_000) {
      emu.store.clear();
      const imported = await runWorker(emu, 'import-ours', { file });
      console.log(`    import (in memory): ${imported.items} done, ${imported.failed ?? 0} not done, ${s(imported.elapsedMs)} s, peak RSS growth ${mb(imported)} MB, heap ${heapMb(imported)} MB`);
    }
    emu.store.clear();
    const streamed = await runWorker(emu, 'import-streamed', { file });
    console.log(`    import (streamed): ${streamed.items} done, ${streamed.failed ?? 0} not done, ${s(streamed.elapsedMs)} s, peak RSS growth ${mb(streamed)} MB, heap ${heapMb(streamed)} MB`);
    emu.store.clear();
    const cli = await runWorker(emu, 'import-cli', { file });
    console.log(`    import (CLI, dps-enrollments import --json): ${cli.items} done, ${cli.failed ?? 0} not done, ${s(cli.elapsedMs)} s, peak RSS growth ${mb(cli)} MB, peak heap growth ${heapMb(cli)} MB`);
  }
}

/** An instant service: the runner's own work is all that is measured. */
const instant: BulkClient = {
  runEnrollmentBulk: () => Promise.resolve({ isSuccessful: true, errors: [] }),
  runEnrollmentGroupBulk: () => Promise.resolve({ isSuccessful: true, errors: [] }),
  getEnrollment: () => Promise.reject(new Error('not used')),
  getEnrollmentGroup: () => Promise.reject(new Error('not used')),
};

async function runnerCpu(): Promise<void> {
  const n = 100_000;
  const items: IndividualEnrollment[] = Array.from({ length: n }, (_, i) => ({ registrationId: `cpu-${i}`, attestation: { type: 'symmetricKey' } }));
  console.log(`(c) bulk runner CPU, ${n.toLocaleString('en-US')} items, instant fake service`);
  for (const withProgress of [false, true]) {
    let calls = 0;
    const cpu = process.cpuUsage();
    const report = await runBulk({ client: instant, kind: 'enrollment', mode: 'create', items, operationsPerMinute: 1e12, concurrency: 4, ...(withProgress ? { onProgress: () => { calls++; } } : {}) });
    const used = process.cpuUsage(cpu);
    console.log(`  ${withProgress ? 'with progress   ' : 'without progress'}: ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, ${report.counts.done} done, ${calls} progress calls`);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dps-scale-'));
  const emu = await startEmulator({ port: 0, dataDir: dir, dataFile: null, seed: 'none' });
  try {
    console.log(`Scale benchmarks, node ${process.version}${BIG ? ' (with 1,000,000)' : ' (BENCH_1M=1 adds 1,000,000)'}\n`);
    if (PARTS.has('c')) await runnerCpu();
    if (PARTS.has('a')) await listing(emu);
    if (PARTS.has('b')) await exportImport(emu, dir);
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
