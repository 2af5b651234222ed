// The emulator over real HTTPS: authentication, every operation, ETags, paging, bulk rules, the
// device registration endpoint, quota, faults, persistence and the CLI. Every response is checked
// against the spec by the request helper (test/support/emulator.ts; that check reads ../shared and
// is skipped silently when it is absent).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHmac } from 'node:crypto';
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment, AttestationMechanism, BulkEnrollmentOperationResult } from '../../src/dps/models';
import { createSasToken, expiryFromNow } from '../../src/dps/sas';
import { issueCertificate } from '../../src/emulator/certificateFactory';
import { connectionStringParts, request, serviceToken, startTestEmulator, type TestEmulator } from '../support/emulator';

type ErrorBody = { errorCode: number; message: string };

const symmetric = (id: string, extra: Record<string, unknown> = {}) => ({ registrationId: id, attestation: { type: 'symmetricKey' }, ...extra });
const group = (id: string, extra: Record<string, unknown> = {}) => ({ enrollmentGroupId: id, attestation: { type: 'symmetricKey' }, ...extra });
const deviceKey = (groupKey: string, registrationId: string) =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(registrationId).digest('base64');
const deviceToken = (idScope: string, registrationId: string, key: string, expiry = expiryFromNow(300)) =>
  createSasToken({ resourceUri: `${idScope}/registrations/${registrationId}`, keyName: 'registration', key, expiry });

void describe('emulator over HTTPS', () => {
  let t: TestEmulator;
  before(async () => {
    t = await startTestEmulator({ maxPageSize: 20 });
  });
  after(() => t.dispose());

  void describe('authentication', () => {
    const get = (authorization: string | null) => request<ErrorBody>(t.emu, { method: 'GET', path: '/enrollments/nobody', authorization });

    void test('a valid token reaches the operation (404 for an unknown id, not 401)', async () => {
      const r = await get(serviceToken(t.emu));
      assert.equal(r.status, 404);
      assert.equal(r.body.errorCode, 404201);
    });
    void test('a missing header is 401', async () => {
      const r = await get(null);
      assert.equal(r.status, 401);
      assert.match(r.body.message, /missing/i);
    });
    void test('an expired token is 401', async () => {
      const r = await get(serviceToken(t.emu, { expiry: Math.floor(Date.now() / 1000) - 10 }));
      assert.equal(r.status, 401);
      assert.match(r.body.message, /expired/);
    });
    void test('a token signed with another key is 401', async () => {
      const r = await get(serviceToken(t.emu, { key: Buffer.alloc(32, 7).toString('base64') }));
      assert.equal(r.status, 401);
      assert.match(r.body.message, /signature/);
    });
    void test('an unknown policy name is 401', async () => {
      const r = await get(serviceToken(t.emu, { keyName: 'someoneelse' }));
      assert.equal(r.status, 401);
      assert.match(r.body.message, /skn/);
    });
    void test('a token for another host is 401', async () => {
      const r = await get(serviceToken(t.emu, { resource: 'other.azure-devices-provisioning.net' }));
      assert.equal(r.status, 401);
      assert.match(r.body.message, /sr/);
    });
    void test('a malformed token is 401 and does not echo the token', async () => {
      const r = await get('SharedAccessSignature sr=x&sig');
      assert.equal(r.status, 401);
      assert.doesNotMatch(r.text, /sr=x/);
    });
    void test('Bearer tokens are refused with a message about Entra', async () => {
      const r = await get('Bearer eyJhbGciOi');
      assert.equal(r.status, 401);
      assert.match(r.body.message, /Entra/);
    });
    void test('an unencoded sr with fields in another order is accepted (Node SDK style)', async () => {
      const cs = connectionStringParts(t.emu.connectionString);
      const se = expiryFromNow(60);
      const sig = createHmac('sha256', Buffer.from(cs.key, 'base64')).update(`${cs.hostName}\n${se}`).digest('base64');
      const token = `SharedAccessSignature skn=${cs.keyName}&se=${se}&sig=${encodeURIComponent(sig)}&sr=${cs.hostName}`;
      assert.equal((await get(token)).status, 404);
    });
    void test('api-version is required and must be 2021-10-01', async () => {
      const missing = await request<ErrorBody>(t.emu, { method: 'GET', path: '/enrollments/x', apiVersion: null });
      assert.equal(missing.status, 400);
      assert.match(missing.body.message, /api-version/);
      const wrong = await request<ErrorBody>(t.emu, { method: 'GET', path: '/enrollments/x', apiVersion: '2019-03-31' });
      assert.equal(wrong.status, 400);
    });
  });

  void describe('individual enrollments', () => {
    void test('create, read, update with ETag, delete', async () => {
      const created = await request<IndividualEnrollment>(t.emu, { method: 'PUT', path: '/enrollments/crud-1', body: symmetric('crud-1', { provisioningStatus: 'enabled', futureField: { kept: true } }) });
      assert.equal(created.status, 200);
      assert.equal(created.body.registrationId, 'crud-1');
      assert.ok(created.body.etag);
      assert.ok(created.body.createdDateTimeUtc);
      assert.deepEqual(created.body.futureField, { kept: true }, 'unknown fields survive');
      // A PUT echoes the keys (recording test_enrollment_symmetrickey_lifecycle); reads do not.
      assert.equal(typeof created.body.attestation.symmetricKey?.primaryKey, 'string', 'a PUT echoes the keys');

      const read = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/CRUD-1' });
      assert.equal(read.status, 200, 'ids are case-insensitive');
      assert.equal(read.body.etag, created.body.etag);

      const stale = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollments/crud-1', headers: { 'if-match': '"not-the-etag"' }, body: { ...read.body, provisioningStatus: 'disabled' } });
      assert.equal(stale.status, 412);
      assert.equal(Math.floor(stale.body.errorCode / 1000), 412);

      // The body's etag goes back verbatim (it has no quote characters to strip).
      const updated = await request<IndividualEnrollment>(t.emu, { method: 'PUT', path: '/enrollments/crud-1', headers: { 'if-match': String(created.body.etag) }, body: { ...read.body, provisioningStatus: 'disabled' } });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.provisioningStatus, 'disabled');
      assert.notEqual(updated.body.etag, created.body.etag, 'every write changes the etag');
      assert.equal(updated.body.createdDateTimeUtc, created.body.createdDateTimeUtc);

      const staleDelete = await request(t.emu, { method: 'DELETE', path: '/enrollments/crud-1', headers: { 'if-match': String(created.body.etag) } });
      assert.equal(staleDelete.status, 412);
      const deleted = await request(t.emu, { method: 'DELETE', path: '/enrollments/crud-1', headers: { 'if-match': String(updated.body.etag) } });
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      assert.equal((await request(t.emu, { method: 'GET', path: '/enrollments/crud-1' })).status, 404);
      assert.equal((await request(t.emu, { method: 'DELETE', path: '/enrollments/crud-1' })).status, 404);
    });

    void test('If-Match on a missing enrollment is 412; * matches any existing one', async () => {
      const missing = await request(t.emu, { method: 'PUT', path: '/enrollments/ifmatch-1', headers: { 'if-match': '*' }, body: symmetric('ifmatch-1') });
      assert.equal(missing.status, 412);
      await request(t.emu, { method: 'PUT', path: '/enrollments/ifmatch-1', body: symmetric('ifmatch-1') });
      const star = await request(t.emu, { method: 'PUT', path: '/enrollments/ifmatch-1', headers: { 'if-match': '*' }, body: symmetric('ifmatch-1') });
      assert.equal(star.status, 200);
    });

    void test('keys are generated, echoed by the PUT, absent from reads, shown by attestationmechanism and kept by an update that omits them', async () => {
      const key = Buffer.alloc(32, 3).toString('base64');
      const created = await request<IndividualEnrollment>(t.emu, { method: 'PUT', path: '/enrollments/keys-1', body: { registrationId: 'keys-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key } } } });
      assert.equal(created.status, 200);
      assert.equal(created.body.attestation.symmetricKey?.primaryKey, key);
      const read = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/keys-1' });
      assert.doesNotMatch(read.text, /primaryKey|secondaryKey|"symmetricKey":/);
      const mech = await request<AttestationMechanism>(t.emu, { method: 'POST', path: '/enrollments/keys-1/attestationmechanism' });
      assert.equal(mech.status, 200);
      assert.equal(mech.body.symmetricKey?.primaryKey, key);
      const generated = mech.body.symmetricKey?.secondaryKey ?? '';
      assert.equal(Buffer.from(generated, 'base64').length, 64);

      const query = await request<IndividualEnrollment[]>(t.emu, { method: 'POST', path: '/enrollments/query', body: { query: '*' } });
      assert.doesNotMatch(query.text, new RegExp(key.replace(/[+/=]/g, '.')));

      await request(t.emu, { method: 'PUT', path: '/enrollments/keys-1', body: { ...read.body, provisioningStatus: 'disabled' } });
      const again = await request<AttestationMechanism>(t.emu, { method: 'POST', path: '/enrollments/keys-1/attestationmechanism' });
      assert.equal(again.body.symmetricKey?.primaryKey, key);
      assert.equal(again.body.symmetricKey?.secondaryKey, generated);
      assert.equal((await request(t.emu, { method: 'POST', path: '/enrollments/nobody/attestationmechanism' })).status, 404);
    });

    void test('x509 info is filled from the certificate; bad certificates are 400', async () => {
      const ca = issueCertificate({ commonName: 'Test Root', isCa: true, validDays: 30 });
      const leaf = issueCertificate({ commonName: 'x509-dev-1', isCa: false, validDays: 30, issuer: ca, clientAuth: true });
      const created = await request<IndividualEnrollment>(t.emu, {
        method: 'PUT', path: '/enrollments/x509-dev-1',
        body: { registrationId: 'x509-dev-1', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: leaf.certificatePem } } } } },
      });
      assert.equal(created.status, 200);
      const info = created.body.attestation.x509?.clientCertificates?.primary?.info;
      assert.match(info?.subjectName ?? '', /CN=x509-dev-1/);
      assert.match(info?.issuerName ?? '', /CN=Test Root/);
      assert.match(info?.sha256Thumbprint ?? '', /^[0-9A-F]{64}$/);
      assert.equal(info?.version, 3);
      // Read-modify-write without the certificate body keeps the stored certificate.
      const rmw = await request<IndividualEnrollment>(t.emu, { method: 'PUT', path: '/enrollments/x509-dev-1', body: { ...created.body, provisioningStatus: 'disabled' } });
      assert.equal(rmw.status, 200);
      assert.equal(rmw.body.attestation.x509?.clientCertificates?.primary?.info?.sha256Thumbprint, info?.sha256Thumbprint);

      const garbage = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollments/x509-bad', body: { registrationId: 'x509-bad', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: 'bm90IGEgY2VydA==' } } } } } });
      assert.equal(garbage.status, 400);
      assert.match(garbage.body.message, /not a valid X\.509 certificate/);
      const privateKey = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollments/x509-bad', body: { registrationId: 'x509-bad', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: leaf.privateKeyPem } } } } } });
      assert.equal(privateKey.status, 400);
      assert.match(privateKey.body.message, /private key/);
      assert.doesNotMatch(privateKey.text, /BEGIN/);
    });

    const badBodies: Array<[string, string, unknown, RegExp]> = [
      ['missing registrationId', 'bad-1', { attestation: { type: 'none' } }, /registrationId is required/],
      ['missing attestation', 'bad-1', { registrationId: 'bad-1' }, /attestation is required/],
      ['id mismatch', 'bad-1', symmetric('bad-2'), /does not match/],
      ['unknown attestation type', 'bad-1', { registrationId: 'bad-1', attestation: { type: 'password' } }, /attestation.type must be one of/],
      ['tpm without EK', 'bad-1', { registrationId: 'bad-1', attestation: { type: 'tpm', tpm: {} } }, /endorsementKey must be a base64/],
      ['short symmetric key', 'bad-1', { registrationId: 'bad-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'AAAA' } } }, /16..64 bytes/],
      ['bad provisioningStatus', 'bad-1', symmetric('bad-1', { provisioningStatus: 'on' }), /provisioningStatus must be one of/],
      ['body is an array', 'bad-1', [], /JSON object/],
      ['invalid id characters', 'bad%20id', symmetric('bad id'), /may contain only/],
      ['id too long', 'a'.repeat(129), symmetric('a'.repeat(129)), /at most 128/],
    ];
    for (const [name, pathId, body, message] of badBodies) {
      void test(`PUT with ${name} is 400 with a specific message`, async () => {
        const r = await request<ErrorBody>(t.emu, { method: 'PUT', path: `/enrollments/${pathId}`, body });
        assert.equal(r.status, 400);
        assert.match(r.body.message, message);
      });
    }

    void test('malformed JSON and a non-JSON content type are refused', async () => {
      const malformed = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollments/json-1', rawBody: '{"registrationId": ' });
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.message, /not valid JSON/);
      const textPlain = await request(t.emu, { method: 'PUT', path: '/enrollments/json-1', rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
      assert.equal(textPlain.status, 415);
    });

    void test('unknown routes are 404 and wrong methods 405', async () => {
      assert.equal((await request(t.emu, { method: 'GET', path: '/devices/x' })).status, 404);
      assert.equal((await request(t.emu, { method: 'PATCH', path: '/enrollments/x' })).status, 405);
    });
  });

  void describe('enrollment groups', () => {
    void test('CRUD through the lower-case path the Node SDK uses; TPM and client certificates are refused', async () => {
      const created = await request<EnrollmentGroup>(t.emu, { method: 'PUT', path: '/enrollmentgroups/grp-crud', body: group('grp-crud') });
      assert.equal(created.status, 200);
      assert.equal(typeof created.body.attestation.symmetricKey?.primaryKey, 'string', 'a PUT echoes the keys');
      const read = await request<EnrollmentGroup>(t.emu, { method: 'GET', path: '/enrollmentGroups/grp-crud' });
      assert.deepEqual(read.body.attestation, { type: 'symmetricKey' }, 'reads carry no symmetricKey member');
      assert.equal(read.body.etag, created.body.etag);
      const mech = await request<AttestationMechanism>(t.emu, { method: 'POST', path: '/enrollmentgroups/grp-crud/attestationmechanism' });
      assert.equal(Buffer.from(mech.body.symmetricKey?.primaryKey ?? '', 'base64').length, 64);
      const tpm = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollmentGroups/grp-tpm', body: { enrollmentGroupId: 'grp-tpm', attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } } } });
      assert.equal(tpm.status, 400);
      assert.match(tpm.body.message, /TPM/);
      const client = await request<ErrorBody>(t.emu, { method: 'PUT', path: '/enrollmentGroups/grp-x', body: { enrollmentGroupId: 'grp-x', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: 'x' } } } } } });
      assert.equal(client.status, 400);
      assert.equal((await request(t.emu, { method: 'DELETE', path: '/enrollmentGroups/grp-crud', headers: { 'if-match': 'stale' } })).status, 412);
      assert.equal((await request(t.emu, { method: 'DELETE', path: '/enrollmentGroups/grp-crud' })).status, 204);
      assert.equal((await request(t.emu, { method: 'GET', path: '/enrollmentGroups/grp-crud' })).status, 404);
    });
  });

  void describe('bulk', () => {
    const bulk = (enrollments: unknown[], mode = 'create') =>
      request<BulkEnrollmentOperationResult & ErrorBody>(t.emu, { method: 'POST', path: '/enrollments', body: { mode, enrollments } });

    void test('11 items are refused as a whole and nothing is applied', async () => {
      const items = Array.from({ length: 11 }, (_, i) => symmetric(`eleven-${i}`));
      const r = await bulk(items);
      assert.equal(r.status, 400);
      assert.match(r.body.message, /at most 10/);
      assert.equal(t.emu.store.enrollments.get('eleven-0'), undefined);
    });

    void test('duplicate ids (case-insensitive) are refused as a whole', async () => {
      const r = await bulk([symmetric('dup-1'), symmetric('DUP-1')]);
      assert.equal(r.status, 400);
      assert.match(r.body.message, /more than once/);
      assert.equal(t.emu.store.enrollments.get('dup-1'), undefined);
    });

    void test('per-item failures are reported while valid items are applied', async () => {
      await bulk([symmetric('bulk-existing')]);
      const r = await bulk([symmetric('bulk-new-1'), symmetric('bulk-existing'), { registrationId: 'bulk-bad', attestation: { type: 'nope' } }, symmetric('bulk-new-2')]);
      assert.equal(r.status, 200);
      assert.equal(r.body.isSuccessful, false);
      const byId = new Map((r.body.errors ?? []).map((e) => [e.registrationId, e]));
      assert.equal(Math.floor((byId.get('bulk-existing')?.errorCode ?? 0) / 1000), 409);
      assert.equal(Math.floor((byId.get('bulk-bad')?.errorCode ?? 0) / 1000), 400);
      assert.equal(byId.size, 2);
      assert.ok(t.emu.store.enrollments.get('bulk-new-1'));
      assert.ok(t.emu.store.enrollments.get('bulk-new-2'));
    });

    void test('update, updateIfMatchETag (both spellings) and delete', async () => {
      const ok = await bulk([symmetric('bulk-upd-1'), symmetric('bulk-upd-2')], 'update');
      assert.deepEqual([ok.status, ok.body.isSuccessful, ok.body.errors], [200, true, []]);
      const current = t.emu.store.enrollments.get('bulk-upd-1')?.etag;
      const etagged = await bulk([symmetric('bulk-upd-1', { etag: current }), symmetric('bulk-upd-2', { etag: '"stale"' })], 'updateIfMatchEtag');
      assert.equal(etagged.body.isSuccessful, false);
      assert.deepEqual(etagged.body.errors?.map((e) => [e.registrationId, Math.floor(e.errorCode / 1000)]), [['bulk-upd-2', 412]]);
      assert.notEqual(t.emu.store.enrollments.get('bulk-upd-1')?.etag, current);
      const del = await bulk([symmetric('bulk-upd-1'), symmetric('bulk-missing')], 'delete');
      assert.deepEqual(del.body.errors?.map((e) => [e.registrationId, Math.floor(e.errorCode / 1000)]), [['bulk-missing', 404]]);
      assert.equal(t.emu.store.enrollments.get('bulk-upd-1'), undefined);
      assert.equal((await bulk([symmetric('x')], 'upsert')).status, 400);
    });

    void test('group bulk uses enrollmentGroupId in its errors', async () => {
      const r = await request<{ isSuccessful: boolean; errors: Array<{ enrollmentGroupId: string; errorCode: number }> }>(t.emu, {
        method: 'POST', path: '/enrollmentGroups', body: { mode: 'create', enrollmentGroups: [group('bulk-grp-1'), group('bulk-grp-1b')] },
      });
      assert.equal(r.body.isSuccessful, true);
      const again = await request<{ isSuccessful: boolean; errors: Array<{ enrollmentGroupId: string; errorCode: number }> }>(t.emu, {
        method: 'POST', path: '/enrollmentGroups', body: { mode: 'create', enrollmentGroups: [group('bulk-grp-1')] },
      });
      assert.equal(again.body.errors[0]?.enrollmentGroupId, 'bulk-grp-1');
    });
  });

  void describe('paging', () => {
    before(async () => {
      for (let b = 0; b < 5; b++) {
        const items = Array.from({ length: 10 }, (_, i) => group(`page-${String(b * 10 + i).padStart(2, '0')}`));
        await request(t.emu, { method: 'POST', path: '/enrollmentGroups', body: { mode: 'update', enrollmentGroups: items } });
      }
    });

    void test('pages follow x-ms-continuation until it disappears, each item once', async () => {
      const seen: string[] = [];
      let continuation: string | undefined;
      let pages = 0;
      do {
        const headers: Record<string, string> = { 'x-ms-max-item-count': '7' };
        if (continuation) headers['x-ms-continuation'] = continuation;
        const r = await request<EnrollmentGroup[]>(t.emu, { method: 'POST', path: '/enrollmentGroups/query', headers, body: { query: 'SELECT * FROM enrollmentGroups' } });
        assert.equal(r.status, 200);
        assert.equal(r.headers['x-ms-item-type'], 'EnrollmentGroup');
        assert.equal(r.headers['x-ms-max-item-count'], undefined, 'not echoed (recording test_individual_enrollment_paging)');
        assert.ok(r.body.length <= 7);
        seen.push(...r.body.map((g) => g.enrollmentGroupId));
        continuation = r.headers['x-ms-continuation'] as string | undefined;
        pages += 1;
      } while (continuation !== undefined && pages < 100);
      const total = t.emu.store.counts().enrollmentGroups;
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total);
      assert.equal(pages, Math.ceil(total / 7));
    });

    void test('page size is capped at maxPageSize', async () => {
      const r = await request<EnrollmentGroup[]>(t.emu, { method: 'POST', path: '/enrollmentGroups/query', headers: { 'x-ms-max-item-count': '500' }, body: { query: '*' } });
      assert.equal(r.body.length, 20);
      assert.ok(r.headers['x-ms-continuation']);
    });

    void test('bad continuation tokens, tokens of another query and a missing body are 400', async () => {
      const garbage = await request(t.emu, { method: 'POST', path: '/enrollments/query', headers: { 'x-ms-continuation': '!!notatoken' }, body: { query: '*' } });
      assert.equal(garbage.status, 400);
      const first = await request(t.emu, { method: 'POST', path: '/enrollmentGroups/query', headers: { 'x-ms-max-item-count': '1' }, body: { query: '*' } });
      const foreign = await request(t.emu, { method: 'POST', path: '/enrollments/query', headers: { 'x-ms-continuation': String(first.headers['x-ms-continuation']) }, body: { query: '*' } });
      assert.equal(foreign.status, 400);
      assert.equal((await request(t.emu, { method: 'POST', path: '/enrollments/query' })).status, 400);
      assert.equal((await request(t.emu, { method: 'POST', path: '/enrollments/query', headers: { 'x-ms-max-item-count': 'ten' }, body: { query: '*' } })).status, 400);
    });
  });

  void describe('device registration and registration states', () => {
    // The device API answers 202 "assigning"; the device polls the operation until it settles.
    const register = async (registrationId: string, key: string) => {
      const idScope = t.emu.idScope;
      const device = { apiVersion: '2021-06-01', skipSpecCheck: true, authorization: deviceToken(idScope, registrationId, key) };
      const put = await request<{ operationId: string; status: string; registrationState: DeviceRegistrationState }>(t.emu, {
        method: 'PUT', path: `/${idScope}/registrations/${registrationId}/register`, body: { registrationId }, ...device,
      });
      if (put.status !== 202) return put;
      for (;;) {
        const op = await request<{ operationId: string; status: string; registrationState: DeviceRegistrationState }>(t.emu, {
          method: 'GET', path: `/${idScope}/registrations/${registrationId}/operations/${put.body.operationId}`, ...device,
        });
        if (op.body.status !== 'assigning') return op;
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    void test('group devices register with the derived key; states are read, queried, paged and deleted', async () => {
      await request(t.emu, { method: 'PUT', path: '/enrollmentGroups/reg-grp', body: group('reg-grp', { iotHubs: ['hub-a.azure-devices.net'] }) });
      const mech = await request<AttestationMechanism>(t.emu, { method: 'POST', path: '/enrollmentGroups/reg-grp/attestationmechanism' });
      const groupKey = mech.body.symmetricKey?.primaryKey ?? '';
      for (const id of ['reg-dev-3', 'reg-dev-1', 'reg-dev-2']) {
        const r = await register(id, deviceKey(groupKey, id));
        assert.equal(r.status, 200);
        assert.equal(r.body.status, 'assigned');
        assert.equal(r.body.registrationState.assignedHub, 'hub-a.azure-devices.net');
      }
      const wrong = await register('reg-dev-4', deviceKey(Buffer.alloc(32, 1).toString('base64'), 'reg-dev-4'));
      assert.equal(wrong.status, 401);

      const state = await request<DeviceRegistrationState>(t.emu, { method: 'GET', path: '/registrations/reg-dev-1' });
      assert.equal(state.status, 200);
      assert.equal(state.body.deviceId, 'reg-dev-1');

      const page1 = await request<DeviceRegistrationState[]>(t.emu, { method: 'POST', path: '/registrations/reg-grp/query', headers: { 'x-ms-max-item-count': '2' } });
      assert.equal(page1.headers['x-ms-item-type'], 'DeviceRegistration');
      assert.equal(page1.body.length, 2);
      const page2 = await request<DeviceRegistrationState[]>(t.emu, { method: 'POST', path: '/registrations/reg-grp/query', body: { query: '*' }, headers: { 'x-ms-max-item-count': '2', 'x-ms-continuation': String(page1.headers['x-ms-continuation']) } });
      // No order is promised (recording test_individual_enrollment_paging), only each state once.
      assert.deepEqual([...page1.body, ...page2.body].map((s) => s.registrationId).sort(), ['reg-dev-1', 'reg-dev-2', 'reg-dev-3']);
      assert.equal(page2.headers['x-ms-continuation'], undefined);

      assert.equal((await request(t.emu, { method: 'DELETE', path: '/registrations/reg-dev-1', headers: { 'if-match': 'stale' } })).status, 412);
      assert.equal((await request(t.emu, { method: 'DELETE', path: '/registrations/reg-dev-1', headers: { 'if-match': String(state.body.etag) } })).status, 204);
      assert.equal((await request(t.emu, { method: 'GET', path: '/registrations/reg-dev-1' })).status, 404);
      assert.equal((await request(t.emu, { method: 'POST', path: '/registrations/no-such-group/query' })).status, 404);

      // Deleting the group keeps its registration states (documented choice).
      await request(t.emu, { method: 'DELETE', path: '/enrollmentGroups/reg-grp' });
      const kept = await request<DeviceRegistrationState[]>(t.emu, { method: 'POST', path: '/registrations/reg-grp/query' });
      assert.equal(kept.body.length, 2);
    });

    void test('an individual enrollment shows the registrationState of its device', async () => {
      await request(t.emu, { method: 'PUT', path: '/enrollments/ind-reg-1', body: symmetric('ind-reg-1', { deviceId: 'thermo-7' }) });
      const mech = await request<AttestationMechanism>(t.emu, { method: 'POST', path: '/enrollments/ind-reg-1/attestationmechanism' });
      const r = await register('ind-reg-1', mech.body.symmetricKey?.secondaryKey ?? '');
      assert.equal(r.status, 200);
      assert.equal(r.body.registrationState.assignedHub, 'emulated-hub.azure-devices.net');
      const e = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/ind-reg-1' });
      assert.equal(e.body.registrationState?.deviceId, 'thermo-7');
      assert.equal(e.body.registrationState?.status, 'assigned');
    });
  });
});

void describe('quota', () => {
  void test('operations beyond the per-minute quota get 429 with Retry-After', async () => {
    const t = await startTestEmulator({ quota: { operationsPerMinute: 5 } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await request(t.emu, { method: 'GET', path: '/enrollments/q' })).status, 404);
      const throttled = await request<ErrorBody>(t.emu, { method: 'GET', path: '/enrollments/q' });
      assert.equal(throttled.status, 429);
      const retryAfter = Number(throttled.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(t.emu.stats().throttled, 1);
      t.emu.setQuota(undefined);
      assert.equal((await request(t.emu, { method: 'GET', path: '/enrollments/q' })).status, 404);
    } finally {
      await t.dispose();
    }
  });
});

void describe('fault injection', () => {
  let t: TestEmulator;
  before(async () => {
    t = await startTestEmulator();
  });
  after(() => t.dispose());

  for (const [kind, status] of [['429', 429], ['500', 500], ['503', 503]] as const) {
    void test(`kind ${kind} answers ${status}`, async () => {
      t.emu.setFaults({ rate: 1, kinds: [kind], retryAfterSeconds: 2 });
      const r = await request(t.emu, { method: 'GET', path: '/enrollments/f' });
      t.emu.setFaults(undefined);
      assert.equal(r.status, status);
      if (kind !== '500') assert.equal(r.headers['retry-after'], '2');
    });
  }

  void test('kind reset drops the connection', async () => {
    t.emu.setFaults({ rate: 1, kinds: ['reset'] });
    await assert.rejects(request(t.emu, { method: 'GET', path: '/enrollments/f' }), /socket hang up|ECONNRESET/);
    t.emu.setFaults(undefined);
  });

  void test('kind delay answers normally after the delay', async () => {
    t.emu.setFaults({ rate: 1, kinds: ['delay'], delayMs: 300 });
    const started = Date.now();
    const r = await request(t.emu, { method: 'GET', path: '/enrollments/f' });
    t.emu.setFaults(undefined);
    assert.equal(r.status, 404);
    assert.ok(Date.now() - started >= 290);
  });

  void test('applyAfterProcessing sometimes applies the write before failing; rate 0.5 with a seed is repeatable', async () => {
    t.emu.setFaults({ rate: 1, kinds: ['500'], applyAfterProcessing: true, seed: 42 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(t.emu, { method: 'PUT', path: `/enrollments/aap-${i}`, body: symmetric(`aap-${i}`) })).status);
    t.emu.setFaults(undefined);
    assert.ok(statuses.every((s) => s === 500));
    const applied = Array.from({ length: 12 }, (_, i) => t.emu.store.enrollments.get(`aap-${i}`) !== undefined).filter(Boolean).length;
    assert.ok(applied > 0 && applied < 12, `applied ${applied} of 12`);

    const run = async () => {
      t.emu.setFaults({ rate: 0.5, kinds: ['503'], seed: 7 });
      const out: number[] = [];
      for (let i = 0; i < 10; i++) out.push((await request(t.emu, { method: 'GET', path: '/enrollments/f' })).status);
      return out;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(503) && first.includes(404));
    t.emu.setFaults(undefined);
    assert.ok(t.emu.stats().faultsInjected >= 12);
  });
});
