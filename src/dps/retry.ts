// The retry loop around one operation. Hand-written rather than axios-retry because the rules
// depend on the operation (bulk vs idempotent), every try needs a fresh SAS token and its own
// event, waits must be injectable (fast tests) and abortable, and giving up must produce our own
// typed 'retriesExhausted' error with the attempt count.
import { DpsError } from './errors';
import { isRetryable, maxAttemptsFor, retryDelayMs, type ResolvedRetryOptions, type RetryMode } from './retryPolicy';
import type { Sleep } from './sleep';

export interface RetryContext {
  operation: string;
  mode: RetryMode;
  options: ResolvedRetryOptions;
  sleep: Sleep;
  random?: () => number;
  signal?: AbortSignal;
}

/** Runs `attempt(n)` until it resolves, fails for good, or the attempts run out. `attempt` must reject only with DpsError. */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, context: RetryContext): Promise<T> {
  const { options, signal } = context;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw cancelled(context, n - 1);
    try {
      return await attempt(n);
    } catch (error: unknown) {
      if (!(error instanceof DpsError)) throw error;
      if (!isRetryable(error, context.mode)) throw error.withAttempts(n);
      // With retries switched off (maxAttempts 1) the caller gets the failure itself, not "gave up".
      if (options.maxAttempts === 1) throw error.withAttempts(n);
      if (n >= maxAttemptsFor(error, options)) throw exhausted(error, n, `gave up after ${n} attempts`);
      if (error.retryAfterMs !== undefined && error.retryAfterMs > options.maxDelayMs) {
        // Waiting longer than the caller allows would look like a hang: report the wait instead.
        throw exhausted(error, n, `the service asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s`);
      }
      await context.sleep(retryDelayMs(error, n, options, context.random), signal);
    }
  }
}

function exhausted(last: DpsError, attempts: number, reason: string): DpsError {
  return new DpsError({
    ...last.toInit(),
    kind: 'retriesExhausted',
    lastKind: last.kind,
    attempts,
    message: `${last.message.replace(/\.$/, '')} (${reason}).`,
  });
}

function cancelled(context: RetryContext, attempts: number): DpsError {
  return new DpsError({ kind: 'aborted', operation: context.operation, attempts, message: `${context.operation} was cancelled.` });
}
