// Pure retry rules: what may be retried, and how long to wait. Kept free of I/O so the timing
// can be unit-tested exactly (Retry-After forms, jitter bounds, the cap).
import { DpsError } from './errors';

export interface RetryOptions {
  /** Total tries including the first. Default 5; 1 disables retries. */
  maxAttempts?: number;
  /** Ceiling of the first back-off; doubles per attempt. Default 500 ms. */
  baseDelayMs?: number;
  /** No single wait is longer than this; a Retry-After beyond it ends the retries. Default 30 s. */
  maxDelayMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetryOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * How an operation may be retried.
 * - `idempotent`: GET, unconditional PUT, DELETE, query POST, attestation POST. Repeating them
 *   yields the same state, so every transient failure (429, 408, 5xx, reset, timeout) is retried.
 * - `ifNotProcessed`: bulk POST and conditional PUT (If-Match). Repeating a bulk `create` that WAS
 *   applied turns its successes into "already exists" errors, and repeating an applied If-Match PUT
 *   fails with 412 because the ETag moved on. So only failures that prove the request was not
 *   processed are retried: 429 (throttled before processing), 503 (explicit "not processed") and
 *   ECONNREFUSED (never connected). Ambiguous failures (reset, timeout, 500/502/504) surface to
 *   the caller; the bulk runner retries those itself and reconciles the items with GETs.
 */
export type RetryMode = 'idempotent' | 'ifNotProcessed';

export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const resolved = { ...DEFAULT_RETRY, ...stripUndefined(options ?? {}) };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1 || resolved.maxAttempts > 100) {
    throw new RangeError('retry.maxAttempts must be an integer from 1 to 100.');
  }
  if (!(resolved.baseDelayMs >= 0) || !Number.isFinite(resolved.baseDelayMs)) {
    throw new RangeError('retry.baseDelayMs must be a non-negative number of milliseconds.');
  }
  if (!(resolved.maxDelayMs >= resolved.baseDelayMs) || !Number.isFinite(resolved.maxDelayMs)) {
    throw new RangeError('retry.maxDelayMs must be a number of milliseconds not below retry.baseDelayMs.');
  }
  return resolved;
}

/** Retry-After as milliseconds from `nowMs`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only accept something that looks like a date; Date.parse is lenient with bare numbers and words.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Exponential back-off with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * a uniform wait in [0, min(maxDelay, base * 2^(failedAttempts-1))). Full jitter spreads clients that
 * failed together, which matters when the failure was a shared quota.
 */
export function backoffDelayMs(
  failedAttempts: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random() * ceiling);
}

export function isRetryable(error: DpsError, mode: RetryMode): boolean {
  if (error.kind === 'aborted' || error.kind === 'retriesExhausted') return false;
  if (mode === 'idempotent') return error.isTransient;
  return provesNotProcessed(error);
}

/**
 * Failures that another four tries would not cure within a command's patience: nothing listens
 * (refused), the name does not resolve (DNS), or a request timed out (each try already waited the
 * whole timeout). They get one quick second try at most, so the person hears why at once.
 */
const FAIL_FAST_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
export const FAIL_FAST_MAX_ATTEMPTS = 2;

/** Total tries allowed for a failure of this kind (the options' bound, or less for fail-fast failures). */
export function maxAttemptsFor(error: DpsError, options: ResolvedRetryOptions): number {
  const failFast = error.kind === 'timeout' || (error.kind === 'network' && error.causeCode !== undefined && FAIL_FAST_CODES.has(error.causeCode));
  return failFast ? Math.min(options.maxAttempts, FAIL_FAST_MAX_ATTEMPTS) : options.maxAttempts;
}

/** True when the failure shows the service did not act on the request. */
export function provesNotProcessed(error: DpsError): boolean {
  const kind = error.kind === 'retriesExhausted' ? error.lastKind : error.kind;
  if (kind === 'http') return error.status === 429 || error.status === 503;
  if (kind === 'network') return error.causeCode === 'ECONNREFUSED';
  return false;
}

/** The wait before the next try: the service's Retry-After when it gave one, else jittered back-off. */
export function retryDelayMs(
  error: DpsError,
  failedAttempts: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  return error.retryAfterMs ?? backoffDelayMs(failedAttempts, options, random);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
