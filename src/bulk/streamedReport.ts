// Reads back the JSON-lines report a streamed import writes (one row that did not end done a line),
// keeping only the first lines and counting the rest, so showing a million failures costs what
// showing `limit` does. Each line is checked: the file sits on disk between writing and reading.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import { ITEM_KINDS, type ItemKind } from '../dps/itemKind';
import { ITEM_KIND_FACTS } from '../dps/items';
import type { ReportItem, ReportOutcome } from './report';
import { BulkSourceError } from './rows';
import { jsonItemIndex } from './jsonSource';
import { RowSet } from './rowSet';
import type { RowSelection, StreamedImportReport } from './streamedImport';

export type StreamedReportLine = ReportItem & { kind: ItemKind };

export interface StreamedReportPage {
  /** The first lines of the report, in file order. */
  lines: StreamedReportLine[];
  /** Lines in the whole report. */
  total: number;
}

const OUTCOMES: readonly ReportOutcome[] = ['done', 'failed', 'notSent', 'invalid'];

export async function readStreamedReport(file: string, limit: number): Promise<StreamedReportPage> {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a whole number.');
  const lines: StreamedReportLine[] = [];
  const total = await forEachLine(file, (text, lineNumber) => {
    if (lines.length < limit) lines.push(parseLine(text, lineNumber, file));
  });
  return { lines, total };
}

/** The rows to send again, by kind and index in the file: those that failed or were not sent (invalid rows would fail again). */
export async function retrySelection(file: string): Promise<{ only: RowSelection; rows: number }> {
  const only = new Map<ItemKind, RowSet>();
  let rows = 0;
  await forEachLine(file, (text, lineNumber) => {
    const line = parseLine(text, lineNumber, file);
    if (line.outcome !== 'failed' && line.outcome !== 'notSent') return;
    const index = jsonItemIndex(line.origin);
    if (index === undefined) throw new BulkSourceError(`The report ${basename(file)} names no item of the file on line ${lineNumber}.`);
    const set = only.get(line.kind) ?? new RowSet();
    only.set(line.kind, set);
    set.add(index);
    rows++;
  });
  return { only, rows };
}

/** Calls `visit` with each non-empty line and its number; returns how many there were. */
async function forEachLine(file: string, visit: (text: string, lineNumber: number) => void): Promise<number> {
  let total = 0;
  const input = createReadStream(file, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of reader) {
      if (text === '') continue;
      visit(text, ++total);
    }
  } catch (error: unknown) {
    if (error instanceof BulkSourceError) throw error;
    throw new BulkSourceError(`The report ${basename(file)} could not be read: ${(error as Error).message}`);
  } finally {
    reader.close();
    input.destroy();
  }
  return total;
}

function parseLine(text: string, lineNumber: number, file: string): StreamedReportLine {
  const bad = (): BulkSourceError => new BulkSourceError(`The report ${basename(file)} has a malformed line ${lineNumber}.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad();
  const v = value as Record<string, unknown>;
  const ok = (ITEM_KINDS as readonly unknown[]).includes(v.kind)
    && typeof v.origin === 'string' && typeof v.id === 'string'
    && (OUTCOMES as readonly unknown[]).includes(v.outcome)
    && typeof v.attempts === 'number'
    && (v.reason === undefined || typeof v.reason === 'string')
    && (v.errorCode === undefined || typeof v.errorCode === 'number');
  if (!ok) throw bad();
  const line: StreamedReportLine = { kind: v.kind as ItemKind, origin: v.origin as string, id: v.id as string, outcome: v.outcome as ReportOutcome, attempts: v.attempts as number };
  if (v.reason !== undefined) line.reason = v.reason as string;
  if (v.errorCode !== undefined) line.errorCode = v.errorCode as number;
  return line;
}

/** One line per kind, as summariseReport words a job's counts, then the requests and the time. */
export function summariseStreamedReport(report: StreamedImportReport): string[] {
  const lines = report.kinds.map(({ kind, counts: c }) => {
    const plural = ITEM_KIND_FACTS[kind].plural;
    return `${plural.charAt(0).toUpperCase()}${plural.slice(1)}: ${c.done} done, ${c.failed} failed, ${c.notSent} not sent${report.cancelled ? ' (cancelled)' : ''}, ${c.invalid} invalid.`;
  });
  const settled = report.kinds.reduce((n, k) => n + k.counts.done + k.counts.failed, 0);
  const seconds = report.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round(settled / seconds)} items/s)` : '';
  lines.push(`${report.requests} requests in ${seconds.toFixed(1)} s${rate}.`);
  return lines;
}
