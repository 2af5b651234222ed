// One run of the editor's Import command in a process of its own (bench/import-command.ts starts it),
// through the vscode stub, so its heap is the command's alone. BENCH_JOB (JSON) names the file, the
// emulator and the flow: 'command' runs importEnrollments as the palette would (a file of 8 MiB or
// more goes streamed); 'in-memory' runs the row-per-item flow the command uses for small files.
// Prints one JSON line of figures. Needs --expose-gc for a settled baseline.
import '../test/support/vscodeStubInstall';
import { basename } from 'node:path';
import { bulkCommandContext, bulkUi, fileUri } from '../test/support/bulkVscode';
import { recorder } from '../test/support/vscodeStub';
import { readJsonSourcesFromFile } from '../src/bulk';
import { runBulkFlow } from '../src/commands/bulkUi';
import { importEnrollments } from '../src/commands/exportImportCommands';
import { MAX_BULK_OPERATIONS_PER_MINUTE, readSettings } from '../src/common/settings';
import { DpsClient } from '../src/dps';

interface Job {
  flow: 'command' | 'in-memory';
  file: string;
  connectionString: string;
  caCertificatePem: string;
}

export interface ImportFigures {
  flow: string;
  elapsedMs: number;
  baseHeapMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  peakRssMb: number;
  /** Counts of the finished job as the Jobs view showed them. */
  counts: Record<string, number>;
  countsOnly: boolean;
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
const mb = (bytes: number): number => bytes / 2 ** 20;

async function main(): Promise<void> {
  const client = DpsClient.fromConnectionString(job.connectionString, { ca: job.caCertificatePem });
  const { ctx, connection } = bulkCommandContext(client);
  // As fast as the setting allows: the figure is memory, not pace.
  (ctx as { settings: unknown }).settings = { value: readSettings((key) => (key === 'bulk.operationsPerMinute' ? MAX_BULK_OPERATIONS_PER_MINUTE : undefined)) };
  recorder.answers.push((choices: Array<{ mode: string }>) => choices.find((c) => c.mode === 'create'));
  bulkUi.pageActions.push({ type: 'run' });

  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sample = (): void => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  };
  const sampler = setInterval(sample, 10);
  const started = performance.now();
  if (job.flow === 'command') {
    await importEnrollments(ctx, fileUri(job.file));
  } else {
    const sources = await readJsonSourcesFromFile(job.file, { mode: 'create', fileName: basename(job.file) });
    await runBulkFlow(ctx, connection, sources, 'create');
  }
  sample();
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  const snapshot = bulkUi.views[0]?.snapshot();
  client.dispose();
  const figures: ImportFigures = {
    flow: job.flow,
    elapsedMs,
    baseHeapMb: mb(base.heapUsed),
    peakHeapMb: mb(peakHeap),
    baseRssMb: mb(base.rss),
    peakRssMb: mb(peakRss),
    counts: { ...(snapshot?.counts ?? {}) },
    countsOnly: snapshot?.countsOnly ?? false,
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`import ${job.flow} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
