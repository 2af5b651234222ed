// One job as the Jobs view shows it: the dry run, then the run with live counts, throughput against
// the configured rate and each row as it settles, then every item with its outcome. Plain data, no editor: the panel
// sends snapshots of it to the page, and the rows page by page. A job too large to list (a streamed
// import) is "counts only": its totals are given as counts and its rows are the few worth reading.
import { RateSeries, type RateBucket } from './rateSeries';
import { JOB_OUTCOMES, JobRows, type JobRow, type OutcomeCounts } from './jobRows';

export type JobPhase = 'dryRun' | 'running' | 'finished';

export interface JobHeader {
  /** "Create individual enrollments", "Apply prod.dps.json". */
  title: string;
  /** What the items came from and where they go. */
  source: string;
  /** The configured pace, in requests per second (the bulk operations-per-minute setting / 60). */
  quotaPerSecond: number;
}

/** Settled so far while running, as the runner counts them. */
export interface LiveCounts {
  total: number;
  done: number;
  failed: number;
  requests: number;
}

export interface JobSnapshot {
  phase: JobPhase;
  header: JobHeader;
  /** One line per plan or report: the dry run's or the outcome's summary. */
  summary: string[];
  counts: OutcomeCounts;
  /** The counts cover every item but only some are listed (those that need attention, bounded). */
  countsOnly: boolean;
  live: LiveCounts;
  elapsedMs: number;
  cancelled: boolean;
  /** Whether Run may be pressed (a dry run with something to send). */
  canRun: boolean;
  /** Whether Retry Failed has anything to send. */
  retryable: number;
  chart: { bucketMs: number; buckets: RateBucket[] };
}

/** A row whose outcome is final, for the row the dry run listed at `index`. */
export interface SettledJobRow {
  index: number;
  row: JobRow;
}

export interface JobModelOptions {
  header: JobHeader;
  now?: () => number;
  bucketMs?: number;
}

export class JobModel {
  readonly rows = new JobRows();
  readonly header: JobHeader;
  private readonly now: () => number;
  private readonly bucketMs: number;
  private phase: JobPhase = 'dryRun';
  private summary: string[] = [];
  private series: RateSeries;
  private live: LiveCounts = { total: 0, done: 0, failed: 0, requests: 0 };
  private startedMs: number;
  private finishedMs?: number;
  private cancelled = false;
  private retryOffered = true;
  /** Totals given by the caller (counts only); undefined when every item is a row. */
  private totals?: OutcomeCounts;

  constructor(options: JobModelOptions) {
    this.header = options.header;
    this.now = options.now ?? Date.now;
    this.bucketMs = options.bucketMs ?? 1000;
    this.startedMs = this.now();
    this.series = new RateSeries({ startMs: this.startedMs, bucketMs: this.bucketMs });
  }

  get currentPhase(): JobPhase {
    return this.phase;
  }

  /**
   * The dry run: the rows as planned (and the invalid ones), before anything is sent. With `totals`
   * the job is counts only: the rows are some of the items, the totals count them all.
   */
  showDryRun(rows: readonly JobRow[], summary: string[], totals?: OutcomeCounts): void {
    this.phase = 'dryRun';
    this.summary = [...summary];
    this.rows.replace(rows);
    this.totals = checkedTotals(totals, this.rows.counts);
    this.live = { total: this.counts().planned, done: 0, failed: 0, requests: 0 };
    this.cancelled = false;
    this.finishedMs = undefined;
  }

  startRun(): void {
    this.phase = 'running';
    this.startedMs = this.now();
    this.series = new RateSeries({ startMs: this.startedMs, bucketMs: this.bucketMs });
    this.live = { total: this.counts().planned, done: 0, failed: 0, requests: 0 };
  }

  /**
   * The runner's cumulative counts; the requests sent since the last call land in the current
   * bucket. Counts of several runs in one job are added by the caller (see `runOffset`).
   */
  progress(live: LiveCounts): void {
    const sent = live.requests - this.live.requests;
    if (sent > 0) this.series.record('requests', this.now(), sent);
    this.live = { ...live };
  }

  /**
   * Rows whose outcome became final while the job runs: each replaces the planned row at `index`
   * (the dry run's row order), which must be the same item. O(log n) per row; the counts and the
   * failed-first view follow. A counts-only job lists no planned rows to settle.
   */
  settleRows(settled: readonly SettledJobRow[]): void {
    if (this.phase !== 'running') throw new Error(`Rows settle only while the job runs; it is ${this.phase}.`);
    if (this.totals !== undefined) throw new Error('A counts-only job has no listed rows to settle.');
    // All checked before any is applied: a batch that does not belong to the job changes nothing.
    for (const { index, row } of settled) {
      const planned = this.rows.get(index);
      if (planned === undefined) throw new RangeError(`No row ${index}: the job lists ${this.rows.size}.`);
      if (planned.kind !== row.kind || planned.id !== row.id) {
        throw new RangeError(`Row ${index} is ${planned.kind} '${planned.id}', not ${row.kind} '${row.id}'; the settled rows do not belong to this job.`);
      }
    }
    for (const { index, row } of settled) this.rows.set(index, row);
  }

  /** A request sent again: after a 429 (`throttled`) or another transient failure. */
  retried(throttled: boolean): void {
    this.series.record(throttled ? 'throttled' : 'retries', this.now());
  }

  /**
   * `retry: false` when the job cannot send its failed items again (an apply is planned again
   * instead). With `totals` the job is counts only, as in showDryRun.
   */
  finish(rows: readonly JobRow[], summary: string[], cancelled: boolean, retry = true, totals?: OutcomeCounts): void {
    this.phase = 'finished';
    this.retryOffered = retry;
    this.summary = [...summary];
    this.cancelled = cancelled;
    this.rows.replace(rows);
    this.totals = checkedTotals(totals, this.rows.counts);
    this.finishedMs = this.now();
  }

  snapshot(): JobSnapshot {
    const counts = this.counts();
    const nowMs = this.finishedMs ?? this.now();
    return {
      phase: this.phase,
      header: { ...this.header },
      summary: [...this.summary],
      counts,
      countsOnly: this.totals !== undefined,
      live: { ...this.live },
      elapsedMs: this.phase === 'dryRun' ? 0 : nowMs - this.startedMs,
      cancelled: this.cancelled,
      canRun: this.phase === 'dryRun' && counts.planned > 0,
      retryable: this.phase === 'finished' && this.retryOffered ? counts.failed + counts.notSent : 0,
      chart: { bucketMs: this.bucketMs, buckets: this.phase === 'dryRun' ? [] : this.series.buckets(nowMs) },
    };
  }

  private counts(): OutcomeCounts {
    return { ...(this.totals ?? this.rows.counts) };
  }
}

/** Totals that list fewer items of an outcome than there are rows of it would make the view lie. */
function checkedTotals(totals: OutcomeCounts | undefined, listed: Readonly<OutcomeCounts>): OutcomeCounts | undefined {
  if (totals === undefined) return undefined;
  for (const outcome of JOB_OUTCOMES) {
    const total = totals[outcome];
    if (!Number.isInteger(total) || total < listed[outcome]) {
      throw new RangeError(`The job's ${outcome} total (${total}) is below its ${listed[outcome]} listed ${outcome} rows.`);
    }
  }
  return { ...totals };
}
