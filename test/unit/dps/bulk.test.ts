import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containsSent, runBulk, type BulkProgress, type SettledItem } from '../../../src/dps/bulk';
import { FakeBulkService, VirtualClock, enrollments, httpError, networkError, timeoutError } from '../../support/dpsFakes';
import type { EnrollmentGroup } from '../../../src/dps/models';

const noJitter = (): number => 0.5;

function setup(behaviour: ConstructorParameters<typeof FakeBulkService>[1] = {}) {
  const clock = new VirtualClock();
  const service = new FakeBulkService(clock, behaviour);
  return { clock, service };
}

void describe('runBulk splitting', () => {
  void test('25 items go out as 10, 10 and 5, all confirmed done', async () => {
    const { clock, service } = setup();
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(25), clock, random: noJitter });
    assert.deepEqual(service.calls.map((c) => c.ids.length).sort((a, b) => b - a), [10, 10, 5]);
    assert.equal(report.requests, 3);
    assert.deepEqual(report.counts, { done: 25, failed: 0, notSent: 0 });
    assert.equal(service.store.size, 25);
    // Every item went out exactly once, in some request.
    assert.deepEqual(service.calls.flatMap((c) => c.ids).sort(), enrollments(25).map((e) => e.registrationId).sort());
    assert.ok(report.items.every((i) => i.attempts === 1));
  });

  void test('11 items make two requests (10 and 1); batchSize above 10 is refused', async () => {
    const { clock, service } = setup();
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(11), clock });
    assert.deepEqual(service.calls.map((c) => c.ids.length).sort((a, b) => a - b), [1, 10]);
    assert.equal(report.counts.done, 11);
    await assert.rejects(
      runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(1), batchSize: 11, clock }),
      /batchSize must be an integer from 1 to 10/,
    );
  });

  void test('the client is asked for one try per request: the runner owns retries and pacing', async () => {
    const { clock, service } = setup();
    await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(3), clock });
    assert.deepEqual(service.requestOptions[0]?.retry, { maxAttempts: 1 });
  });

  void test('enrollment groups use the group operation and ids', async () => {
    const { clock, service } = setup();
    const groups: EnrollmentGroup[] = ['g1', 'g2'].map((id) => ({ enrollmentGroupId: id, attestation: { type: 'symmetricKey' } }));
    const report = await runBulk({ client: service, kind: 'group', mode: 'update', items: groups, clock });
    assert.deepEqual(report.items.map((i) => [i.id, i.outcome]), [['g1', 'done'], ['g2', 'done']]);
  });
});

void describe('runBulk input checks', () => {
  void test('later duplicates (case-insensitive) fail without being sent; the first is sent', async () => {
    const { clock, service } = setup();
    const items = enrollments(3);
    items.push({ ...items[1], registrationId: items[1].registrationId.toUpperCase() }, { ...items[0] });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items, clock });
    assert.deepEqual(report.items.map((i) => i.outcome), ['done', 'done', 'done', 'failed', 'failed']);
    assert.match(report.items[3].errorStatus ?? '', /Duplicate registrationId 'DEV-001' \(same as item 2\)/);
    assert.equal(report.items[4].attempts, 0);
    assert.equal(service.calls.flatMap((c) => c.ids).length, 3);
  });

  void test('bad options are refused before anything is sent', async () => {
    const { clock, service } = setup();
    const base = { client: service, kind: 'enrollment' as const, mode: 'create' as const, items: enrollments(1), clock };
    await assert.rejects(runBulk({ ...base, mode: 'upsert' as never }), /mode must be one of create, update, updateIfMatchETag, delete/);
    await assert.rejects(runBulk({ ...base, kind: 'devices' as never }), /kind must be/);
    await assert.rejects(runBulk({ ...base, concurrency: 0 }), /concurrency must be an integer/);
    await assert.rejects(runBulk({ ...base, operationsPerMinute: 0 }), /operationsPerMinute must be a positive number/);
    assert.equal(service.calls.length, 0);
  });

  void test('an item without an id fails without being sent', async () => {
    const { clock, service } = setup();
    const items = [...enrollments(1), { attestation: { type: 'none' } } as unknown as ReturnType<typeof enrollments>[number]];
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items, clock });
    assert.equal(report.items[1].outcome, 'failed');
    assert.match(report.items[1].errorStatus ?? '', /has no registrationId/);
    assert.deepEqual(report.counts, { done: 1, failed: 1, notSent: 0 });
  });
});

void describe('runBulk results', () => {
  void test("per-item errors fail exactly those items with the service's code and status", async () => {
    const { clock, service } = setup({ itemError: (id) => (id === 'dev-004' ? { errorCode: 400207, errorStatus: 'Invalid attestation.' } : undefined) });
    const items = enrollments(12);
    service.store.set('dev-010', { ...items[10] }); // exists already: create reports a conflict
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items, clock });
    const failed = report.items.filter((i) => i.outcome === 'failed');
    assert.deepEqual(failed.map((f) => [f.id, f.errorCode, f.errorStatus]), [
      ['dev-004', 400207, 'Invalid attestation.'],
      ['dev-010', 409201, 'Enrollment already exists.'],
    ]);
    assert.deepEqual(report.counts, { done: 10, failed: 2, notSent: 0 });
    assert.equal(service.gets.length, 0, 'no verification without an ambiguous failure');
  });

  void test('a request-level 4xx fails every item of that batch with the reason, other batches continue', async () => {
    const { clock, service } = setup({
      faultFor: (_n, ids) => (ids.includes('dev-000') ? { when: 'before', error: httpError(401, { errorCode: 401002, message: 'Unauthorized' }) } : undefined),
    });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(15), clock, concurrency: 1 });
    const first = report.items.slice(0, 10);
    assert.ok(first.every((i) => i.outcome === 'failed' && i.errorCode === 401002 && i.errorStatus === 'HTTP 401: Unauthorized'));
    assert.ok(report.items.slice(10).every((i) => i.outcome === 'done'));
    assert.equal(report.requests, 2, '4xx is not retried');
  });

  void test('429 with Retry-After then success: waits as told, retries, all done', async () => {
    const { clock, service } = setup({ faultFor: (n) => (n === 0 ? { when: 'before', error: httpError(429, { retryAfterMs: 7000 }) } : undefined) });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(10), clock });
    assert.equal(service.calls.length, 2);
    assert.ok(service.calls[1].at - service.calls[0].at >= 7000, `retried after ${service.calls[1].at - service.calls[0].at} ms`);
    assert.deepEqual(report.counts, { done: 10, failed: 0, notSent: 0 });
    assert.ok(report.items.every((i) => i.attempts === 2));
  });

  void test('transient 503 and ECONNREFUSED are retried without verification (not processed)', async () => {
    const { clock, service } = setup({
      faultFor: (n) => (n === 0 ? { when: 'before', error: httpError(503) } : n === 1 ? { when: 'before', error: networkError('ECONNREFUSED') } : undefined),
    });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(4), clock, random: noJitter });
    assert.equal(service.calls.length, 3);
    assert.equal(report.counts.done, 4);
    assert.equal(service.gets.length, 0);
  });

  void test('onRetry hears each resend, telling 429s from other transient failures', async () => {
    const { clock, service } = setup({
      faultFor: (n) => (n === 0 ? { when: 'before', error: httpError(429, { retryAfterMs: 1000 }) } : n === 1 ? { when: 'before', error: httpError(503) } : undefined),
    });
    const heard: boolean[] = [];
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(3), clock, random: noJitter, onRetry: (throttled) => heard.push(throttled) });
    assert.deepEqual(heard, [true, false]);
    assert.equal(service.calls.length, 3);
    assert.equal(report.counts.done, 3);
  });

  void test('gives up after the retry budget and reports the last failure', async () => {
    const { clock, service } = setup({ faultFor: () => ({ when: 'before', error: httpError(503) }) });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(3), clock, retry: { maxAttempts: 3, baseDelayMs: 100 } });
    assert.equal(service.calls.length, 3);
    assert.ok(report.items.every((i) => i.outcome === 'failed' && /gave up after 3 requests/.test(i.errorStatus ?? '')));
  });
});

void describe('runBulk reconciliation after an ambiguous failure', () => {
  void test('a reset after the batch was applied: the retry sees "already exists", GET confirms, items are done', async () => {
    const { clock, service } = setup({ faultFor: (n) => (n === 0 ? { when: 'after', error: networkError('ECONNRESET') } : undefined) });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(5), clock, random: noJitter });
    assert.deepEqual(report.counts, { done: 5, failed: 0, notSent: 0 });
    assert.equal(service.calls.length, 2);
    assert.deepEqual(service.gets.sort(), enrollments(5).map((e) => e.registrationId));
    assert.equal(report.requests, 2 + 5, 'verification GETs count as operations');
  });

  void test('after a timeout, an item created by someone else with other content stays failed', async () => {
    const { clock, service } = setup({ faultFor: (n) => (n === 0 ? { when: 'before', error: timeoutError() } : undefined) });
    const items = enrollments(3);
    service.store.set('dev-001', { ...items[1], provisioningStatus: 'disabled', etag: '"x"' });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items, clock, random: noJitter });
    assert.deepEqual(report.items.map((i) => i.outcome), ['done', 'failed', 'done']);
    assert.equal(report.items[1].errorCode, 409201);
  });

  void test('delete after a 500 that was applied: "not found" on retry is confirmed by a 404 GET', async () => {
    const { clock, service } = setup({ faultFor: (n) => (n === 0 ? { when: 'after', error: httpError(500) } : undefined) });
    const items = enrollments(4);
    for (const item of items) service.store.set(item.registrationId, item);
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'delete', items, clock, random: noJitter });
    assert.deepEqual(report.counts, { done: 4, failed: 0, notSent: 0 });
    assert.equal(service.store.size, 0);
  });

  void test('nothing is reported done when the stored copy does not match what was sent', async () => {
    const { clock, service } = setup({
      faultFor: (n) => (n === 0 ? { when: 'after', error: networkError('ECONNRESET') } : undefined),
      mutateStored: (item) => ({ ...item, provisioningStatus: 'disabled' }),
    });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(2), clock, random: noJitter });
    assert.deepEqual(report.counts, { done: 0, failed: 2, notSent: 0 });
  });
});

void describe('runBulk cancellation and pacing', () => {
  void test('cancel mid-run: in-flight batches settle, the rest is notSent, exact split', async () => {
    const { clock, service } = setup({ latencyMs: 100 });
    const controller = new AbortController();
    const progress: BulkProgress[] = [];
    const report = await runBulk({
      client: service,
      kind: 'enrollment',
      mode: 'create',
      items: enrollments(100),
      clock,
      concurrency: 2,
      operationsPerMinute: 60_000,
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        // Abort once three batches have settled; the fourth is in flight at that moment.
        if (p.batchesSettled === 3) controller.abort();
      },
    });
    assert.equal(report.cancelled, true);
    assert.deepEqual(report.counts, { done: 40, failed: 0, notSent: 60 });
    assert.equal(service.store.size, 40, 'exactly the reported items exist');
    for (const item of report.items) assert.equal(item.outcome === 'done', service.store.has(item.id));
    assert.ok(report.items.filter((i) => i.outcome === 'notSent').every((i) => i.attempts === 0));
    assert.equal(progress.at(-1)?.notSent, 60);
  });

  void test('a cancelled wait before a retry after a reset verifies instead of guessing', async () => {
    const controller = new AbortController();
    const { clock, service } = setup({
      faultFor: (n) => {
        if (n === 0) {
          controller.abort(); // the user cancels while the first request is in flight
          return { when: 'after', error: networkError('ECONNRESET') };
        }
        return undefined;
      },
    });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(3), clock, signal: controller.signal });
    assert.equal(service.calls.length, 1);
    assert.deepEqual(report.counts, { done: 3, failed: 0, notSent: 0 });
  });

  void test('requests start no closer together than the pacing budget allows, across workers', async () => {
    const { clock, service } = setup({ latencyMs: 5 });
    const report = await runBulk({
      client: service,
      kind: 'enrollment',
      mode: 'create',
      items: enrollments(60),
      clock,
      concurrency: 4,
      operationsPerMinute: 120, // one request every 500 ms
    });
    const starts = service.calls.map((c) => c.at).sort((a, b) => a - b);
    assert.equal(starts.length, 6);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 500, `gap ${starts[i] - starts[i - 1]} ms`);
    assert.ok(starts[5] - starts[0] < 2600, 'and not much slower than the budget');
    assert.ok(report.elapsedMs >= 2500);
  });

  void test('a burst allowance lets that many requests start at once, then paces at the budget', async () => {
    const { clock, service } = setup({ latencyMs: 5 });
    await runBulk({
      client: service, kind: 'enrollment', mode: 'create', items: enrollments(100), clock,
      concurrency: 4, operationsPerMinute: 120, burst: 6, // one request every 500 ms after 6 at once
    });
    const starts = service.calls.map((c) => c.at - service.calls[0].at).sort((a, b) => a - b);
    assert.equal(starts.length, 10);
    assert.ok(starts[5] < 50, `the first 6 start together (6th at ${starts[5]} ms)`);
    for (let i = 7; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 500, `then ${starts[i] - starts[i - 1]} ms apart`);
    await assert.rejects(
      runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(1), clock, operationsPerMinute: 10, burst: 11 }),
      /burst must be an integer from 1 to operationsPerMinute/,
    );
  });

  void test('a 429 pauses all workers, not only the throttled one', async () => {
    const { clock, service } = setup({ latencyMs: 5, faultFor: (n) => (n === 0 ? { when: 'before', error: httpError(429, { retryAfterMs: 10_000 }) } : undefined) });
    const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items: enrollments(80), clock, concurrency: 4, operationsPerMinute: 60_000 });
    assert.equal(report.counts.done, 80);
    const throttledAt = service.calls[0].at;
    const startedDuringPause = service.calls.slice(1).filter((c) => c.at > throttledAt + 5 && c.at < throttledAt + 10_000);
    assert.deepEqual(startedDuringPause, []);
  });
});

void describe('containsSent', () => {
  void test('ignores server fields and withheld keys, compares everything sent', () => {
    const sent = { registrationId: 'Dev-1', etag: 'old', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'k' } }, iotHubs: ['a'] };
    const stored = { registrationId: 'dev-1', etag: 'new', createdDateTimeUtc: 'x', attestation: { type: 'symmetricKey', symmetricKey: {} }, iotHubs: ['a'], extra: 1 };
    assert.equal(containsSent(sent, stored), true);
    assert.equal(containsSent(sent, { ...stored, iotHubs: ['a', 'b'] }), false);
    assert.equal(containsSent(sent, { ...stored, attestation: { type: 'x509' } }), false);
    assert.equal(containsSent({ ...sent, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'k' } } }, { ...stored, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'other' } } }), false);
  });
});

void describe('runBulk progress is linear', () => {
  void test('one progress call per batch plus one at the end, and each item of the input read a bounded number of times', async () => {
    for (const count of [1_000, 4_000]) {
      const clock = new VirtualClock();
      const service = new FakeBulkService(clock, { latencyMs: 1 });
      const source = enrollments(count);
      let reads = 0;
      // Counts index reads of the input: a runner that re-scanned per batch would read O(N²) times.
      const items = new Proxy(source, {
        get(target, property, receiver) {
          if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      const progress: BulkProgress[] = [];
      const report = await runBulk({ client: service, kind: 'enrollment', mode: 'create', items, operationsPerMinute: 1e9, clock, onProgress: (p) => progress.push(p) });
      assert.equal(report.counts.done, count);
      assert.equal(progress.length, count / 10 + 1);
      assert.ok(reads <= 3 * count, `${reads} reads of ${count} items`);
      // The running counts agree with a recount of the outcomes at every step's end.
      assert.deepEqual([progress.at(-1)?.done, progress.at(-1)?.failed], [count, 0]);
      assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done));
    }
  });
});

void describe('runBulk onItemsSettled', () => {
  void test('each batch is heard once its items are final, before the next batch is sent; together they are the report', async () => {
    const { clock, service } = setup({ itemError: (id) => (id === 'dev-007' ? { errorCode: 400004, errorStatus: 'Invalid attestation.' } : undefined) });
    const heard: Array<{ settled: SettledItem[]; requestsSent: number }> = [];
    const report = await runBulk({
      client: service, kind: 'enrollment', mode: 'create', items: enrollments(25), clock, concurrency: 1,
      onItemsSettled: (settled) => heard.push({ settled, requestsSent: service.calls.length }),
    });
    assert.deepEqual(heard.map((h) => h.settled.length), [10, 10, 5]);
    // The failure is known while 15 items are still to be sent.
    assert.equal(heard[0].requestsSent, 1);
    const failed = heard[0].settled.find((s) => s.outcome.outcome === 'failed');
    assert.deepEqual(failed, { index: 7, outcome: { id: 'dev-007', outcome: 'failed', errorCode: 400004, errorStatus: 'Invalid attestation.', attempts: 1 } });
    const all = heard.flatMap((h) => h.settled).sort((a, b) => a.index - b.index);
    assert.deepEqual(all.map((s) => s.index), report.items.map((_, i) => i), 'every item heard exactly once');
    assert.deepEqual(all.map((s) => s.outcome), report.items);
  });

  void test('items refused before sending (no id, a repeated id) are heard first, before any request', async () => {
    const { clock, service } = setup();
    const items = enrollments(3);
    items.push({ ...items[0] }, { attestation: { type: 'none' } } as unknown as (typeof items)[number]);
    const heard: Array<{ indexes: number[]; requestsSent: number }> = [];
    const report = await runBulk({
      client: service, kind: 'enrollment', mode: 'create', items, clock,
      onItemsSettled: (settled) => heard.push({ indexes: settled.map((s) => s.index), requestsSent: service.calls.length }),
    });
    assert.deepEqual(heard[0], { indexes: [3, 4], requestsSent: 0 });
    assert.deepEqual(heard.slice(1).flatMap((h) => h.indexes).sort(), [0, 1, 2]);
    assert.deepEqual(report.counts, { done: 3, failed: 2, notSent: 0 });
  });

  void test('after an ambiguous failure, items are heard only once the verification GETs settled them', async () => {
    const { clock, service } = setup({ faultFor: (n) => (n === 0 ? { when: 'after', error: networkError('ECONNRESET') } : undefined) });
    const heard: Array<{ outcomes: string[]; gets: number }> = [];
    const report = await runBulk({
      client: service, kind: 'enrollment', mode: 'create', items: enrollments(4), clock, random: noJitter,
      onItemsSettled: (settled) => heard.push({ outcomes: settled.map((s) => s.outcome.outcome), gets: service.gets.length }),
    });
    assert.deepEqual(heard, [{ outcomes: ['done', 'done', 'done', 'done'], gets: 4 }]);
    assert.deepEqual(report.counts, { done: 4, failed: 0, notSent: 0 });
  });

  void test('cancelled: items never sent are not heard; a throwing listener does not break the run', async () => {
    const { clock, service } = setup({ latencyMs: 100 });
    const controller = new AbortController();
    const heard: number[] = [];
    const report = await runBulk({
      client: service, kind: 'enrollment', mode: 'create', items: enrollments(50), clock, concurrency: 1,
      signal: controller.signal,
      onItemsSettled: (settled) => {
        heard.push(...settled.map((s) => s.index));
        controller.abort();
        throw new Error('listener bug');
      },
    });
    assert.deepEqual(heard, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(report.counts, { done: 10, failed: 0, notSent: 40 });
  });
});
