import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsClient, type RequestEvent } from '../../../src/dps/client';
import { inspect } from 'node:util';
import { ConnectionStringError } from '../../../src/dps/connectionString';
import { DpsError, isDpsError } from '../../../src/dps/errors';
import type { TransportRequest, TransportResponse } from '../../../src/dps/transport';
import { enrollments } from '../../support/dpsFakes';

type Answer = Partial<Omit<TransportResponse, 'requestId'>> | Error;

/** A client over a scripted transport: answers are used in order; every request and wait is recorded. */
function scripted(answers: Answer[], options: { maxAttempts?: number; maxDelayMs?: number } = {}) {
  const requests: TransportRequest[] = [];
  const sleeps: number[] = [];
  const events: RequestEvent[] = [];
  const client = new DpsClient({
    hostName: 'my-dps.azure-devices-provisioning.net',
    keyName: 'owner',
    send: (request) => {
      requests.push(request);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('no more scripted answers');
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ status: 200, headers: {}, body: undefined, bodyIsText: false, requestId: `r${requests.length}`, ...answer });
    },
    retry: { maxAttempts: options.maxAttempts ?? 5, baseDelayMs: 100, maxDelayMs: options.maxDelayMs ?? 10_000 },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    onRequest: (e) => events.push(e),
  });
  return { client, requests, sleeps, events };
}

void describe('DpsClient requests', () => {
  void test('ids are encoded into paths; unknown fields pass through both ways', async () => {
    const stored = { registrationId: 'a b/c', attestation: { type: 'none' }, etag: '"2"', fieldFromTheFuture: { deep: [1] } };
    const { client, requests } = scripted([{ body: stored }, { body: stored }]);
    assert.deepEqual(await client.getEnrollment('a b/c'), stored);
    const sent = { ...stored, attestation: { type: 'none' as const } };
    await client.createOrUpdateEnrollment(sent, { ifMatch: '"2"' });
    assert.equal(requests[0].path, '/enrollments/a%20b%2Fc');
    assert.deepEqual([requests[1].method, requests[1].headers, requests[1].body], ['PUT', { 'If-Match': '"2"' }, sent]);
  });

  void test('each operation hits the path and verb of the spec', async () => {
    const ok = { body: {} };
    const { client, requests } = scripted([ok, { status: 204 }, ok, ok, { status: 204 }, ok, ok, { status: 204 }, ok, { body: [] }]);
    await client.getEnrollmentGroup('g1');
    await client.deleteEnrollmentGroup('g1', { ifMatch: '*' });
    await client.getEnrollmentGroupAttestation('g1');
    await client.getEnrollmentAttestation("it's");
    await client.deleteEnrollment('e1');
    await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'g2', attestation: { type: 'symmetricKey' } });
    await client.getRegistrationState('r1');
    await client.deleteRegistrationState('r1', { ifMatch: '"r"' });
    await client.runEnrollmentGroupBulk('delete', [{ enrollmentGroupId: 'g3', attestation: { type: 'x509' } }]).catch(() => undefined);
    await client.queryRegistrationStates('g1', { pageSize: 5 });
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path}`),
      [
        'GET /enrollmentGroups/g1',
        'DELETE /enrollmentGroups/g1',
        'POST /enrollmentGroups/g1/attestationmechanism',
        'POST /enrollments/it%27s/attestationmechanism',
        'DELETE /enrollments/e1',
        'PUT /enrollmentGroups/g2',
        'GET /registrations/r1',
        'DELETE /registrations/r1',
        'POST /enrollmentGroups',
        'POST /registrations/g1/query',
      ],
    );
    assert.deepEqual(requests[1].headers, { 'If-Match': '*' });
    assert.deepEqual(requests[8].body, { mode: 'delete', enrollmentGroups: [{ enrollmentGroupId: 'g3', attestation: { type: 'x509' } }] });
    assert.equal(requests[9].body, undefined, 'the spec defines no body for the registration query');
    assert.deepEqual(requests[9].headers, { 'x-ms-max-item-count': '5' });
  });

  void test('empty ids and bad page sizes are refused before sending', async () => {
    const { client, requests } = scripted([]);
    await assert.rejects(client.getEnrollment(''), /registrationId is required/);
    await assert.rejects(client.createOrUpdateEnrollmentGroup({ attestation: { type: 'x509' } } as never), /enrollmentGroupId is required/);
    await assert.rejects(client.queryEnrollments({ pageSize: 0 }), /pageSize must be a positive integer/);
    assert.equal(requests.length, 0);
  });

  void test('a bulk request of 11 items is refused by the client, without a request', async () => {
    const { client, requests } = scripted([]);
    await assert.rejects(client.runEnrollmentBulk('create', enrollments(11)), /at most 10 items; got 11\. Use runBulk/);
    await assert.rejects(client.runEnrollmentBulk('create', []), /at least one item/);
    await assert.rejects(client.runEnrollmentBulk('updateIfMatchEtag' as never, enrollments(1)), /Bulk mode must be one of/);
    assert.equal(requests.length, 0);
  });
});

void describe('DpsClient queries and paging', () => {
  void test('query sends page size, continuation and query text; reads the next token', async () => {
    const { client, requests } = scripted([{ body: [{ registrationId: 'a' }], headers: { 'x-ms-continuation': 'T2' } }]);
    const page = await client.queryEnrollments({ pageSize: 100, continuationToken: 'T1' });
    assert.deepEqual(page, { items: [{ registrationId: 'a' }], continuationToken: 'T2' });
    assert.deepEqual(requests[0].headers, { 'x-ms-max-item-count': '100', 'x-ms-continuation': 'T1' });
    assert.deepEqual(requests[0].body, { query: '*' });
    assert.equal(requests[0].path, '/enrollments/query');
  });

  void test('list loops until no continuation header, one request per page', async () => {
    const { client, requests } = scripted([
      { body: [1, 2], headers: { 'x-ms-continuation': 'a' } },
      { body: [3, 4], headers: { 'x-ms-continuation': 'b' } },
      { body: [5] },
    ]);
    const seen: unknown[] = [];
    for await (const page of client.listEnrollmentGroups({ pageSize: 2 })) seen.push(...page.items);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(requests.map((r) => r.headers?.['x-ms-continuation']), [undefined, 'a', 'b']);
  });

  void test('a repeated continuation token stops the loop with invalidResponse', async () => {
    const { client } = scripted([
      { body: [], headers: { 'x-ms-continuation': 'same' } },
      { body: [], headers: { 'x-ms-continuation': 'same' } },
    ]);
    await assert.rejects(async () => {
      for await (const _page of client.listRegistrationStates('g')) {
        // drain
      }
    }, (e: unknown) => isDpsError(e) && e.kind === 'invalidResponse');
  });

  void test('a non-array query answer or non-JSON object answer is invalidResponse', async () => {
    const { client } = scripted([{ body: { not: 'array' } }, { body: 'html', bodyIsText: true }]);
    await assert.rejects(client.queryEnrollments(), (e: unknown) => isDpsError(e) && e.kind === 'invalidResponse' && /JSON array/.test(e.message));
    await assert.rejects(client.getEnrollment('a'), (e: unknown) => isDpsError(e) && e.kind === 'invalidResponse' && /text that is not JSON/.test(e.message));
  });
});

void describe('DpsClient retries', () => {
  void test('503 then 500 then success: backs off with jitter and reports every try', async () => {
    const { client, sleeps, events } = scripted([{ status: 503 }, { status: 500 }, { body: { registrationId: 'a' } }]);
    await client.getEnrollment('a');
    assert.deepEqual(sleeps, [50, 100]); // random 0.5 of 100 and 200
    assert.deepEqual(events.map((e) => [e.attempt, e.status]), [[1, 503], [2, 500], [3, 200]]);
  });

  void test('429 honours Retry-After in seconds', async () => {
    const { client, sleeps } = scripted([{ status: 429, headers: { 'retry-after': '2' } }, { body: [] }]);
    await client.queryEnrollments();
    assert.deepEqual(sleeps, [2000]);
  });

  void test('a Retry-After longer than maxDelayMs ends the retries, carrying the wait', async () => {
    const { client, requests } = scripted([{ status: 429, headers: { 'retry-after': '120' } }], { maxDelayMs: 10_000 });
    await assert.rejects(client.getEnrollment('a'), (e: unknown) =>
      isDpsError(e) && e.kind === 'retriesExhausted' && e.retryAfterMs === 120_000 && e.status === 429 && /wait 120 s/.test(e.message));
    assert.equal(requests.length, 1);
  });

  void test('gives up after maxAttempts with retriesExhausted and the last status', async () => {
    const { client, requests } = scripted([{ status: 503 }, { status: 502 }, { status: 504, body: { errorCode: 504101, trackingId: 'last', message: 'Gateway timeout.' } }], { maxAttempts: 3 });
    await assert.rejects(client.deleteEnrollment('a'), (e: unknown) =>
      isDpsError(e) && e.kind === 'retriesExhausted' && e.lastKind === 'http' && e.status === 504 && e.errorCode === 504101 && e.trackingId === 'last' && e.attempts === 3 &&
      e.message === 'Gateway timeout (gave up after 3 attempts).');
    assert.equal(requests.length, 3);
  });

  void test('4xx is not retried and keeps the service details', async () => {
    const { client, requests } = scripted([{ status: 412, body: { errorCode: 412002, message: 'Precondition failed.' } }]);
    await assert.rejects(client.createOrUpdateEnrollment(enrollments(1)[0], { ifMatch: 'old' }), (e: unknown) =>
      isDpsError(e) && e.kind === 'http' && e.status === 412 && e.errorCode === 412002 && e.attempts === 1 && !e.isTransient);
    assert.equal(requests.length, 1);
  });

  void test('bulk POST: 500 is not retried (it may have been applied), 503 and 429 are', async () => {
    const ambiguous = scripted([{ status: 500 }]);
    await assert.rejects(ambiguous.client.runEnrollmentBulk('create', enrollments(2)), (e: unknown) => isDpsError(e) && e.status === 500 && e.attempts === 1);
    assert.equal(ambiguous.requests.length, 1);

    const notProcessed = scripted([{ status: 503 }, { status: 429 }, { body: { isSuccessful: true, errors: [] } }]);
    assert.deepEqual(await notProcessed.client.runEnrollmentBulk('create', enrollments(2)), { isSuccessful: true, errors: [] });
    assert.equal(notProcessed.requests.length, 3);
  });

  void test('a conditional PUT is not replayed after an ambiguous 500; an unconditional one is', async () => {
    const conditional = scripted([{ status: 500 }]);
    await assert.rejects(conditional.client.createOrUpdateEnrollment(enrollments(1)[0], { ifMatch: '"1"' }), (e: unknown) => isDpsError(e) && e.status === 500);
    assert.equal(conditional.requests.length, 1);
    const conditionalThrottled = scripted([{ status: 429 }, { body: {} }]);
    await conditionalThrottled.client.createOrUpdateEnrollment(enrollments(1)[0], { ifMatch: '"1"' });
    assert.equal(conditionalThrottled.requests.length, 2);
    const plain = scripted([{ status: 500 }, { body: {} }]);
    await plain.client.createOrUpdateEnrollment(enrollments(1)[0]);
    assert.equal(plain.requests.length, 2);
  });

  void test('a DELETE replayed after a reset that may have applied it treats 404 as done', async () => {
    const reset = new DpsError({ kind: 'network', operation: 'IndividualEnrollment_Delete', causeCode: 'ECONNRESET', message: 'reset' });
    const replay = scripted([reset, { status: 404 }]);
    await replay.client.deleteEnrollment('a');
    assert.equal(replay.requests.length, 2);
    // Without an ambiguous try before it, or after a 503 (not processed), 404 stays an error.
    const plain = scripted([{ status: 404 }]);
    await assert.rejects(plain.client.deleteEnrollment('a'), (e: unknown) => isDpsError(e) && e.status === 404);
    const notProcessed = scripted([{ status: 503 }, { status: 404 }]);
    await assert.rejects(notProcessed.client.deleteRegistrationState('a'), (e: unknown) => isDpsError(e) && e.status === 404 && e.attempts === 2);
  });

  void test('per-call retry override (maxAttempts 1) disables retries and returns the failure itself', async () => {
    const { client, requests } = scripted([{ status: 503 }]);
    await assert.rejects(client.getEnrollment('a', { retry: { maxAttempts: 1 } }), (e: unknown) => isDpsError(e) && e.kind === 'http' && e.status === 503 && e.attempts === 1);
    assert.equal(requests.length, 1);
  });

  void test('an abort during a back-off stops with kind aborted', async () => {
    const controller = new AbortController();
    const requests: TransportRequest[] = [];
    const client = new DpsClient({
      hostName: 'h',
      keyName: 'k',
      send: (r) => {
        requests.push(r);
        return Promise.resolve({ status: 503, headers: {}, body: undefined, bodyIsText: false, requestId: 'x' });
      },
      sleep: () => {
        controller.abort();
        return Promise.resolve();
      },
    });
    await assert.rejects(client.getEnrollment('a', { signal: controller.signal }), (e: unknown) => isDpsError(e) && e.kind === 'aborted' && e.attempts === 1);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].signal, controller.signal);
  });

  void test('a throwing onRequest logger does not fail the call', async () => {
    const client = new DpsClient({
      hostName: 'h',
      keyName: 'k',
      send: () => Promise.resolve({ status: 200, headers: {}, body: { a: 1 }, bodyIsText: false, requestId: 'x' }),
      onRequest: () => {
        throw new Error('logger broke');
      },
    });
    assert.deepEqual(await client.getEnrollment('a'), { a: 1 });
  });
});

void test('fromConnectionString parses strings and exposes host and key name, never the key', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const client = DpsClient.fromConnectionString(`HostName=localhost:8443;SharedAccessKeyName=owner;SharedAccessKey=${key}`);
  assert.equal(client.hostName, 'localhost:8443');
  assert.equal(client.keyName, 'owner');
  assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes(key));
  assert.ok(!JSON.stringify(client).includes(key));
  client.dispose();
  assert.throws(() => DpsClient.fromConnectionString('HostName=x'), /missing/);
  // A hand-built object gets the same checks as a string.
  assert.throws(
    () => DpsClient.fromConnectionString({ hostName: 'localhost:8443', sharedAccessKeyName: 'owner', sharedAccessKey: 'not base64!' }),
    (e: unknown) => e instanceof ConnectionStringError && /not valid base64/.test(e.message),
  );
});
