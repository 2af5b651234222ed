import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { DpsError, isDpsError } from '../../../src/dps/errors';
import { errorFromResponse, errorFromTransportFailure } from '../../../src/dps/responseErrors';

void describe('errorFromResponse', () => {
  void test('takes message, errorCode and trackingId from the service error body', () => {
    const e = errorFromResponse({
      operation: 'IndividualEnrollment_Get',
      status: 404,
      headers: { 'x-ms-error-code': '404201' },
      body: { errorCode: 404201, trackingId: 'trk-1', message: 'Enrollment not found.', timestampUtc: '2026-01-01T00:00:00Z', info: {} },
    });
    assert.equal(e.kind, 'http');
    assert.equal(e.status, 404);
    assert.equal(e.errorCode, 404201);
    assert.equal(e.trackingId, 'trk-1');
    assert.equal(e.message, 'Enrollment not found.');
    assert.equal(e.operation, 'IndividualEnrollment_Get');
    assert.equal(e.attempts, 1);
    assert.equal(e.isTransient, false);
  });

  void test('falls back to a numeric x-ms-error-code header and a plain sentence', () => {
    const e = errorFromResponse({ operation: 'op', status: 412, headers: { 'x-ms-error-code': '412002' }, body: undefined });
    assert.equal(e.errorCode, 412002);
    assert.match(e.message, /changed by someone else.*\(HTTP 412\)/);
    const named = errorFromResponse({ operation: 'op', status: 418, headers: { 'x-ms-error-code': 'Teapot' }, body: 'not json' });
    assert.equal(named.errorCode, undefined);
    assert.equal(named.message, 'The service answered with an error (HTTP 418).');
  });

  void test('reads the PascalCase variant of the body and string error codes', () => {
    const e = errorFromResponse({ operation: 'op', status: 400, headers: {}, body: { Message: 'Bad thing', ErrorCode: '400004', TrackingId: 'T' } });
    assert.deepEqual([e.message, e.errorCode, e.trackingId], ['Bad thing', 400004, 'T']);
  });

  void test('Retry-After becomes retryAfterMs; 429 and 5xx are transient', () => {
    const e = errorFromResponse({ operation: 'op', status: 429, headers: { 'retry-after': '3' }, body: {} });
    assert.equal(e.retryAfterMs, 3000);
    assert.equal(e.isTransient, true);
    for (const status of [500, 502, 503, 504]) assert.equal(errorFromResponse({ operation: 'op', status, headers: {}, body: {} }).isTransient, true);
    for (const status of [400, 401, 403, 404, 409, 412]) assert.equal(errorFromResponse({ operation: 'op', status, headers: {}, body: {} }).isTransient, false);
  });
});

void describe('errorFromTransportFailure', () => {
  const base = { operation: 'op', hostName: 'localhost:8443', timedOut: false, timeoutMs: 30_000, aborted: false };
  void test('kinds: aborted, timeout, tls, network', () => {
    assert.equal(errorFromTransportFailure({ ...base, aborted: true }).kind, 'aborted');
    const timeout = errorFromTransportFailure({ ...base, timedOut: true });
    assert.deepEqual([timeout.kind, timeout.message], ['timeout', 'No answer from localhost:8443 within 30 s.']);
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      const e = errorFromTransportFailure({ ...base, code });
      assert.equal(e.kind, 'tls', code);
      assert.equal(e.isTransient, false);
    }
    const refused = errorFromTransportFailure({ ...base, code: 'ECONNREFUSED' });
    assert.deepEqual([refused.kind, refused.causeCode, refused.isTransient], ['network', 'ECONNREFUSED', true]);
    assert.match(refused.message, /refused/);
    assert.equal(errorFromTransportFailure({ ...base, code: 'ENOTFOUND' }).isTransient, false);
  });
});

void describe('DpsError', () => {
  const secret = 'SharedAccessSignature sr=x&sig=SECRETSIG&se=1&skn=owner';
  const e = new DpsError({ kind: 'http', operation: 'op', message: 'Nope.', status: 401, errorCode: 401002, trackingId: 't' });

  void test('JSON, inspect and String carry the facts and nothing else', () => {
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    assert.deepEqual(json, { name: 'DpsError', kind: 'http', message: 'Nope.', operation: 'op', attempts: 1, status: 401, errorCode: 401002, trackingId: 't' });
    assert.match(inspect(e), /DpsError: Nope\. \{ kind: "http".*status: 401/);
    for (const text of [JSON.stringify(e), inspect(e), String(e), e.stack ?? '']) assert.ok(!text.includes('SECRETSIG'));
    assert.ok(!inspect(e).includes(secret));
  });

  void test('withAttempts keeps every fact', () => {
    const again = e.withAttempts(4);
    assert.equal(again.attempts, 4);
    assert.deepEqual({ ...again.toInit(), attempts: 1 }, e.toInit());
    assert.equal(isDpsError(again), true);
    assert.equal(isDpsError(new Error('x')), false);
  });

  void test('retriesExhausted is transient, aborted is not', () => {
    assert.equal(new DpsError({ kind: 'retriesExhausted', operation: 'o', message: 'm', status: 503 }).isTransient, true);
    assert.equal(new DpsError({ kind: 'aborted', operation: 'o', message: 'm' }).isTransient, false);
  });
});
