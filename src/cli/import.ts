// `dps-enrollments import FILE`: a JSON import of any size in bounded memory. The file is read twice
// (src/bulk/streamedImport.ts): a dry run that counts what each row would do, then the run in chunks.
// Rows that did not end done go to a JSON-lines report file; the output is counts and a short sample,
// never a line per item. As before, any invalid row (or repeated id) means nothing is sent.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { BulkSourceError, bulkPacing, describeThrottle, planJsonFileStreamed, runStreamedPlan, type StreamedImportReport, type StreamedInvalidRow, type StreamedPlan } from '../bulk';
import { forEachInvalidRow, type InvalidStreamedRow } from '../bulk/streamedInvalidRows';
import { InstanceBudget } from '../dps/budget';
import type { DpsClient } from '../dps/client';
import { openFileAtomic } from '../util/atomicWrite';
import type { CliArgs } from './args';
import { requireFile, type CliIo } from './commands';
import { CliError, EXIT_ERROR, EXIT_OK } from './exitCodes';
import { renderDryRun, renderImport, renderInvalid, type ImportOutcome } from './importOutput';
import { progressLine, type ProgressLine } from './progress';

export const IMPORT_MODES = ['create', 'update'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** How many invalid or failed rows the output lists; the rest are counted (and all are in the report). */
export const LISTED_ROWS = 20;

export function importMode(value: string | undefined): ImportMode {
  if (value === undefined) return 'create';
  if ((IMPORT_MODES as readonly string[]).includes(value)) return value as ImportMode;
  throw new CliError(`--mode must be "create" (the default) or "update" (create or update), not "${value}".`);
}

/** "devices.json" → "devices.import-report.jsonl", in the current folder (beside the input may not be writable). */
export function defaultReportFile(input: string): string {
  return `${basename(input, extname(input))}.import-report.jsonl`;
}

function checkReportTarget(input: string, report: string, force: boolean): void {
  if (resolve(report) === resolve(input)) throw new CliError(`--report ${report} is the file being imported; name another file.`);
  const folder = dirname(resolve(report));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`--report ${report}: the folder ${folder} does not exist.`);
  if (existsSync(report) && !force) throw new CliError(`The report file ${report} exists; add --force to overwrite it, or name another with --report FILE.`);
}

export async function importCommand(args: CliArgs, io: CliIo, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  const file = requireFile(args, 'an export file');
  const mode = importMode(args.mode);
  if (!existsSync(file)) throw new CliError(`${file}: no such file.`);
  const reportFile = args.report ?? defaultReportFile(file);
  if (!args.dryRun) checkReportTarget(file, reportFile, args.force);
  const client = io.connect();
  const budget = new InstanceBudget(bulkPacing(args.operationsPerMinute));
  const progress = progressLine();
  const stopHearing = budget.onThrottle((waitMs) => progress.show(describeThrottle(waitMs)));
  try {
    const plan = await dryRun(client, file, mode, budget, progress, signal);
    const invalid = plan.kinds.reduce((n, k) => n + k.invalid, 0);
    if (args.dryRun) {
      const sample = invalidSample(plan);
      progress.done();
      io.out(args.json ? JSON.stringify({ dryRun: true, file, hostName: client.hostName, mode, kinds: plan.kinds, invalid, invalidSample: sample }, null, 2) + '\n'
        : renderDryRun(plan, client.hostName, invalid, sample));
      return invalid > 0 ? EXIT_ERROR : EXIT_OK;
    }
    if (invalid > 0) {
      const sample = await writeInvalidReport(plan, invalid, reportFile);
      throw new CliError(renderInvalid(file, invalid, sample, reportFile), { invalid, invalidSample: sample, reportFile: resolve(reportFile) });
    }
    const report = await runStreamedPlan(client, plan, {
      budget,
      reportFile,
      signal,
      onProgress: (p) => progress.update(`Importing into ${client.hostName}: ${(p.done + p.failed).toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')}${p.failed ? ` · ${p.failed.toLocaleString('en-US')} failed` : ''} · ${p.requests.toLocaleString('en-US')} requests`),
    });
    progress.done();
    const outcome = await settleReport(report, Date.now() - started);
    io.out(args.json ? JSON.stringify({ file, hostName: client.hostName, mode, ...outcome }, null, 2) + '\n' : renderImport(file, client.hostName, mode, outcome));
    return outcome.reportFile !== null || outcome.cancelled ? EXIT_ERROR : EXIT_OK;
  } finally {
    stopHearing();
    progress.done();
    client.dispose();
  }
}

async function dryRun(client: DpsClient, file: string, mode: ImportMode, budget: InstanceBudget, progress: ProgressLine, signal: AbortSignal): Promise<StreamedPlan> {
  progress.show(`Dry run of ${file}…`);
  try {
    return await planJsonFileStreamed(client, file, {
      mode,
      budget,
      signal,
      apiVersion: client.apiVersion,
      fileName: basename(file),
      onExistingProgress: (read) => progress.update(`Dry run: reading the items ${client.hostName} holds: ${read.toLocaleString('en-US')}`),
    });
  } catch (error: unknown) {
    if (signal.aborted) throw new CliError('Cancelled during the dry run; nothing was sent.');
    if (error instanceof BulkSourceError) throw new CliError(error.message);
    throw error;
  }
}

/** A row the dry run kept, in the shape the file's re-read gives. */
const keptRow = (row: StreamedInvalidRow): InvalidStreamedRow => ({ kind: row.kind, origin: row.origin, id: row.id, reasons: [row.reason] });

/** The first invalid rows, as the dry run kept them (it keeps the first 1,000 with their reasons). */
function invalidSample(plan: StreamedPlan): InvalidStreamedRow[] {
  return plan.invalidRows.slice(0, LISTED_ROWS).map(keptRow);
}

/**
 * Every invalid row to the report (as a run reports them), the first few to the caller. The dry run's
 * own list serves when it holds them all; a file with more is read once more, row by row.
 */
async function writeInvalidReport(plan: StreamedPlan, invalid: number, reportFile: string): Promise<InvalidStreamedRow[]> {
  const report = await openFileAtomic(reportFile);
  const write = (row: InvalidStreamedRow) =>
    report.write(JSON.stringify({ kind: row.kind, origin: row.origin, id: row.id, outcome: 'invalid', reason: row.reasons.join(' '), attempts: 0 }) + '\n');
  try {
    if (plan.invalidRows.length >= invalid) {
      for (const row of plan.invalidRows) await write(keptRow(row));
    } else {
      await forEachInvalidRow(plan, write);
    }
    await report.commit();
  } catch (error: unknown) {
    await report.abort();
    throw error;
  }
  return invalidSample(plan);
}

/** The run's counts, and the report: its first lines, or gone when every row ended done (it would only block the next run). */
async function settleReport(report: StreamedImportReport, elapsedMs: number): Promise<ImportOutcome> {
  const notDone = report.kinds.reduce((n, k) => n + k.counts.failed + k.counts.notSent + k.counts.invalid, 0);
  if (notDone === 0) await rm(report.reportFile, { force: true });
  return {
    kinds: report.kinds,
    requests: report.requests,
    elapsedMs,
    cancelled: report.cancelled,
    notDone,
    reportFile: notDone > 0 ? resolve(report.reportFile) : null,
    failedSample: notDone > 0 ? await firstLines(report.reportFile, LISTED_ROWS) : [],
  };
}

/** The first `count` JSON lines of a report, read no further. */
async function firstLines(path: string, count: number): Promise<unknown[]> {
  const lines: unknown[] = [];
  const stream = createReadStream(path, { encoding: 'utf8' });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      if (line !== '') lines.push(JSON.parse(line));
      if (lines.length >= count) break;
    }
  } finally {
    reader.close();
    stream.destroy();
  }
  return lines;
}
