// Operations-per-minute quota as a sliding 60 s window over admitted operations. The clock is
// injected so tests do not wait.
export interface QuotaDecision {
  allowed: boolean;
  /** Whole seconds until an operation would be admitted (only when refused). */
  retryAfterSeconds?: number;
}

const WINDOW_MS = 60_000;

export class SlidingWindowQuota {
  private readonly admitted: number[] = [];
  private head = 0;

  constructor(
    readonly operationsPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(operationsPerMinute) || operationsPerMinute < 1) {
      throw new RangeError(`operationsPerMinute must be a positive integer, got ${operationsPerMinute}.`);
    }
  }

  tryAcquire(): QuotaDecision {
    const t = this.now();
    while (this.head < this.admitted.length && (this.admitted[this.head]) <= t - WINDOW_MS) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.admitted.length) {
      this.admitted.splice(0, this.head);
      this.head = 0;
    }
    if (this.admitted.length - this.head < this.operationsPerMinute) {
      this.admitted.push(t);
      return { allowed: true };
    }
    const oldest = this.admitted[this.head];
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - t) / 1000)) };
  }
}
