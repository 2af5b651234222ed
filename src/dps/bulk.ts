// The bulk runner: any number of enrollments or groups, sent as bulk requests of at most 10,
// with bounded concurrency under a shared pacing budget. An item is reported 'done' only when
// the service confirmed it: by the absence of a per-item error in a bulk result, or by a GET
// after a failure that left it unclear whether an earlier request was applied.
import type { DpsApi } from './api';
import { idFieldOf, isItemKind, runItemBulk, getItem, type Item, type ItemIdField, type ItemKind } from './items';
import type { RequestOptions } from './client';
import { MAX_BULK_ITEMS } from './client';
import { DpsError } from './errors';
import type {
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
} from './models';
import { Pacer, realClock, type Clock } from './pacer';
import type { InstanceBudget } from './budget';
import { backoffDelayMs, provesNotProcessed, resolveRetryOptions, type RetryOptions } from './retryPolicy';

/** The calls the runner makes: bulk requests, and GETs to settle what an ambiguous failure did. */
export type BulkClient = Pick<DpsApi, 'runEnrollmentBulk' | 'runEnrollmentGroupBulk' | 'getEnrollment' | 'getEnrollmentGroup'>;


export interface BulkRunOptions {
  client: BulkClient;
  kind: ItemKind;
  mode: BulkMode;
  items: readonly Item[];
  /** Items per request, 1 to 10; default 10. */
  batchSize?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Budget of service operations per minute (bulk requests and verification GETs); default 1000. */
  operationsPerMinute?: number;
  /** Operations that may start back to back before pacing applies, 1 to operationsPerMinute; default 1 (no burst). */
  burst?: number;
  /**
   * The instance's one pacing budget, shared with the job's reads (dry run, key reads); when given it
   * replaces operationsPerMinute, burst and clock, and hears of every 429 wait.
   */
  budget?: InstanceBudget;
  signal?: AbortSignal;
  onProgress?: (progress: BulkProgress) => void;
  /**
   * Hears the items whose outcome is final, a batch at a time (after any verification GETs), so a
   * view can show failures as they happen; `index` is into `items`. Items refused before sending
   * (no id, a repeated id) come first in one call. Items never sent are only in the report.
   */
  onItemsSettled?: (settled: SettledItem[]) => void;
  /** Hears each batch about to be sent again: after a 429 (`throttled`) or another transient failure. */
  onRetry?: (throttled: boolean) => void;
  /** Tries per batch for transient failures (429s have a budget of 4x this); default 5 tries, 500 ms base, 30 s cap. */
  retry?: RetryOptions;
  /** Time source and waits; tests inject a virtual clock. */
  clock?: Clock;
  random?: () => number;
}

export interface BulkProgress {
  total: number;
  done: number;
  failed: number;
  notSent: number;
  requests: number;
  batchesSettled: number;
  batches: number;
}

export interface BulkItemOutcome {
  id: string;
  outcome: 'done' | 'failed' | 'notSent';
  errorCode?: number;
  errorStatus?: string;
  /** Bulk requests that carried this item. */
  attempts: number;
}

/** An item whose outcome is final: `index` is its place in the run's `items`. */
export interface SettledItem {
  index: number;
  outcome: BulkItemOutcome;
}

export interface BulkReport {
  /** One outcome per input item, in input order. */
  items: BulkItemOutcome[];
  requests: number;
  elapsedMs: number;
  cancelled: boolean;
  counts: { done: number; failed: number; notSent: number };
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_OPERATIONS_PER_MINUTE = 1000;
const THROTTLE_BUDGET_FACTOR = 4;
const BULK_MODES: readonly BulkMode[] = ['create', 'update', 'updateIfMatchETag', 'delete'];

/** Fields the service sets or withholds on reads; ignored when checking that a stored item is the one we sent. */
const SERVER_FIELDS = new Set(['etag', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState']);
/** Withheld on reads: GET and query carry `attestation: {type: "symmetricKey"}` with no symmetricKey member at all. */
const WITHHELD_ON_READ = new Set(['symmetricKey', 'primaryKey', 'secondaryKey', 'certificate']);

export async function runBulk(options: BulkRunOptions): Promise<BulkReport> {
  const run = new BulkRun(options);
  return run.execute();
}

interface Failure {
  errorCode?: number;
  errorStatus: string;
}

class BulkRun {
  private readonly idField: ItemIdField;
  private readonly clock: Clock;
  private readonly pacer: Pacer;
  private readonly retry: Required<RetryOptions>;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly outcomes: (BulkItemOutcome | undefined)[];
  private readonly attempts: number[];
  private readonly ids: string[];
  private batches: number[][] = [];
  private requests = 0;
  private batchesSettled = 0;
  /** Running counts, so progress costs O(1) per batch instead of a scan of every outcome. */
  private readonly counts = { done: 0, failed: 0 };

  constructor(private readonly options: BulkRunOptions) {
    if (!isItemKind(options.kind)) {
      throw new RangeError("kind must be 'enrollment' or 'group'.");
    }
    if (!BULK_MODES.includes(options.mode)) {
      throw new RangeError(`mode must be one of ${BULK_MODES.join(', ')}.`);
    }
    if (!Array.isArray(options.items)) throw new TypeError('items must be an array.');
    this.idField = idFieldOf(options.kind);
    this.batchSize = options.batchSize ?? MAX_BULK_ITEMS;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_BULK_ITEMS) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BULK_ITEMS}.`);
    }
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1 || this.concurrency > 64) {
      throw new RangeError('concurrency must be an integer from 1 to 64.');
    }
    this.clock = options.budget?.clock ?? options.clock ?? realClock;
    this.pacer = options.budget?.pacer ?? new Pacer(options.operationsPerMinute ?? DEFAULT_OPERATIONS_PER_MINUTE, this.clock, options.burst);
    this.retry = resolveRetryOptions(options.retry);
    this.outcomes = new Array<BulkItemOutcome | undefined>(options.items.length).fill(undefined);
    this.attempts = new Array<number>(options.items.length).fill(0);
    this.ids = options.items.map((item) => {
      const id = (item as Record<string, unknown>)[this.idField];
      return typeof id === 'string' ? id : '';
    });
  }

  async execute(): Promise<BulkReport> {
    const started = this.clock.now();
    const admissible = this.admissibleIndexes();
    this.batches = chunk(admissible, this.batchSize);
    this.reportSettled(refusedIndexes(this.outcomes.length, admissible));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!this.options.signal?.aborted && next < this.batches.length) {
        const batch = this.batches[next++];
        await this.runBatch(batch);
        this.batchesSettled++;
        this.reportSettled(batch);
        this.reportProgress();
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, this.batches.length) }, worker));

    const items = this.outcomes.map(
      (outcome, index): BulkItemOutcome => outcome ?? { id: this.ids[index], outcome: 'notSent', attempts: this.attempts[index] },
    );
    const counts = { ...this.counts, notSent: items.length - this.counts.done - this.counts.failed };
    const report: BulkReport = {
      items,
      requests: this.requests,
      elapsedMs: Math.round(this.clock.now() - started),
      cancelled: this.options.signal?.aborted === true,
      counts,
    };
    this.reportProgress(counts.notSent);
    return report;
  }

  /** Refuses, without sending, items with no id and later repeats of an id (the service rejects the whole request). */
  private admissibleIndexes(): number[] {
    const firstIndexById = new Map<string, number>();
    const admissible: number[] = [];
    this.ids.forEach((id, index) => {
      if (id.trim() === '') {
        this.fail(index, { errorStatus: `Item ${index + 1} has no ${this.idField}; it was not sent.` });
        return;
      }
      // Registration and group ids are case-insensitive in DPS.
      const key = id.toLowerCase();
      const first = firstIndexById.get(key);
      if (first !== undefined) {
        this.fail(index, {
          errorStatus: `Duplicate ${this.idField} '${id}' (same as item ${first + 1}); it was not sent.`,
        });
        return;
      }
      firstIndexById.set(key, index);
      admissible.push(index);
    });
    return admissible;
  }

  private async runBatch(batch: number[]): Promise<void> {
    const signal = this.options.signal;
    // True once a failed request may nevertheless have been applied (reset, timeout, 5xx other than 503).
    let mayHaveApplied = false;
    let tries = 0;
    let throttled = 0;
    for (;;) {
      if (!(await this.pacer.take(signal))) {
        // Cancelled before this (re)send: untouched items stay notSent; possibly applied ones are checked.
        if (mayHaveApplied) await this.settleUncertain(batch, { errorStatus: 'Cancelled after a request whose outcome was unknown.' });
        return;
      }
      this.requests++;
      for (const index of batch) this.attempts[index]++;
      let result: BulkEnrollmentOperationResult | BulkEnrollmentGroupOperationResult;
      try {
        result = await this.send(batch);
      } catch (error: unknown) {
        const failure = describe(error);
        const transient = error instanceof DpsError && error.isTransient;
        const invalid = error instanceof DpsError && error.kind === 'invalidResponse';
        if (!transient && !invalid) {
          // A request-level rejection (4xx, TLS, ...): every item of the batch fails with its reason.
          await this.failBatch(batch, failure, mayHaveApplied);
          return;
        }
        // invalidResponse came with a 2xx: applied, but with unreadable per-item results.
        if (invalid || !provesNotProcessed(error)) mayHaveApplied = true;
        const isThrottle = error instanceof DpsError && error.status === 429;
        if (isThrottle) throttled++;
        else tries++;
        if (tries >= this.retry.maxAttempts || throttled >= this.retry.maxAttempts * THROTTLE_BUDGET_FACTOR) {
          await this.failBatch(batch, { ...failure, errorStatus: `${failure.errorStatus} (gave up after ${tries + throttled} requests)` }, mayHaveApplied);
          return;
        }
        const retryAfter = error instanceof DpsError ? error.retryAfterMs : undefined;
        const delay = retryAfter ?? backoffDelayMs(tries + throttled, this.retry, this.options.random);
        this.options.onRetry?.(isThrottle);
        if (isThrottle) {
          if (this.options.budget) this.options.budget.throttled(delay);
          else this.pacer.pauseUntil(this.clock.now() + delay);
        }
        await this.clock.sleep(delay, signal);
        continue;
      }
      await this.applyResult(batch, result, mayHaveApplied);
      return;
    }
  }

  private send(batch: number[]): Promise<BulkEnrollmentOperationResult | BulkEnrollmentGroupOperationResult> {
    const { client, mode, kind, items } = this.options;
    // The runner owns retries here: each try must pass the pacer and count as a request.
    const once: RequestOptions = { retry: { maxAttempts: 1 } };
    const selected = batch.map((index) => items[index]);
    return runItemBulk(client, kind, mode, selected, once);
  }

  private async applyResult(
    batch: number[],
    result: BulkEnrollmentOperationResult | BulkEnrollmentGroupOperationResult,
    mayHaveApplied: boolean,
  ): Promise<void> {
    const errors = new Map<string, Failure>();
    for (const entry of (result.errors ?? []) as unknown as Record<string, unknown>[]) {
      const id = entry[this.idField];
      if (typeof id !== 'string') continue;
      errors.set(id.toLowerCase(), {
        errorCode: typeof entry.errorCode === 'number' ? entry.errorCode : undefined,
        errorStatus: typeof entry.errorStatus === 'string' ? entry.errorStatus : 'The service reported an error for this item.',
      });
    }
    if (!result.isSuccessful && errors.size === 0) {
      // Unsuccessful without saying which items failed: nothing can be reported done from this answer.
      await this.failBatch(batch, { errorStatus: 'The service reported the bulk request as unsuccessful without per-item errors.' }, true);
      return;
    }
    const uncertain: number[] = [];
    for (const index of batch) {
      const failure = errors.get(this.ids[index].toLowerCase());
      if (failure === undefined) this.succeed(index);
      else if (mayHaveApplied) uncertain.push(index); // e.g. "already exists" because our earlier try created it
      else this.fail(index, failure);
    }
    await Promise.all(uncertain.map((index) => this.reconcile(index, errors.get(this.ids[index].toLowerCase()) as Failure)));
  }

  private async failBatch(batch: number[], failure: Failure, mayHaveApplied: boolean): Promise<void> {
    if (mayHaveApplied) await this.settleUncertain(batch, failure);
    else for (const index of batch) this.fail(index, failure);
  }

  private async settleUncertain(batch: number[], failure: Failure): Promise<void> {
    await Promise.all(batch.map((index) => this.reconcile(index, failure)));
  }

  /**
   * Asks the service whether an earlier try applied the item: present with the content we sent
   * (create/update) or absent (delete) means done; anything else keeps the failure.
   * Verification is not cancelled with the run: it only reads, and it makes the report true.
   */
  private async reconcile(index: number, failure: Failure): Promise<void> {
    const { client, kind, mode, items } = this.options;
    const id = this.ids[index];
    await this.pacer.take();
    this.requests++;
    try {
      const stored: Item = await getItem(client, kind, id);
      if (mode !== 'delete' && containsSent(items[index], stored)) this.succeed(index);
      else this.fail(index, failure);
    } catch (error: unknown) {
      if (error instanceof DpsError && error.status === 404) {
        if (mode === 'delete') this.succeed(index);
        else this.fail(index, failure);
        return;
      }
      this.fail(index, { ...failure, errorStatus: `${failure.errorStatus} Could not confirm the outcome: ${describe(error).errorStatus}` });
    }
  }

  private succeed(index: number): void {
    this.settle(index, { id: this.ids[index], outcome: 'done', attempts: this.attempts[index] });
  }

  private fail(index: number, failure: Failure): void {
    const outcome: BulkItemOutcome = { id: this.ids[index], outcome: 'failed', errorStatus: failure.errorStatus, attempts: this.attempts[index] };
    if (failure.errorCode !== undefined) outcome.errorCode = failure.errorCode;
    this.settle(index, outcome);
  }

  private settle(index: number, outcome: BulkItemOutcome): void {
    const previous = this.outcomes[index];
    if (previous !== undefined && previous.outcome !== 'notSent') this.counts[previous.outcome]--;
    if (outcome.outcome !== 'notSent') this.counts[outcome.outcome]++;
    this.outcomes[index] = outcome;
  }

  /** The given items that have an outcome (a cancelled batch may have none), to onItemsSettled. */
  private reportSettled(indexes: readonly number[]): void {
    if (!this.options.onItemsSettled) return;
    const settled: SettledItem[] = [];
    for (const index of indexes) {
      const outcome = this.outcomes[index];
      if (outcome !== undefined) settled.push({ index, outcome: { ...outcome } });
    }
    if (settled.length === 0) return;
    try {
      this.options.onItemsSettled(settled);
    } catch {
      // As with progress: a failing listener must not break the run.
    }
  }

  private reportProgress(notSent = 0): void {
    if (!this.options.onProgress) return;
    try {
      this.options.onProgress({
        total: this.outcomes.length,
        done: this.counts.done,
        failed: this.counts.failed,
        notSent,
        requests: this.requests,
        batchesSettled: this.batchesSettled,
        batches: this.batches.length,
      });
    } catch {
      // A failing progress callback must not break the run.
    }
  }
}

function describe(error: unknown): Failure {
  if (error instanceof DpsError) {
    const status = error.status !== undefined ? `HTTP ${error.status}: ` : '';
    return { errorCode: error.errorCode, errorStatus: `${status}${error.message}` };
  }
  // Only our own validation errors (RangeError/TypeError) reach here; their messages hold no secret.
  return { errorStatus: error instanceof Error ? error.message : 'Unexpected failure.' };
}

/** True when every field we sent is stored with the same value (server-set and withheld fields aside). */
export function containsSent(sent: unknown, stored: unknown, key = ''): boolean {
  if (Array.isArray(sent)) {
    return Array.isArray(stored) && stored.length === sent.length && sent.every((v, i) => containsSent(v, stored[i]));
  }
  if (typeof sent === 'object' && sent !== null) {
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return false;
    const storedRecord = stored as Record<string, unknown>;
    return Object.entries(sent as Record<string, unknown>).every(([field, value]) => {
      if (SERVER_FIELDS.has(field) && key === '') return true;
      if (value === undefined || value === null) return storedRecord[field] === undefined || storedRecord[field] === null;
      if (WITHHELD_ON_READ.has(field) && storedRecord[field] === undefined) return true;
      return containsSent(value, storedRecord[field], field);
    });
  }
  // Ids are case-insensitive; everything else must be equal.
  if (typeof sent === 'string' && typeof stored === 'string' && (key === 'registrationId' || key === 'enrollmentGroupId')) {
    return sent.toLowerCase() === stored.toLowerCase();
  }
  return Object.is(sent, stored);
}

/** Indexes below `count` missing from the ascending `admissible`: the items refused before sending. */
function refusedIndexes(count: number, admissible: readonly number[]): number[] {
  const refused: number[] = [];
  let next = 0;
  for (let index = 0; index < count; index++) {
    if (admissible[next] === index) next++;
    else refused.push(index);
  }
  return refused;
}

function chunk<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}
