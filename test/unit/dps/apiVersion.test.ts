// The api-version a connection chose reaches the wire, and a 400 for a field that version does not
// know names the field and both versions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { createHttpTransport } from '../../../src/dps/transport';
import { DpsClient } from '../../../src/dps/client';
import { DpsError } from '../../../src/dps/errors';
import { fieldsNewerThan, isApiVersion } from '../../../src/dps/apiVersion';
import { withFieldVersionHint } from '../../../src/dps/responseErrors';
import { ConnectionStore } from '../../../src/connections/connectionStore';
import { MemorySecrets, MemoryState } from '../../support/vscodeFakes';

const HOST = 'my-dps.azure-devices-provisioning.net';
const CS = `HostName=${HOST};SharedAccessKeyName=owner;SharedAccessKey=${randomBytes(32).toString('base64')}`;
const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'pol1' };

function adapterAnswering(status: number, data: string) {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    seen.push(config);
    return Promise.resolve({ data, status, statusText: '', headers: new AxiosHeaders({ 'content-type': 'application/json' }), config, request: {} });
  };
  return { adapter, seen };
}

void describe('api-version per connection', () => {
  void test('the transport sends the chosen version, 2021-10-01 by default, and refuses others', async () => {
    const { adapter, seen } = adapterAnswering(200, '{}');
    await createHttpTransport({ connection: { hostName: HOST, sharedAccessKeyName: 'o', sharedAccessKey: 'a2V5' }, adapter }).send({ operation: 'op', method: 'GET', path: '/enrollments/a' });
    await createHttpTransport({ connection: { hostName: HOST, sharedAccessKeyName: 'o', sharedAccessKey: 'a2V5' }, adapter, apiVersion: '2026-11-01' }).send({ operation: 'op', method: 'GET', path: '/enrollments/a' });
    assert.deepEqual(seen.map((c) => c.url), ['/enrollments/a?api-version=2021-10-01', '/enrollments/a?api-version=2026-11-01']);
    assert.throws(() => createHttpTransport({ connection: { hostName: HOST, sharedAccessKeyName: 'o', sharedAccessKey: 'a2V5' }, apiVersion: '2019-03-31' as never }), /2019-03-31/);
    assert.equal(isApiVersion('2026-11-01'), true);
    assert.equal(isApiVersion('2025-07-01-preview'), false);
  });

  void test('fields newer than a version are found; a 2026 body is fine for 2026', () => {
    assert.deepEqual(fieldsNewerThan('2021-10-01', { registrationId: 'a', ...POLICY }), Object.keys(POLICY));
    assert.deepEqual(fieldsNewerThan('2026-11-01', { registrationId: 'a', ...POLICY }), []);
    assert.deepEqual(fieldsNewerThan('2021-10-01', { registrationId: 'a', futureField: 1 }), [], 'unknown fields are not blamed');
  });

  void test('a 400 for a 2026-11-01 field under 2021-10-01 names the field and both versions (single and bulk)', async () => {
    const body = JSON.stringify({ errorCode: 400000, message: 'The request is invalid.' });
    const { adapter } = adapterAnswering(400, body);
    const transport = createHttpTransport({ connection: { hostName: HOST, sharedAccessKeyName: 'o', sharedAccessKey: 'a2V5' }, adapter });
    const client = new DpsClient({ hostName: HOST, keyName: 'o', send: transport.send, retry: { maxAttempts: 1 } });
    const enrollment = { registrationId: 'a', attestation: { type: 'symmetricKey' as const }, ...POLICY };
    const single = await client.createOrUpdateEnrollment(enrollment).then(() => undefined, (e: unknown) => e);
    assert.ok(single instanceof DpsError);
    assert.match(single.message, /api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)/);
    assert.match(single.message, /The request is invalid\./, 'the service message is kept');
    assert.equal(single.errorCode, 400000);
    const bulk = await client.runEnrollmentBulk('create', [enrollment]).then(() => undefined, (e: unknown) => e);
    assert.match((bulk as Error).message, /does not accept 'namespaceName'/);
  });

  void test('errors without such fields, or for a version that knows them, are left alone', () => {
    const error = new DpsError({ kind: 'http', operation: 'op', message: 'bad', status: 400 });
    assert.equal(withFieldVersionHint(error, '2021-10-01', { registrationId: 'a' }), error);
    assert.equal(withFieldVersionHint(error, '2026-11-01', { registrationId: 'a', ...POLICY }), error);
  });

  void test('the connection record keeps a non-default version (no secret), and a re-add without one keeps it', async () => {
    const state = new MemoryState();
    const store = new ConnectionStore(new MemorySecrets(), state);
    const saved = await store.add({ connectionString: CS, hostName: HOST, keyName: 'owner', apiVersion: '2026-11-01' });
    assert.equal(saved.apiVersion, '2026-11-01');
    const again = await store.add({ connectionString: CS, hostName: HOST, keyName: 'owner' });
    assert.equal(again.apiVersion, '2026-11-01');
    const back = await store.add({ connectionString: CS, hostName: HOST, keyName: 'owner', apiVersion: '2021-10-01' });
    assert.equal(back.apiVersion, undefined, 'the default is not stored');
    assert.ok(!JSON.stringify([...state.values]).includes('SharedAccessKey='), 'globalState holds no connection string');
    assert.match(JSON.stringify([...state.values]), /2021-10-01|owner/, 'sanity: the scan sees the records');
  });
});
