// A JSON import of any size in two reads of the file, holding neither the items nor a row per item.
// The dry run reads it once: validity, repeated ids and the counts by action against the ids the
// instance holds (read when the first row of a kind appears). The run reads it again and sends it
// in chunks of a few thousand rows, each planned and run by planBulk and runBulkJob as a small job,
// so etag-guarded updates, kept keys and per-item outcomes behave as in any bulk job. Only ids are
// held, as 64-bit digests (IdDigestSet) while the dry run reads, then as 4 bytes a row (RowFacts);
// rows that did not end done are written to a JSON-lines report as they settle, done rows go only
// to the counts.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fieldsNewerThan, newerFieldsProblem, type ApiVersion } from '../dps/apiVersion';
import type { InstanceBudget } from '../dps/budget';
import type { ItemKind, ItemQueryApi } from '../dps/items';
import { MAX_BULK_ITEMS } from '../dps/client';
import type { BulkMode } from '../dps/models';
import type { RetryOptions } from '../dps/retryPolicy';
import { openFileAtomic } from '../util/atomicWrite';
import { forEachExistingItem } from './existingItems';
import { EtagTable } from './etagTable';
import { IdDigestSet } from './idDigestSet';
import { RowFacts } from './rowFacts';
import type { RowSet } from './rowSet';
import { runBulkJob, type BulkJobClient } from './job';
import { forEachJsonRowOfFile, jsonItemOrigin } from './jsonSource';
import { actionFor, duplicateIdReason, isKeylessSymmetricKey, NO_CONTENT_REASON, planBulk } from './plan';
import type { ReportItem, ReportOutcome } from './report';
import { BulkSourceError, type SourceRow } from './rows';
import type { PlanCounts } from './renderPlan';
import { KEYLESS_UPDATE_WARNING } from './validateItem';

/** Invalid or repeated rows the dry run keeps with their reasons (the rest are only counted): enough to see what is wrong, bounded however bad the file. */
export const DEFAULT_INVALID_ROWS_KEPT = 1_000;

/** Rows planned and sent together: what is held at once besides the id digests (at 5,000 the heap in use peaked at 72 MB, at 1,000 at 35 MB, for 100,000 rows). */
export const DEFAULT_CHUNK_ROWS = 1_000;

export interface StreamedPlanOptions {
  mode: BulkMode;
  budget: InstanceBudget;
  fileName?: string;
  signal?: AbortSignal;
  now?: Date;
  /** Existing ids read so far (of the kind being read). */
  onExistingProgress?: (read: number) => void;
  /** The connection's api-version: an item with fields it lacks is invalid, as planBulk makes it. */
  apiVersion?: ApiVersion;
  /** How many invalid or repeated rows to keep with their reasons (default DEFAULT_INVALID_ROWS_KEPT); all are counted. */
  keepInvalidRows?: number;
  /** Only these rows of each kind's array (a retry: the rows that failed or were not sent); every row when absent. */
  only?: RowSelection;
  /** The file as an earlier dry run saw it: a retry refuses a file changed since, whose rows would be other items. */
  expectedStamp?: FileStamp;
}

/** Row indexes per kind's array; a kind that is absent has no rows selected. */
export type RowSelection = ReadonlyMap<ItemKind, RowSet>;

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** An invalid or repeated row as the dry run found it: never sent, reported with its reason. */
export interface StreamedInvalidRow {
  kind: ItemKind;
  origin: string;
  id: string;
  reason: string;
}

/** The dry run of one kind, with the same counts a BulkPlan of the whole file would have. */
export interface StreamedKindPlan extends Omit<PlanCounts, 'mode' | 'description'> {
  /** Rows of the kind's array read, valid or not (`invalid` counts the invalid or repeated ones: reported, never sent). */
  rows: number;
}

/**
 * A kind's id table (dry run only) keeps one value per id: an existing item's etag index until the
 * file's first row with the id is read, then SEEN plus that row's index.
 */
const SEEN = 2 ** 30;

interface KindFacts {
  /** Per row of the kind's array: a repeat of which row, or the etag (index) of the existing item. */
  rows: RowFacts;
  /** The etags of existing items (update mode), packed: a million in 16 MB. */
  etags: EtagTable;
}

export interface StreamedPlan {
  path: string;
  description: string;
  mode: BulkMode;
  kinds: StreamedKindPlan[];
  /** The first invalid or repeated rows in file order (at most keepInvalidRows); the kinds' `invalid` counts them all. */
  invalidRows: StreamedInvalidRow[];
  readonly apiVersion?: ApiVersion;
  /** The rows planned when not all (see StreamedPlanOptions.only); the run sends only these. */
  readonly only?: RowSelection;
  /** The file as planned: a run refuses a file changed since. */
  readonly stamp: FileStamp;
  readonly facts: ReadonlyMap<ItemKind, KindFacts>;
  readonly now: Date;
}

export async function planJsonFileStreamed(client: ItemQueryApi, path: string, options: StreamedPlanOptions): Promise<StreamedPlan> {
  const { mode, apiVersion } = options;
  const keepInvalid = options.keepInvalidRows ?? DEFAULT_INVALID_ROWS_KEPT;
  if (!Number.isInteger(keepInvalid) || keepInvalid < 0) throw new RangeError('keepInvalidRows must be a whole number.');
  const invalidRows: StreamedInvalidRow[] = [];
  const now = options.now ?? new Date();
  const description = options.fileName ?? basename(path);
  const stamp = await fileStamp(path);
  const { only, expectedStamp } = options;
  if (expectedStamp !== undefined && !sameStamp(stamp, expectedStamp)) throw new BulkSourceError(`${description} changed since the dry run; start the import again.`);
  // Ids live only while the file is read; what the run needs is kept per row (RowFacts).
  const ids = new Map<ItemKind, IdDigestSet>();
  const facts = new Map<ItemKind, KindFacts>();
  const kinds = new Map<ItemKind, StreamedKindPlan>();

  const readExisting = async (kind: ItemKind): Promise<void> => {
    const table = new IdDigestSet();
    const entry: KindFacts = { rows: new RowFacts(), etags: new EtagTable() };
    await forEachExistingItem(client, kind, { budget: options.budget, signal: options.signal, onProgress: options.onExistingProgress }, (id, etag) => {
      // Only an update sends etags back; other modes need existence alone.
      if (table.add(id, mode === 'update' ? entry.etags.size : 0) === undefined && mode === 'update') entry.etags.add(etag);
    });
    ids.set(kind, table);
    facts.set(kind, entry);
    kinds.set(kind, { kind, rows: 0, toSend: 0, invalid: 0, counts: {}, requests: 0, warnings: 0, keysKept: 0 });
  };

  const count = (row: SourceRow, kind: ItemKind, rowIndex: number): void => {
    const table = ids.get(kind) as IdDigestSet;
    const entry = facts.get(kind) as KindFacts;
    const plan = kinds.get(kind) as StreamedKindPlan;
    plan.rows++;
    entry.rows.set(rowIndex, { type: 'none' });
    const setAside = (reason: string): void => {
      plan.invalid++;
      if (invalidRows.length < keepInvalid) invalidRows.push({ kind, origin: row.origin, id: row.id, reason });
    };
    if (row.item === undefined || row.errors.length > 0) {
      setAside(row.errors.length > 0 ? row.errors.join(' ') : NO_CONTENT_REASON);
      return;
    }
    // Checked before repeats, as planBulk does: such a row does not claim its id (the run's planBulk sets it aside again).
    const newer = apiVersion !== undefined && mode !== 'delete' ? newerFieldsProblem(apiVersion, fieldsNewerThan(apiVersion, row.item)) : undefined;
    if (newer !== undefined) {
      setAside(newer);
      return;
    }
    if (rowIndex >= SEEN) throw new BulkSourceError(`${description} has more than ${SEEN} items in one array.`);
    const known = table.get(row.id);
    if (known !== undefined && known >= SEEN) {
      entry.rows.set(rowIndex, { type: 'duplicate', firstIndex: known - SEEN });
      setAside(duplicateIdReason(row.id, jsonItemOrigin(known - SEEN)));
      return;
    }
    table.set(row.id, SEEN + rowIndex);
    const etagIndex = known;
    if (etagIndex !== undefined) entry.rows.set(rowIndex, { type: 'exists', etagIndex });
    const action = actionFor(mode, etagIndex !== undefined);
    plan.counts[action] = (plan.counts[action] ?? 0) + 1;
    plan.toSend++;
    if (action === 'updateExisting' && isKeylessSymmetricKey(row.item)) plan.keysKept++;
    // As planBulk with existence known: an update's keyless warning is settled by reading the keys.
    if (row.warnings.some((w) => !(mode === 'update' && w === KEYLESS_UPDATE_WARNING))) plan.warnings++;
  };

  await forEachJsonRowOfFile(path, { mode, fileName: description, now }, (row, kind, rowIndex) => {
    if (only !== undefined && only.get(kind)?.has(rowIndex) !== true) return undefined;
    if (facts.has(kind)) return count(row, kind, rowIndex);
    return readExisting(kind).then(() => count(row, kind, rowIndex));
  });
  for (const plan of kinds.values()) plan.requests = Math.ceil(plan.toSend / MAX_BULK_ITEMS);
  // Enrollments before groups, as the in-memory sources list them.
  const ordered = (['enrollment', 'group'] as const).flatMap((kind) => kinds.get(kind) ?? []);
  return { path, description, mode, kinds: ordered, invalidRows, apiVersion, only, stamp, facts, now };
}

export interface StreamedRunOptions {
  budget: InstanceBudget;
  /** Where rows that did not end done (failed, not sent, invalid) are written, one JSON object a line; it appears whole at the end. */
  reportFile: string;
  concurrency?: number;
  signal?: AbortSignal;
  chunkRows?: number;
  onProgress?: (progress: StreamedProgress) => void;
  onRetry?: (throttled: boolean) => void;
  retry?: RetryOptions;
}

export interface StreamedProgress {
  total: number;
  done: number;
  failed: number;
  requests: number;
}

export interface StreamedKindReport {
  kind: ItemKind;
  counts: Record<ReportOutcome, number>;
}

export interface StreamedImportReport {
  kinds: StreamedKindReport[];
  requests: number;
  elapsedMs: number;
  cancelled: boolean;
  reportFile: string;
}

export async function runStreamedPlan(client: BulkJobClient, plan: StreamedPlan, options: StreamedRunOptions): Promise<StreamedImportReport> {
  const started = Date.now();
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError('chunkRows must be a positive integer.');
  if (!sameStamp(await fileStamp(plan.path), plan.stamp)) {
    throw new BulkSourceError(`${plan.description} changed since the dry run; start the import again.`);
  }
  const total = plan.kinds.reduce((n, k) => n + k.toSend, 0);
  const reports = new Map<ItemKind, StreamedKindReport>(plan.kinds.map((k) => [k.kind, { kind: k.kind, counts: { done: 0, failed: 0, notSent: 0, invalid: 0 } }]));
  const buffers = new Map<ItemKind, Array<{ row: SourceRow; rowIndex: number }>>();
  const settled = { done: 0, failed: 0, requests: 0 };
  const report = await openFileAtomic(options.reportFile);

  const record = async (kind: ItemKind, item: ReportItem): Promise<void> => {
    (reports.get(kind) as StreamedKindReport).counts[item.outcome]++;
    if (item.outcome !== 'done') await report.write(JSON.stringify({ kind, ...item }) + '\n');
  };

  const send = async (kind: ItemKind): Promise<void> => {
    const rows = buffers.get(kind) ?? [];
    buffers.set(kind, []);
    if (rows.length === 0) return;
    const entry = plan.facts.get(kind) as KindFacts;
    const existing = new Map<string, string>();
    for (const { row, rowIndex } of rows) {
      const fact = row.item === undefined ? undefined : entry.rows.get(rowIndex);
      if (fact?.type === 'exists') existing.set(row.id.toLowerCase(), plan.mode === 'update' ? entry.etags.get(fact.etagIndex) : '');
    }
    const chunkPlan = planBulk({ kind, rows: rows.map((r) => r.row), description: plan.description }, plan.mode, existing, plan.apiVersion);
    const before = { ...settled };
    const chunkReport = await runBulkJob(client, chunkPlan, {
      budget: options.budget,
      concurrency: options.concurrency,
      signal: options.signal,
      onRetry: options.onRetry,
      retry: options.retry,
      onProgress: options.onProgress === undefined ? undefined : (p) => {
        options.onProgress?.({ total, done: before.done + p.done, failed: before.failed + p.failed, requests: before.requests + p.requests });
      },
    });
    for (const item of chunkReport.items) await record(kind, item);
    settled.done += chunkReport.counts.done;
    settled.failed += chunkReport.counts.failed;
    settled.requests += chunkReport.requests;
  };

  try {
    await forEachJsonRowOfFile(plan.path, { mode: plan.mode, fileName: plan.description, now: plan.now }, (row, kind, rowIndex) => {
      if (plan.only !== undefined && plan.only.get(kind)?.has(rowIndex) !== true) return undefined;
      const entry = plan.facts.get(kind);
      // Rows past the last the dry run recorded: the file grew.
      if (entry === undefined || rowIndex >= entry.rows.rows) throw new BulkSourceError(`${plan.description} changed since the dry run; start the import again.`);
      const fact = entry.rows.get(rowIndex);
      if (row.item !== undefined && row.errors.length === 0 && fact.type === 'duplicate') {
        return record(kind, { origin: row.origin, id: row.id, outcome: 'invalid', reason: duplicateIdReason(row.id, jsonItemOrigin(fact.firstIndex)), attempts: 0 });
      }
      const buffer = buffers.get(kind) ?? [];
      buffer.push({ row, rowIndex });
      buffers.set(kind, buffer);
      return buffer.length >= chunkRows ? send(kind) : undefined;
    });
    for (const kind of buffers.keys()) await send(kind);
    await report.commit();
  } catch (error: unknown) {
    await report.abort();
    throw error;
  }
  return {
    kinds: [...reports.values()],
    requests: settled.requests,
    elapsedMs: Date.now() - started,
    cancelled: options.signal?.aborted === true,
    reportFile: options.reportFile,
  };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function fileStamp(path: string): Promise<FileStamp> {
  try {
    const { size, mtimeMs } = await stat(path);
    return { size, mtimeMs };
  } catch {
    throw new BulkSourceError(`${basename(path)} could not be read.`);
  }
}
