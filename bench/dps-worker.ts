// One benchmark scenario in a process of its own, so that peak memory belongs to one client only.
// Reads its job from the BENCH_JOB environment variable (JSON) and prints one JSON line of figures.
import { DpsClient, InstanceBudget, runBulk } from '../src/dps';
import { exportConnectionToFile, planBulk, planJsonFileStreamed, readExistingItems, readJsonSourcesFromFile, runBulkJob, runStreamedPlan } from '../src/bulk';
import type { IndividualEnrollment } from '../src/dps';
import { parseCliArgs } from '../src/cli/args';
import { importCommand } from '../src/cli/import';
import { officialSdkClient, type SdkTarget } from '../test/support/sdk';

interface Job {
  scenario: 'list-ours' | 'list-sdk' | 'bulk-ours' | 'bulk-ours-burst' | 'bulk-sdk-single' | 'bulk-sdk-bulk' | 'export-ours' | 'import-ours' | 'plan-streamed' | 'import-streamed' | 'import-cli';
  /** The export file written by export-ours and read by import-ours. */
  file?: string;
  target: SdkTarget;
  pageSize: number;
  items: number;
  idPrefix: string;
  operationsPerMinute: number;
  /** SDK baselines stop after this long; their throughput is reported for the time they ran. */
  timeBoxMs: number;
}

/** What a scenario reports; bench/dps.ts reads it back (type-only import, so nothing here runs there). */
export interface Figures {
  items: number;
  elapsedMs: number;
  firstPageMs?: number;
  failed?: number;
  timedOut?: boolean;
  peakRssMb: number;
  baseRssMb: number;
  /** V8 heap in use, sampled as RSS is: what the JavaScript holds, without the allocator's slack. */
  peakHeapMb: number;
  baseHeapMb: number;
  /** CPU (user + system) the client process used for the scenario: less noisy than wall time on a loaded machine. */
  cpuMs: number;
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
const base = process.memoryUsage();
const baseCpu = process.cpuUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
const sample = (): void => {
  const now = process.memoryUsage();
  peakRss = Math.max(peakRss, now.rss);
  peakHeap = Math.max(peakHeap, now.heapUsed);
};
const sampler = setInterval(sample, 20);

function enrollments(count: number, prefix: string): IndividualEnrollment[] {
  return Array.from({ length: count }, (_, i) => ({
    registrationId: `${prefix}${String(i).padStart(6, '0')}`,
    attestation: { type: 'symmetricKey' as const },
  }));
}

function ourClient(): DpsClient {
  return DpsClient.fromConnectionString(job.target.connectionString, { ca: job.target.caCertificatePem });
}

/** Status and Retry-After of an SDK error, which carries the raw http response. */
function sdkThrottle(err: unknown): number | undefined {
  const response = (err as { response?: { statusCode?: number; headers?: Record<string, string> } }).response;
  if (response?.statusCode !== 429 && response?.statusCode !== 503) return undefined;
  return Number(response.headers?.['retry-after'] ?? '1') * 1000;
}

/** What a sample-writer must add around the SDK, which has no retries of its own: wait out 429s. */
async function withThrottleWait<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const waitMs = sdkThrottle(err);
      if (waitMs === undefined) throw err;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

async function listOurs(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  let firstPageMs: number | undefined;
  let items = 0;
  for await (const page of client.listEnrollments({ pageSize: job.pageSize })) {
    firstPageMs ??= performance.now() - start;
    items += page.items.length;
  }
  client.dispose();
  return { items, elapsedMs: performance.now() - start, firstPageMs };
}

async function listSdk(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  // As the SDK's query sample does: one Query object, next() until hasMoreResults is false.
  const sdk = officialSdkClient(job.target);
  const start = performance.now();
  const query = sdk.createIndividualEnrollmentQuery({ query: '*' }, job.pageSize);
  let firstPageMs: number | undefined;
  let items = 0;
  // The callback form, as in the sample: the promise form of next() without a token refetches the first page.
  const nextPage = (): Promise<unknown[]> => new Promise((resolve, reject) => {
    query.next((err, page) => (err ? reject(err) : resolve(page as unknown as unknown[])));
  });
  while (query.hasMoreResults) {
    const page = await nextPage();
    firstPageMs ??= performance.now() - start;
    items += page.length;
  }
  return { items, elapsedMs: performance.now() - start, firstPageMs };
}

async function bulkOurs(burst = 1): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  const report = await runBulk({
    client, kind: 'enrollment', mode: 'create',
    items: enrollments(job.items, job.idPrefix),
    operationsPerMinute: job.operationsPerMinute,
    burst,
    onProgress: process.env.BENCH_DEBUG ? (p) => process.stderr.write(JSON.stringify(p) + '\n') : undefined,
  });
  client.dispose();
  return { items: report.counts.done, failed: report.counts.failed + report.counts.notSent, elapsedMs: performance.now() - start };
}

async function exportOurs(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  const counts = await exportConnectionToFile(client, job.file ?? '', { includeKeys: false, budget: new InstanceBudget({ operationsPerMinute: 1e9 }) });
  client.dispose();
  return { items: counts.enrollments + counts.enrollmentGroups, elapsedMs: performance.now() - start };
}

async function importOurs(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  let items = 0;
  let failed = 0;
  for (const source of await readJsonSourcesFromFile(job.file ?? '', { mode: 'create' })) {
    const budget = new InstanceBudget({ operationsPerMinute: 1e9 });
    const plan = planBulk(source, 'create', await readExistingItems(client, source.kind, { budget }));
    const report = await runBulkJob(client, plan, { budget, concurrency: 8 });
    items += report.counts.done;
    failed += report.counts.failed + report.counts.notSent + report.counts.invalid;
  }
  client.dispose();
  return { items, failed, elapsedMs: performance.now() - start };
}

/** The dry run alone, streamed: the file's rows against every id the instance holds. */
async function planStreamed(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  const plan = await planJsonFileStreamed(client, job.file ?? '', { mode: 'create', budget: new InstanceBudget({ operationsPerMinute: 1e9 }) });
  client.dispose();
  const toSend = plan.kinds.reduce((n, k) => n + k.toSend, 0);
  return { items: toSend, failed: plan.kinds.reduce((n, k) => n + (k.counts.failExists ?? 0), 0), elapsedMs: performance.now() - start };
}

/** The streamed import: dry run and run, two reads of the file, a report of what did not end done. */
async function importStreamed(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const client = ourClient();
  const start = performance.now();
  const budget = new InstanceBudget({ operationsPerMinute: 1e9 });
  const plan = await planJsonFileStreamed(client, job.file ?? '', { mode: 'create', budget });
  const report = await runStreamedPlan(client, plan, { budget, concurrency: 8, reportFile: `${job.file ?? ''}.report.jsonl` });
  client.dispose();
  const sum = (pick: (c: Record<'done' | 'failed' | 'notSent' | 'invalid', number>) => number): number => report.kinds.reduce((n, k) => n + pick(k.counts), 0);
  return { items: sum((c) => c.done), failed: sum((c) => c.failed + c.notSent + c.invalid), elapsedMs: performance.now() - start };
}

/** The CLI's import command in this process (its own code path: dry run, run, report), unpaced. */
async function importCli(): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  const file = job.file ?? '';
  const args = { ...parseCliArgs(['import', file, '--json', '--force', '--report', `${file}.cli-report.jsonl`]), operationsPerMinute: job.operationsPerMinute };
  let out = '';
  const start = performance.now();
  await importCommand(args, { out: (text) => { out += text; }, env: {}, connect: ourClient }, new AbortController().signal);
  const elapsedMs = performance.now() - start;
  const body = JSON.parse(out) as { kinds: Array<{ counts: Record<'done' | 'failed' | 'notSent' | 'invalid', number> }> };
  const sum = (pick: (c: Record<'done' | 'failed' | 'notSent' | 'invalid', number>) => number): number => body.kinds.reduce((n, k) => n + pick(k.counts), 0);
  return { items: sum((c) => c.done), failed: sum((c) => c.failed + c.notSent + c.invalid), elapsedMs };
}

async function bulkSdk(perCall: number): Promise<Omit<Figures, 'peakRssMb' | 'baseRssMb' | 'peakHeapMb' | 'baseHeapMb' | 'cpuMs'>> {
  // As the SDK samples do: one await per call, in sequence; perCall 1 = createOrUpdateIndividualEnrollment,
  // 10 = runBulkEnrollmentOperation with 10 enrollments.
  const sdk = officialSdkClient(job.target);
  const all = enrollments(job.items, job.idPrefix);
  const start = performance.now();
  let items = 0;
  let timedOut = false;
  for (let i = 0; i < all.length; i += perCall) {
    if (performance.now() - start > job.timeBoxMs) { timedOut = true; break; }
    const chunk = all.slice(i, i + perCall);
    if (perCall === 1) {
      await withThrottleWait(() => sdk.createOrUpdateIndividualEnrollment(chunk[0] as never));
    } else {
      // The callback form: the SDK's promise form of runBulkEnrollmentOperation never settles.
      await withThrottleWait(() => new Promise((resolve, reject) => {
        sdk.runBulkEnrollmentOperation({ mode: 'create', enrollments: chunk as never }, (err, result) => (err ? reject(err) : resolve(result)));
      }));
    }
    items += chunk.length;
  }
  return { items, elapsedMs: performance.now() - start, timedOut };
}

async function main(): Promise<void> {
  const run = {
    'list-ours': listOurs,
    'list-sdk': listSdk,
    'bulk-ours': () => bulkOurs(1),
    'bulk-ours-burst': () => bulkOurs(job.operationsPerMinute),
    'bulk-sdk-single': () => bulkSdk(1),
    'bulk-sdk-bulk': () => bulkSdk(10),
    'export-ours': exportOurs,
    'import-ours': importOurs,
    'plan-streamed': planStreamed,
    'import-streamed': importStreamed,
    'import-cli': importCli,
  }[job.scenario];
  const figures = await run();
  const cpu = process.cpuUsage(baseCpu);
  clearInterval(sampler);
  sample();
  const out: Figures = {
    ...figures, peakRssMb: peakRss / 2 ** 20, baseRssMb: base.rss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, baseHeapMb: base.heapUsed / 2 ** 20,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`scenario ${job.scenario} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
