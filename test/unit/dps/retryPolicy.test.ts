import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsError } from '../../../src/dps/errors';
import {
  DEFAULT_RETRY,
  backoffDelayMs,
  isRetryable,
  parseRetryAfter,
  resolveRetryOptions,
  retryDelayMs,
} from '../../../src/dps/retryPolicy';

const http = (status: number, retryAfterMs?: number): DpsError =>
  new DpsError({ kind: 'http', operation: 'op', message: 'm', status, retryAfterMs });
const net = (code: string): DpsError => new DpsError({ kind: 'network', operation: 'op', message: 'm', causeCode: code });

void describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  void test('delay-seconds', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
  });
  void test('HTTP date, relative to now, never negative', () => {
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 12:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter(new Date(now - 5000).toUTCString(), now), 0);
  });
  void test('absent or unreadable', () => {
    for (const value of [undefined, '', 'soon', '-5', '5s', 'Thu, 99 Foo']) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });
});

void describe('backoffDelayMs (full jitter)', () => {
  const options = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  void test('the ceiling doubles per failed attempt and is capped', () => {
    const top = (n: number): number => backoffDelayMs(n, options, () => 0.999999);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(top), [99, 199, 399, 799, 999, 999]);
  });
  void test('uniform in [0, ceiling): random 0 gives 0, random 0.5 gives half', () => {
    assert.equal(backoffDelayMs(3, options, () => 0), 0);
    assert.equal(backoffDelayMs(3, options, () => 0.5), 200);
  });
  void test('with Math.random stays within bounds', () => {
    for (let n = 1; n <= 8; n++) {
      for (let i = 0; i < 200; i++) {
        const d = backoffDelayMs(n, options);
        assert.ok(d >= 0 && d < Math.min(1000, 100 * 2 ** (n - 1)), `attempt ${n}: ${d}`);
      }
    }
  });
  void test('Retry-After wins over back-off', () => {
    assert.equal(retryDelayMs(http(429, 4000), 1, options, () => 0.5), 4000);
    assert.equal(retryDelayMs(http(429), 1, options, () => 0.5), 50);
  });
});

void describe('isRetryable', () => {
  void test('idempotent operations retry every transient failure', () => {
    for (const e of [http(429), http(500), http(502), http(503), http(504), net('ECONNRESET'), net('ECONNREFUSED'), new DpsError({ kind: 'timeout', operation: 'o', message: 'm' })]) {
      assert.equal(isRetryable(e, 'idempotent'), true, `${e.status ?? e.causeCode ?? e.kind}`);
    }
    for (const e of [http(400), http(401), http(404), http(409), http(412), net('ENOTFOUND'), new DpsError({ kind: 'tls', operation: 'o', message: 'm' }), new DpsError({ kind: 'aborted', operation: 'o', message: 'm' })]) {
      assert.equal(isRetryable(e, 'idempotent'), false, `${e.status ?? e.causeCode ?? e.kind}`);
    }
  });
  void test('bulk and conditional writes retry only what proves the request was not processed', () => {
    assert.deepEqual(
      [http(429), http(503), net('ECONNREFUSED'), http(500), http(502), http(504), net('ECONNRESET'), new DpsError({ kind: 'timeout', operation: 'o', message: 'm' })].map((e) => isRetryable(e, 'ifNotProcessed')),
      [true, true, true, false, false, false, false, false],
    );
  });
});

void test('resolveRetryOptions fills defaults and refuses nonsense', () => {
  assert.deepEqual(resolveRetryOptions(undefined), DEFAULT_RETRY);
  assert.deepEqual(resolveRetryOptions({ maxAttempts: 2, baseDelayMs: undefined }), { ...DEFAULT_RETRY, maxAttempts: 2 });
  assert.throws(() => resolveRetryOptions({ maxAttempts: 0 }), /maxAttempts/);
  assert.throws(() => resolveRetryOptions({ baseDelayMs: -1 }), /baseDelayMs/);
  assert.throws(() => resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 10 }), /maxDelayMs/);
});
