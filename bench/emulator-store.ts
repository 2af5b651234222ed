// Benchmark of the emulator's store at scale (100,000 enrollments; 1,000,000 with --million):
//  - restart time from a data file, and memory per enrollment once loaded;
//  - first query right after a write (first page and a continuation page);
//  - a stream of HTTPS writes from a worker thread: max event-loop delay of the emulator, write and
//    read latency, disk bytes written per write; then the same while a compaction rewrites the data file;
//  - restart with a journal to replay.
// The emulator runs on this thread (so its event loop is the one measured); the load comes from a worker.
// With --load-only: only loadSnapshot into a bare store (start-up without the server), then one read.
// Figures are printed, never asserted.   npx tsx bench/emulator-store.ts [--million] [--load-only]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { createSasToken, expiryFromNow } from '../src/dps/sas';
import { parseConnectionString } from '../src/dps/connectionString';
import { journalPath } from '../src/emulator/persistence';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import { loadSnapshot, writeSnapshot } from '../src/emulator/snapshot';
import { EmulatorStore } from '../src/emulator/store';

function connectionStringParts(cs: string): { hostName: string; keyName: string; key: string } {
  const p = parseConnectionString(cs);
  return { hostName: p.hostName, keyName: p.sharedAccessKeyName, key: p.sharedAccessKey };
}

const N = process.argv.includes('--million') ? 1_000_000 : 100_000;
const WRITES = 2_000;
const CONCURRENCY = 16;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};

/** An enrollment as a symmetric-key bulk import stores it (keys of 64 random bytes, a hub, a twin tag). */
function enrollment(i: number) {
  const key = (n: number) => Buffer.from(`${n}`.padEnd(64, 'k')).toString('base64');
  return {
    registrationId: `device-${String(i).padStart(7, '0')}`,
    attestation: { type: 'symmetricKey' as const, symmetricKey: { primaryKey: key(i), secondaryKey: key(i + 1) } },
    provisioningStatus: 'enabled' as const,
    allocationPolicy: 'hashed' as const,
    iotHubs: ['bench-hub.azure-devices.net'],
    initialTwin: { tags: { batch: String(i % 100) }, properties: { desired: {} } },
  };
}

// The load generator: plain JS in a worker thread, keep-alive HTTPS, PUTs from CONCURRENCY loops
// and one loop of GETs (the "other requests" a stall would hit), until told to stop or `writes` done.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const https = require('node:https');
const { port, ca, token, writes, concurrency, prefix, stop } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency + 2, ca });
const stopped = () => Atomics.load(stop, 0) === 1;
function send(method, path, body) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = https.request({ host: '127.0.0.1', servername: 'localhost', port, method, agent,
      path: path + '?api-version=2021-10-01',
      headers: { host: 'localhost:' + port, authorization: token, 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => { res.resume(); res.on('end', () => res.statusCode < 300 ? resolve(performance.now() - started) : reject(new Error(method + ' ' + res.statusCode))); });
    r.on('error', reject);
    r.end(payload);
  });
}
(async () => {
  let n = 0;
  const putMs = [];
  const getMs = [];
  const more = () => (writes > 0 ? n < writes : !stopped());
  const writer = async () => {
    while (more()) {
      const i = n++;
      const id = prefix + i;
      putMs.push(await send('PUT', '/enrollments/' + id, { registrationId: id, attestation: { type: 'none' }, initialTwin: { tags: { pad: 'x'.repeat(200) } } }));
    }
  };
  let writersDone = false;
  const reader = async () => {
    while (!writersDone) getMs.push(await send('GET', '/enrollments/device-0000001'));
  };
  const readerRun = reader();
  await Promise.all(Array.from({ length: concurrency }, writer));
  writersDone = true;
  await readerRun;
  const sorted = (a) => a.sort((x, y) => x - y);
  sorted(putMs); sorted(getMs);
  const q = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
  parentPort.postMessage({ writes: putMs.length, putP50: q(putMs, 0.5), putP99: q(putMs, 0.99), putMax: putMs[putMs.length - 1],
    reads: getMs.length, getP99: q(getMs, 0.99), getMax: getMs[getMs.length - 1] });
})().catch((e) => { parentPort.postMessage({ error: String(e) }); });
`;

interface LoadFigures { writes: number; putP50: number; putP99: number; putMax: number; reads: number; getP99: number; getMax: number; error?: string }

function load(emu: RunningEmulator, prefix: string, writes: number, stop: Int32Array): Promise<LoadFigures> {
  const cs = connectionStringParts(emu.connectionString);
  const token = createSasToken({ resourceUri: cs.hostName, keyName: cs.keyName, key: cs.key, expiry: expiryFromNow(3600) });
  const worker = new Worker(WORKER, { eval: true, workerData: { port: emu.port, ca: emu.caCertificatePem, token, writes, concurrency: CONCURRENCY, prefix, stop } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: LoadFigures) => {
      void worker.terminate();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

async function query(emu: RunningEmulator, continuation?: string): Promise<{ ms: number; continuation?: string }> {
  const cs = connectionStringParts(emu.connectionString);
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${new URL(emu.httpUrl ?? '').port}/enrollments/query?api-version=2021-10-01`, {
    method: 'POST',
    headers: {
      authorization: createSasToken({ resourceUri: cs.hostName, keyName: cs.keyName, key: cs.key, expiry: expiryFromNow(60) }),
      'content-type': 'application/json',
      ...(continuation ? { 'x-ms-continuation': continuation } : {}),
    },
    body: '{"query":"*"}',
  });
  await res.arrayBuffer();
  return { ms: performance.now() - started, continuation: res.headers.get('x-ms-continuation') ?? undefined };
}

async function put(emu: RunningEmulator, id: string): Promise<void> {
  const cs = connectionStringParts(emu.connectionString);
  const res = await fetch(`http://127.0.0.1:${new URL(emu.httpUrl ?? '').port}/enrollments/${id}?api-version=2021-10-01`, {
    method: 'PUT',
    headers: { authorization: createSasToken({ resourceUri: cs.hostName, keyName: cs.keyName, key: cs.key, expiry: expiryFromNow(60) }), 'content-type': 'application/json' },
    body: JSON.stringify({ registrationId: id, attestation: { type: 'none' } }),
  });
  if (res.status !== 200) throw new Error(`PUT ${id}: ${res.status}`);
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

/** The data file of N enrollments, written from a store that is garbage once this returns. */
async function buildDataFile(dataFile: string): Promise<void> {
  const store = new EmulatorStore();
  for (let i = 0; i < N; i++) store.enrollments.put(enrollment(i));
  const [written, ms] = await timed(() => writeSnapshot(store, dataFile, 1));
  console.log(`data file written: ${f(written.bytes / 1048576)} MB in ${f(ms / 1000, 2)} s (${f(written.bytes / N, 0)} bytes per enrollment)`);
}

/** Start-up alone: the data file into a bare store, the event loop's longest stall meanwhile, then a first read. */
async function loadOnly(dataFile: string): Promise<void> {
  const heapBefore = heapMb();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const store = new EmulatorStore();
  const [loaded, ms] = await timed(() => loadSnapshot(store, dataFile));
  delay.disable();
  const heapAfter = heapMb();
  console.log(`loadSnapshot: ${loaded?.records.toLocaleString('en-US')} records in ${f(ms / 1000, 2)} s; max event-loop delay ${f(delay.max / 1e6)} ms; ` +
    `heap ${f(((heapAfter - heapBefore) * 1048576) / N, 0)} bytes per enrollment (${f(heapAfter - heapBefore, 0)} MB); ` +
    `${store.enrollments.countUnread().toLocaleString('en-US')} not parsed yet`);
  const started = performance.now();
  const item = store.enrollments.get('device-0000042');
  const again = performance.now();
  store.enrollments.get('device-0000042');
  console.log(`first read of an item: ${f(again - started, 3)} ms (parsed then), second read ${f(performance.now() - again, 3)} ms; ` +
    `${item?.registrationId ?? 'missing'}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'emu-store-bench-'));
  const dataFile = join(dir, 'emulator-data.json');
  if (process.argv.includes('--load-only')) {
    try {
      await buildDataFile(dataFile);
      await loadOnly(dataFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const start = (file = dataFile) => startEmulator({ port: 0, httpPort: 0, dataDir: dir, dataFile: file, seed: 'none' });
  try {
    console.log(`emulator store: ${N.toLocaleString('en-US')} enrollments, node ${process.version}`);
    // The first start in a data dir makes its key and TLS certificates: done here, so restarts time the data alone.
    await (await start(join(dir, 'warm-up.json'))).stop();
    await buildDataFile(dataFile);

    const heapBefore = heapMb();
    let [emu, restartMs] = await timed(() => start());
    const heapAfter = heapMb();
    console.log(`restart from the data file: ${f(restartMs / 1000, 2)} s`);
    console.log(`memory per enrollment (heap, after GC): ${f(((heapAfter - heapBefore) * 1048576) / N, 0)} bytes ` +
      `(${f(heapAfter - heapBefore, 0)} MB for ${N.toLocaleString('en-US')}); RSS ${f(process.memoryUsage().rss / 1048576, 0)} MB`);

    await put(emu, 'first-query-probe');
    const first = await query(emu);
    const second = await query(emu, first.continuation);
    console.log(`first query after a write: first page ${f(first.ms)} ms, next page ${f(second.ms)} ms`);

    const delay = monitorEventLoopDelay({ resolution: 1 });
    const noStop = new Int32Array(new SharedArrayBuffer(4));
    let before = emu.storageStats()?.bytesWritten ?? 0;
    delay.enable();
    const [plain, plainMs] = await timed(() => load(emu, 'stream-a-', WRITES, noStop));
    delay.disable();
    const journalPerWrite = ((emu.storageStats()?.bytesWritten ?? 0) - before) / plain.writes;
    console.log(`\n(a) ${plain.writes} writes, ${CONCURRENCY} at a time: ${f((plain.writes / plainMs) * 1000, 0)} writes/s; ` +
      `write ms p50 ${f(plain.putP50)} p99 ${f(plain.putP99)} max ${f(plain.putMax)}; ${plain.reads} reads alongside, max ${f(plain.getMax)} ms`);
    console.log(`    max event-loop delay ${f(delay.max / 1e6)} ms (p99 ${f(delay.percentile(99) / 1e6)} ms); disk written per write ${f(journalPerWrite, 0)} bytes (journal)`);

    // Restart with a journal to replay: the files as a crash would leave them, copied aside.
    const crashDir = mkdtempSync(join(dir, 'crash-'));
    const stats = emu.storageStats();
    copyFileSync(dataFile, join(crashDir, 'emulator-data.json'));
    copyFileSync(journalPath(dataFile, 1), journalPath(join(crashDir, 'emulator-data.json'), 1));
    const [replayed, replayMs] = await timed(() => startEmulator({ port: 0, dataDir: dir, dataFile: join(crashDir, 'emulator-data.json'), seed: 'none' }));
    console.log(`    restart with ${plain.writes + 1} journal records to replay: ${f(replayMs / 1000, 2)} s`);
    await replayed.stop();
    rmSync(crashDir, { recursive: true, force: true });

    const stop = new Int32Array(new SharedArrayBuffer(4));
    delay.reset();
    before = emu.storageStats()?.bytesWritten ?? 0;
    delay.enable();
    const during = load(emu, 'stream-b-', 0, stop);
    await new Promise((r) => setTimeout(r, 200));
    const [, compactMs] = await timed(() => emu.compact());
    Atomics.store(stop, 0, 1);
    const withCompaction = await during;
    delay.disable();
    const after = emu.storageStats();
    console.log(`(b) writes during a compaction (${f(compactMs / 1000, 2)} s, data file ${f((after?.snapshotBytes ?? 0) / 1048576)} MB): ` +
      `${withCompaction.writes} writes, write ms p99 ${f(withCompaction.putP99)} max ${f(withCompaction.putMax)}; ` +
      `${withCompaction.reads} reads, p99 ${f(withCompaction.getP99)} max ${f(withCompaction.getMax)} ms`);
    console.log(`    max event-loop delay ${f(delay.max / 1e6)} ms (p99 ${f(delay.percentile(99) / 1e6)} ms); ` +
      `bytes written ${f(((after?.bytesWritten ?? 0) - before) / 1048576)} MB (journal + snapshot)`);
    const threshold = Math.max(64 * 1048576, after?.snapshotBytes ?? 0);
    console.log(`    amortised disk per write under the compaction policy (journal ≥ max(64 MB, data file)): ` +
      `${f(journalPerWrite * (1 + (after?.snapshotBytes ?? 0) / threshold), 0)} bytes (journal ${stats?.journalBytes ?? 0} B before (b))`);

    await put(emu, 'second-probe');
    const again = await query(emu);
    console.log(`first query after a write (after compaction): ${f(again.ms)} ms`);

    const [, stopMs] = await timed(() => emu.stop());
    [emu, restartMs] = await timed(() => start());
    console.log(`stop (folds the journal in): ${f(stopMs / 1000, 2)} s; restart: ${f(restartMs / 1000, 2)} s; ${emu.store.counts().enrollments.toLocaleString('en-US')} enrollments`);
    await emu.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
