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

async function listing(emu: RunningEmulator): Promise<void> {
  console.log('(a) list, page size 100: time s / first page ms / client CPU s / peak RSS growth MB');
  for (const n of LIST_SIZES) {
    seed(emu, n);
    const before = emu.stats().requests;
    const ours = await runWorker(emu, 'list-ours');
    const mid = emu.stats().requests;
    const sdk = await runWorker(emu, 'list-sdk');
    const requestsSdk = emu.stats().requests - mid;
    console.log(`  N=${n.toLocaleString('en-US')}: ours ${ours.items} items, ${mid - before} requests, ${s(ours.elapsedMs)} s, ${ours.firstPageMs?.toFixed(1)} ms, CPU ${s(ours.cpuMs)} s, ${mb(ours)} MB` +
      ` | SDK ${sdk.items} items, ${requestsSdk} requests, ${s(sdk.elapsedMs)} s, ${sdk.firstPageMs?.toFixed(1)} ms, CPU ${s(sdk.cpuMs)} s, ${mb(sdk)} MB` +
      ` | time ours/SDK ${(ours.elapsedMs / sdk.elapsedMs).toFixed(2)}x, CPU ${(ours.cpuMs / sdk.cpuMs).toFixed(2)}x, memory growth ours/SDK ${((ours.peakRssMb - ours.baseRssMb) / Math.max(0.1, sdk.peakRssMb - sdk.baseRssMb)).toFixed(2)}x`);
  }
}

async function exportImport(emu: RunningEmulator, dir: string): Promise<void> {
  console.log('(b) export (without keys), streamed dry run against the full instance, import (create, into the emptied emulator): peak RSS growth of the client process');
  for (const n of EXPORT_SIZES) {
    seed(emu, n);
    const file = join(dir, `export-${n}.json`);
    const exported = await runWorker(emu, 'export-ours', { file });
    console.log(`  N=${n.toLocaleString('en-US')}: export ${exported.items} items in ${s(exported.elapsedMs)} s, file ${(statSync(file).size / 2 ** 20).toFixed(1)} MB, peak RSS growth ${mb(exported)} MB`);
    const planned = await runWorker(emu, 'plan-streamed', { file });
    console.log(`    streamed dry run: ${planned.items} rows to send, ${planned.failed ?? 0} of them existing, ${s(planned.elapsedMs)} s, peak RSS growth ${mb(planned)} MB`);
    // The in-memory import holds every row and outcome: run at up to 100,000 only.
    if (n <= 100_000) {
      emu.store.clear();
      const imported = await runWorker(emu, 'import-ours', { file });
      console.log(`    import (in memory): ${imported.items} done, ${imported.failed ?? 0} not done, ${s(imported.elapsedMs)} s, peak RSS growth ${mb(imported)} MB`);
    }
    emu.store.clear();
    const streamed = await runWorker(emu, 'import-streamed', { file });
    console.log(`    import (streamed): ${streamed.items} done, ${streamed.failed ?? 0} not done, ${s(streamed.elapsedMs)} s, peak RSS growth ${mb(streamed)} MB`);
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
