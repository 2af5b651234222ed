// Requests, retries and 429s of a running job in time buckets, for the throughput chart. Only the
// latest buckets are kept (a ring), so recording is O(1) and memory stays flat however long a job runs.

export type RateEvent = 'requests' | 'retries' | 'throttled';

export interface RateBucket {
  /** Start of the bucket, in ms since the series started. */
  atMs: number;
  requests: number;
  retries: number;
  throttled: number;
}

export interface RateSeriesOptions {
  startMs: number;
  /** Width of a bucket; default 1 s. */
  bucketMs?: number;
  /** Buckets kept; default 300 (5 minutes at 1 s). */
  keep?: number;
}

export class RateSeries {
  readonly bucketMs: number;
  readonly keep: number;
  private readonly startMs: number;
  private readonly requests: Float64Array;
  private readonly retries: Float64Array;
  private readonly throttled: Float64Array;
  /** Index (since the start) of the newest bucket touched; -1 before any event. */
  private newest = -1;

  constructor(options: RateSeriesOptions) {
    this.startMs = options.startMs;
    this.bucketMs = options.bucketMs ?? 1000;
    this.keep = options.keep ?? 300;
    if (!(this.bucketMs > 0) || !Number.isInteger(this.keep) || this.keep < 1) throw new RangeError('A rate series needs a positive bucket width and bucket count.');
    this.requests = new Float64Array(this.keep);
    this.retries = new Float64Array(this.keep);
    this.throttled = new Float64Array(this.keep);
  }

  record(event: RateEvent, atMs: number, count = 1): void {
    const index = this.advanceTo(atMs);
    if (index < 0) return; // older than what is kept
    this[event][index % this.keep] += count;
  }

  /** The kept buckets from the oldest to the one holding `nowMs`, with empty ones included. */
  buckets(nowMs: number): RateBucket[] {
    this.advanceTo(nowMs);
    const first = Math.max(0, this.newest - this.keep + 1);
    const out: RateBucket[] = [];
    for (let i = first; i <= this.newest; i++) {
      const slot = i % this.keep;
      out.push({ atMs: i * this.bucketMs, requests: this.requests[slot], retries: this.retries[slot], throttled: this.throttled[slot] });
    }
    return out;
  }

  /** Moves the newest bucket forward to `atMs`, clearing the slots it reuses; returns atMs's bucket or -1 when dropped. */
  private advanceTo(atMs: number): number {
    const index = Math.max(0, Math.floor((atMs - this.startMs) / this.bucketMs));
    if (index > this.newest) {
      // Clear at most one ring's worth: older gaps are overwritten anyway.
      for (let i = Math.max(this.newest + 1, index - this.keep + 1); i <= index; i++) {
        const slot = i % this.keep;
        this.requests[slot] = 0;
        this.retries[slot] = 0;
        this.throttled[slot] = 0;
      }
      this.newest = index;
    }
    return index > this.newest - this.keep ? index : -1;
  }
}
