import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AxiosError, AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { createHttpTransport } from '../../../src/dps/transport';
import { DpsClient } from '../../../src/dps/client';
import { isDpsError } from '../../../src/dps/errors';
import { testChain } from '../../support/attestation';

const KEY = randomBytes(32).toString('base64');
const HOST = 'my-dps.azure-devices-provisioning.net';
const connection = { hostName: HOST, sharedAccessKeyName: 'provisioningserviceowner', sharedAccessKey: KEY };

/** An adapter that records the final request config and answers with a canned response. */
function recordingAdapter(answer: { status?: number; data?: string; headers?: Record<string, string> } = {}) {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    seen.push(config);
    return Promise.resolve({
      data: answer.data ?? '{}',
      status: answer.status ?? 200,
      statusText: 'OK',
      headers: new AxiosHeaders(answer.headers ?? { 'content-type': 'application/json' }),
      config,
      request: {},
    });
  };
  return { adapter, seen };
}

function header(config: InternalAxiosRequestConfig, name: string): string | undefined {
  const value = config.headers.get(name);
  return typeof value === 'string' ? value : undefined;
}

void describe('http transport: request shape', () => {
  void test('URL, api-version, headers and body as the official SDK sends them', async () => {
    const { adapter, seen } = recordingAdapter();
    const transport = createHttpTransport({ connection, adapter });
    await transport.send({ operation: 'op', method: 'PUT', path: '/enrollments/a', body: { registrationId: 'a', future: { x: 1 } }, headers: { 'If-Match': '"e1"' } });
    await transport.send({ operation: 'op', method: 'GET', path: '/enrollments/a' });
    const [put, get] = seen;
    assert.equal(`${put.baseURL}${put.url}`, `https://${HOST}/enrollments/a?api-version=2021-10-01`);
    assert.equal(put.method?.toUpperCase(), 'PUT');
    assert.equal(put.data, JSON.stringify({ registrationId: 'a', future: { x: 1 } }));
    assert.equal(header(put, 'Content-Type'), 'application/json; charset=utf-8');
    assert.equal(header(put, 'Accept'), 'application/json');
    assert.equal(header(put, 'If-Match'), '"e1"');
    assert.match(header(put, 'User-Agent') ?? '', /^dps-enrollments\/\d+\.\d+\.\d+/);
    assert.equal(header(get, 'Content-Type'), undefined, 'no content type without a body');
    const ids = seen.map((c) => header(c, 'Request-Id') ?? '');
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(put.maxRedirects, 0);
    transport.dispose();
  });

  void test('Authorization is a valid SAS for the host, signed with the key, expiring within the hour', async () => {
    const { adapter, seen } = recordingAdapter();
    const transport = createHttpTransport({ connection, adapter });
    await transport.send({ operation: 'op', method: 'GET', path: '/enrollments/a' });
    const token = header(seen[0], 'Authorization') ?? '';
    const fields = new Map(token.replace(/^SharedAccessSignature /, '').split('&').map((kv) => kv.split('=', 2) as [string, string]));
    const se = Number(fields.get('se'));
    const expected = createHmac('sha256', Buffer.from(KEY, 'base64')).update(`${encodeURIComponent(HOST)}\n${se}`).digest('base64');
    assert.equal(fields.get('sr'), encodeURIComponent(HOST));
    assert.equal(decodeURIComponent(fields.get('sig') ?? ''), expected);
    assert.equal(fields.get('skn'), 'provisioningserviceowner');
    const now = Date.now() / 1000;
    assert.ok(se > now && se <= now + 3601, `se ${se} vs now ${now}`);
  });

  void test('custom user agent, and the response body parsed or kept as text', async () => {
    const { adapter, seen } = recordingAdapter({ data: 'oops', status: 502, headers: { 'X-Ms-Continuation': 'tok' } });
    const transport = createHttpTransport({ connection, adapter, userAgent: 'dps-enrollments/9.9.9 vscode/1.95' });
    const response = await transport.send({ operation: 'op', method: 'GET', path: '/x' });
    assert.equal(header(seen[0], 'User-Agent'), 'dps-enrollments/9.9.9 vscode/1.95');
    assert.deepEqual([response.status, response.body, response.bodyIsText, response.headers['x-ms-continuation']], [502, 'oops', true, 'tok']);
  });
});

void describe('http transport: trust and scheme', () => {
  void test('plain http is refused for a non-loopback host and allowed for loopback', () => {
    assert.throws(() => createHttpTransport({ connection, protocol: 'http' }), /Only HTTPS is allowed/);
    const local = createHttpTransport({ connection: { ...connection, hostName: 'localhost:8080' }, protocol: 'http' });
    assert.equal(local.baseUrl, 'http://localhost:8080');
    local.dispose();
  });

  void test('a custom CA reaches the agent only for a loopback host; verification is never disabled', async () => {
    const ca = (await testChain('ecdsa-p256', 'transport-ca')).root.certificatePem;
    for (const [hostName, trusted] of [['localhost:8443', true], [HOST, false]] as const) {
      const { adapter, seen } = recordingAdapter();
      const transport = createHttpTransport({ connection: { ...connection, hostName }, ca, adapter });
      await transport.send({ operation: 'op', method: 'GET', path: '/x' });
      const agent = seen[0].httpsAgent as { options: { ca?: unknown; secureContext?: unknown; rejectUnauthorized?: unknown } };
      // The CA travels as a secure context made once (never as `ca`: see transport.ts); none for a remote host.
      assert.deepEqual([agent.options.secureContext !== undefined, agent.options.ca], [trusted, undefined], hostName);
      assert.notEqual(agent.options.rejectUnauthorized, false);
      transport.dispose();
    }
  });
});

void describe('http transport: failures', () => {
  void test('a network error becomes a DpsError with no trace of the token, key or connection string', async () => {
    let token = '';
    const adapter: AxiosAdapter = (config) => {
      token = header(config, 'Authorization') ?? '';
      const error = new AxiosError(`connect ECONNREFUSED; auth was ${token}`, 'ECONNREFUSED', config);
      return Promise.reject(error);
    };
    const transport = createHttpTransport({ connection, adapter });
    const failure = await transport.send({ operation: 'IndividualEnrollment_Get', method: 'GET', path: '/enrollments/a' }).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(isDpsError(failure));
    assert.deepEqual([failure.kind, failure.causeCode, failure.operation], ['network', 'ECONNREFUSED', 'IndividualEnrollment_Get']);
    const sig = new URLSearchParams(token.replace(/^SharedAccessSignature /, '')).get('sig') ?? '';
    assert.ok(sig.length > 20);
    for (const text of [failure.message, JSON.stringify(failure), inspect(failure, { depth: 10 }), String(failure.stack)]) {
      for (const secret of [sig, encodeURIComponent(sig), KEY, 'SharedAccessSignature']) assert.ok(!text.includes(secret), `leak of ${secret.slice(0, 6)}… in ${text}`);
    }
    assert.equal((failure as { cause?: unknown }).cause, undefined);
  });

  void test('our timer gives kind timeout; the caller aborting gives kind aborted', async () => {
    const hang: AxiosAdapter = (config) =>
      new Promise((_resolve, reject) => {
        config.signal?.addEventListener?.('abort', () => reject(new AxiosError('canceled', 'ERR_CANCELED', config)));
      });
    const transport = createHttpTransport({ connection, adapter: hang, timeoutMs: 30 });
    const timedOut = await transport.send({ operation: 'op', method: 'GET', path: '/x' }).catch((e: unknown) => e);
    assert.ok(isDpsError(timedOut) && timedOut.kind === 'timeout');

    const slow = createHttpTransport({ connection, adapter: hang, timeoutMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const aborted = await slow.send({ operation: 'op', method: 'GET', path: '/x', signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(isDpsError(aborted) && aborted.kind === 'aborted');
  });

  void test('request events from the real transport carry no secret', async () => {
    const { adapter } = recordingAdapter({ status: 404, data: JSON.stringify({ errorCode: 404201, trackingId: 'trk', message: 'nope' }) });
    const events: unknown[] = [];
    const client = new DpsClient({ hostName: HOST, keyName: 'provisioningserviceowner', send: createHttpTransport({ connection, adapter }).send, onRequest: (e) => events.push(e) });
    await assert.rejects(client.getEnrollment('dev-1'), (e: unknown) => isDpsError(e) && e.trackingId === 'trk' && e.errorCode === 404201);
    assert.equal(events.length, 1);
    const text = JSON.stringify(events);
    assert.match(text, /"operation":"IndividualEnrollment_Get".*"status":404/);
    assert.ok(!text.includes(KEY) && !text.includes('SharedAccessSignature'));
  });
});
