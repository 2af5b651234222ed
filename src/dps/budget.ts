// One pacing budget for everything a job does against one instance: bulk writes, dry-run reads,
// exports and key reads all take their slots from the same Pacer, because DPS counts all of them
// against one quota (about 1,000 operations per minute). A 429 is waited out however long its
// Retry-After (the client's own retries give up beyond 30 s), the wait is announced so the UI can
// show it, and every wait ends at once when the job is cancelled.
import type { RequestOptions } from './api';
import { DpsError } from './errors';
import { Pacer, realClock, type Clock } from './pacer';
import { backoffDelayMs, isRetryable, maxAttemptsFor, resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retryPolicy';

export interface BudgetOptions {
  /** Default 1000, the service's documented quota. */
  operationsPerMinute?: number;
  /** Default 1 (no burst); see Pacer. */
  burst?: number;
  clock?: Clock;
  random?: () => number;
  /** Tries per read for transient failures other than 429 (those get 4x as many). */
  retry?: RetryOptions;
}

/** How many 429s one operation may meet, as a multiple of its retry budget. */
export const THROTTLE_BUDGET_FACTOR = 4;

export class InstanceBudget {
  readonly pacer: Pacer;
  readonly clock: Clock;
  private readonly retry: ResolvedRetryOptions;
  private readonly random: () => number;
  private readonly listeners = new Set<(waitMs: number) => void>();

  constructor(options: BudgetOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.pacer = new Pacer(options.operationsPerMinute ?? 1000, this.clock, options.burst);
    this.retry = resolveRetryOptions(options.retry);
    this.random = options.random ?? Math.random;
  }

  /** Hears every 429 wait of anyone using the budget (for "Throttled by the service: waiting 59 s…"). */
  onThrottle(listener: (waitMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The service said "wait": every user of the budget holds off, and the wait is announced. */
  throttled(waitMs: number): void {
    this.pacer.pauseUntil(this.clock.now() + waitMs);
    for (const listener of this.listeners) {
      try {
        listener(waitMs);
      } catch {
        // A failing progress display must not fail the job.
      }
    }
  }

  /**
   * One idempotent read (query page, GET, attestation mechanism) under the budget: each try takes a
   * slot, and the client is asked for a single try so the budget alone decides on retries.
   */
  async read<T>(call: (options: RequestOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let tries = 0;
    let throttles = 0;
    for (;;) {
      if (!(await this.pacer.take(signal))) throw aborted();
      try {
        return await call({ signal, retry: { maxAttempts: 1 } });
      } catch (error: unknown) {
        if (!(error instanceof DpsError) || !isRetryable(error, 'idempotent')) throw error;
        const throttle = error.status === 429;
        if (throttle) throttles++;
        else tries++;
        if (tries >= maxAttemptsFor(error, this.retry) || throttles >= this.retry.maxAttempts * THROTTLE_BUDGET_FACTOR) throw error;
        const delay = error.retryAfterMs ?? backoffDelayMs(tries + throttles, this.retry, this.random);
        if (throttle) this.throttled(delay);
        await this.clock.sleep(delay, signal);
        if (signal?.aborted) throw aborted();
      }
    }
  }
}

function aborted(): DpsError {
  return new DpsError({ kind: 'aborted', operation: 'read', message: 'The job was cancelled.' });
}
