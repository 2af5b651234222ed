// The instance budget: reads and writes of one job share one pacer, and a 429 whose Retry-After is
// far beyond the client's 30 s retry cap is waited out (on a virtual clock), shown, and cancellable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InstanceBudget } from '../../../src/dps/budget';
import { runBulk } from '../../../src/dps/bulk';
import { describeThrottle } from '../../../src/bulk';
import { FakeBulkService, VirtualClock, enrollments, httpError } from '../../support/dpsFakes';

void describe('InstanceBudget.read', () => {
  void test('a 429 with a 90 s Retry-After is waited out, announced, and the read then succeeds', async () => {
    const clock = new VirtualClock();
    const budget = new InstanceBudget({ operationsPerMinute: 1000, clock });
    const waits: number[] = [];
    budget.onThrottle((ms) => waits.push(ms));
    let calls = 0;
    const value = await budget.read(() => {
      calls++;
      return calls === 1 ? Promise.reject(httpError(429, { retryAfterMs: 90_000 })) : Promise.resolve('page');
    });
    assert.equal(value, 'page');
    assert.equal(calls, 2);
    assert.deepEqual(waits, [90_000]);
    assert.ok(clock.now() >= 90_000, `waited ${clock.now()} ms`);
    assert.equal(describeThrottle(waits[0]), 'Throttled by the service: waiting 90 s…');
  });

  void test('the client is asked for one try: the budget owns retries and pacing', async () => {
    const budget = new InstanceBudget({ clock: new VirtualClock() });
    let seen: unknown;
    await budget.read((options) => {
      seen = options.retry;
      return Promise.resolve(1);
    });
    assert.deepEqual(seen, { maxAttempts: 1 });
  });

  void test('cancelling during the wait ends it at once with an aborted error', async () => {
    const clock = new VirtualClock();
    const budget = new InstanceBudget({ clock });
    const controller = new AbortController();
    budget.onThrottle(() => setImmediate(() => controller.abort()));
    await assert.rejects(
      budget.read(() => Promise.reject(httpError(429, { retryAfterMs: 90_000 })), controller.signal),
      (e: unknown) => e instanceof Error && /cancelled/.test(e.message),
    );
    assert.ok(clock.now() < 90_000, 'did not wait the whole 90 s');
  });

  void test('a 429 on a read holds off the bulk writes that share the budget', async () => {
    const clock = new VirtualClock();
    const budget = new InstanceBudget({ operationsPerMinute: 600_000, clock });
    const service = new FakeBulkService(clock, { latencyMs: 1 });
    budget.throttled(90_000); // a read was told to wait 90 s
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(5), budget });
    assert.equal(report.counts.done, 5);
    assert.ok(service.calls[0].at >= 90_000, `first write at ${service.calls[0].at}`);
  });
});

void describe('runBulk under a budget', () => {
  void test('a bulk request answered 429 with a 90 s Retry-After is waited out and shown, not failed', async () => {
    const clock = new VirtualClock();
    const budget = new InstanceBudget({ operationsPerMinute: 1000, clock });
    const waits: number[] = [];
    budget.onThrottle((ms) => waits.push(ms));
    const service = new FakeBulkService(clock, { faultFor: (n) => (n === 0 ? { when: 'before', error: httpError(429, { retryAfterMs: 90_000 }) } : undefined) });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(10), budget });
    assert.deepEqual(report.counts, { done: 10, failed: 0, notSent: 0 });
    assert.deepEqual(waits, [90_000]);
    assert.ok(service.calls[1].at >= 90_000);
  });
});
