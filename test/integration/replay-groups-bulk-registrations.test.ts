// Replays of recorded live-service traffic for enrollment groups, bulk operations, registration
// states and paging, against the emulator. Recordings: Azure/azure-sdk-for-python
// sdk/iothub/azure-iot-deviceprovisioning/tests/recordings/ (api-version 2021-10-01); each test
// names its recording file. Requests are rebuilt here with the emulator's SAS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BulkEnrollmentOperationResult, DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import { issueCertificate } from '../../src/emulator/certificateFactory';
import { rsaEndorsementKey } from '../support/attestation';
import { request, startTestEmulator, type TestEmulator } from '../support/emulator';
import {
  CERTIFICATE_TIMESTAMP, assertKeys, assertNoUnrecordedHeaders, assertRecordShape, base64Key, derivedDeviceKey, registerDevice,
} from '../support/replay';

const GROUPS = 'test_enrollment_groups.pyTestEnrollmentGroups';

const groupBody = (id: string, extra: Record<string, unknown> = {}) => ({
  enrollmentGroupId: id, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: null, secondaryKey: null } },
  allocationPolicy: 'static', capabilities: null, provisioningStatus: null, reprovisionPolicy: null, iotHubs: null,
  iotHubHostName: null, initialTwin: null, customAllocationDefinition: null, ...extra,
});

const tpmEnrollment = (id: string, ek: string) => ({
  registrationId: id, attestation: { type: 'tpm', tpm: { endorsementKey: ek } }, allocationPolicy: 'static', provisioningStatus: 'enabled', deviceId: `${id}-device`,
});
const symmetricEnrollment = (id: string) => ({
  registrationId: id, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: base64Key(3), secondaryKey: base64Key(4) } },
  allocationPolicy: 'geoLatency', provisioningStatus: null, reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: true },
});

void describe('replay: groups, bulk, registration states, paging', () => {
  let t: TestEmulator;
  before(async () => {
    t = await startTestEmulator();
  });
  after(() => t.dispose());
  const bulk = (path: string, body: unknown) => request<BulkEnrollmentOperationResult>(t.emu, { method: 'POST', path, body });

  // test_enrollment_groups.pyTestEnrollmentGroupstest_enrollment_group_symmetrickey_lifecycle (and the group PUT in
  // test_device_registration_lifecycle): PUT echoes generated keys, GET leaves the symmetricKey member out.
  void test(`${GROUPS}test_enrollment_group_symmetrickey_lifecycle: keys echoed by PUT, absent from GET and query`, async () => {
    const created = await request<EnrollmentGroup>(t.emu, { method: 'PUT', path: '/enrollmentGroups/grp_sym_b1', body: groupBody('grp_sym_b1') });
    assert.equal(created.status, 200);
    assertKeys(created.body, ['enrollmentGroupId', 'attestation', 'etag', 'provisioningStatus', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'allocationPolicy'], 'group PUT');
    assert.equal(typeof created.body.attestation.symmetricKey?.primaryKey, 'string');
    assert.equal(created.body.provisioningStatus, null);
    assertRecordShape(created.body);
    const read = await request<EnrollmentGroup>(t.emu, { method: 'GET', path: '/enrollmentGroups/grp_sym_b1' });
    assert.deepEqual(read.body.attestation, { type: 'symmetricKey' });
    assert.equal('registrationState' in read.body, false);
    assertNoUnrecordedHeaders(read);
    const listed = await request<EnrollmentGroup[]>(t.emu, { method: 'POST', path: '/enrollmentGroups/query', body: { query: 'SELECT *' } });
    assert.equal(listed.headers['x-ms-item-type'], 'EnrollmentGroup');
    assertNoUnrecordedHeaders(listed);
    assert.deepEqual(listed.body.find((g) => g.enrollmentGroupId === 'grp_sym_b1')?.attestation, { type: 'symmetricKey' });
  });

  // test_enrollment_groups.pyTestEnrollmentGroupstest_enrollment_group_x509_lifecycle: signing certificates come
  // back as `info` only (eight fields) in PUT and GET; nulls sent are left out; an If-Match update to a custom
  // allocation answers 200 with a new etag and the same createdDateTimeUtc; DELETE is 204; the query is then
  // empty. Only response shapes are compared: the recorded request bodies were scrubbed (one slot shown, two answered).
  void test(`${GROUPS}test_enrollment_group_x509_lifecycle: certificate info only; update with If-Match; delete`, async () => {
    const cert = issueCertificate({ commonName: 'enroll_cert_c1', isCa: true, validDays: 1 });
    const body = groupBody('x509_enroll_grp_c1', {
      attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: cert.certificatePem }, secondary: { certificate: cert.certificatePem } } } },
      allocationPolicy: 'hashed', provisioningStatus: 'enabled', reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: true },
    });
    const created = await request<EnrollmentGroup>(t.emu, { method: 'PUT', path: '/enrollmentGroups/x509_enroll_grp_c1', body });
    assert.equal(created.status, 200);
    const read = await request<EnrollmentGroup>(t.emu, { method: 'GET', path: '/enrollmentGroups/x509_enroll_grp_c1' });
    for (const [label, r] of [['PUT', created], ['GET', read]] as const) {
      assertKeys(r.body, ['enrollmentGroupId', 'attestation', 'etag', 'provisioningStatus', 'reprovisionPolicy', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'allocationPolicy'], `group ${label}`);
      assertRecordShape(r.body);
      for (const slot of ['primary', 'secondary'] as const) {
        const entry = r.body.attestation.x509?.signingCertificates?.[slot];
        assertKeys(entry, ['info'], `${label} ${slot}`);
        assertKeys(entry?.info, ['subjectName', 'sha1Thumbprint', 'sha256Thumbprint', 'issuerName', 'notBeforeUtc', 'notAfterUtc', 'serialNumber', 'version'], `${label} ${slot} info`);
        assert.match(String(entry?.info?.notAfterUtc), CERTIFICATE_TIMESTAMP);
        assert.match(String(entry?.info?.serialNumber), /^[0-9A-F]+$/);
      }
    }
    assertNoUnrecordedHeaders(read);

    const updated = await request<EnrollmentGroup>(t.emu, {
      method: 'PUT', path: '/enrollmentGroups/x509_enroll_grp_c1', headers: { 'if-match': created.body.etag ?? '' },
      body: { ...body, allocationPolicy: 'custom', provisioningStatus: 'disabled', customAllocationDefinition: { webhookUrl: 'https://www.test.test', apiVersion: '2019-03-31' } },
    });
    assert.equal(updated.status, 200);
    assertKeys(updated.body, ['enrollmentGroupId', 'attestation', 'etag', 'provisioningStatus', 'reprovisionPolicy', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'allocationPolicy', 'customAllocationDefinition'], 'group update');
    assert.notEqual(updated.body.etag, created.body.etag);
    assert.equal(updated.body.createdDateTimeUtc, created.body.createdDateTimeUtc);
    assert.ok(String(updated.body.lastUpdatedDateTimeUtc) >= String(created.body.lastUpdatedDateTimeUtc));
    assert.deepEqual([updated.body.allocationPolicy, updated.body.provisioningStatus], ['custom', 'disabled']);

    const deleted = await request(t.emu, { method: 'DELETE', path: '/enrollmentGroups/x509_enroll_grp_c1' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    const listed = await request<EnrollmentGroup[]>(t.emu, { method: 'POST', path: '/enrollmentGroups/query', body: { query: 'SELECT *' } });
    assert.equal(listed.headers['x-ms-item-type'], 'EnrollmentGroup');
    assert.equal(listed.body.some((g) => g.enrollmentGroupId === 'x509_enroll_grp_c1'), false);
  });

  // test_individual_enrollments.pyTestIndividualEnrollmentstest_individual_enrollment_bulk_operations:
  // create -> {errors: [], isSuccessful: true}; update of the same (existing) items -> per-item 409201.
  void test('test_individual_enrollment_bulk_operations: bulk update of existing enrollments fails per item with 409201', async () => {
    const items = [tpmEnrollment('ind_enroll_tpm_b2', rsaEndorsementKey().toString('base64')), symmetricEnrollment('sym_key_enrollment_b2')];
    const created = await bulk('/enrollments', { enrollments: items, mode: 'create' });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, { isSuccessful: true, errors: [] });
    const before = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/sym_key_enrollment_b2' });
    const updated = await bulk('/enrollments', { enrollments: items.map((i) => ({ ...i, provisioningStatus: 'disabled' })), mode: 'update' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.isSuccessful, false);
    assert.deepEqual(updated.body.errors, [
      { registrationId: 'ind_enroll_tpm_b2', errorCode: 409201, errorStatus: 'Enrollment already exists.' },
      { registrationId: 'sym_key_enrollment_b2', errorCode: 409201, errorStatus: 'Enrollment already exists.' },
    ]);
    const after = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/sym_key_enrollment_b2' });
    assert.equal(after.body.etag, before.body.etag, 'the refused update changed nothing');
    const again = await bulk('/enrollments', { enrollments: items, mode: 'create' });
    assert.deepEqual(again.body.errors?.map((e) => e.errorCode), [409201, 409201], 'create of existing items: same per-item error');
    const deleted = await bulk('/enrollments', { enrollments: items, mode: 'delete' });
    assert.deepEqual(deleted.body, { isSuccessful: true, errors: [] });
  });

  // test_enrollment_groups.pyTestEnrollmentGroupstest_enrollment_group_bulk_operations: groups use 409202.
  void test(`${GROUPS}test_enrollment_group_bulk_operations: bulk update of existing groups fails per item with 409202`, async () => {
    const groups = [groupBody('grp_bulk_b3a'), groupBody('grp_bulk_b3b')];
    assert.deepEqual((await bulk('/enrollmentGroups', { enrollmentGroups: groups, mode: 'create' })).body, { isSuccessful: true, errors: [] });
    const updated = await bulk('/enrollmentGroups', { enrollmentGroups: groups, mode: 'update' });
    assert.equal(updated.body.isSuccessful, false);
    assert.deepEqual(updated.body.errors, groups.map((g) => ({ enrollmentGroupId: g.enrollmentGroupId, errorCode: 409202, errorStatus: 'EnrollmentGroup already exists.' })));
    assert.deepEqual((await bulk('/enrollmentGroups', { enrollmentGroups: groups, mode: 'delete' })).body, { isSuccessful: true, errors: [] });
  });

  // FIDELITY.md: updateIfMatchETag with the etags read first is how existing items are changed in bulk.
  void test('updateIfMatchETag with current etags updates existing enrollments', async () => {
    const item = symmetricEnrollment('sym_key_enrollment_b4');
    await bulk('/enrollments', { enrollments: [item], mode: 'create' });
    const read = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/sym_key_enrollment_b4' });
    const r = await bulk('/enrollments', { enrollments: [{ ...item, provisioningStatus: 'disabled', etag: read.body.etag }], mode: 'updateIfMatchETag' });
    assert.deepEqual(r.body, { isSuccessful: true, errors: [] });
    const after = await request<IndividualEnrollment>(t.emu, { method: 'GET', path: '/enrollments/sym_key_enrollment_b4' });
    assert.equal(after.body.provisioningStatus, 'disabled');
  });

  // test_device_registration.pyTestDeviceRegistrationtest_device_registration_lifecycle: the registration query takes
  // no body; empty -> []; after a device registers its state has the recorded fields; DELETE 204 empties it.
  void test('test_device_registration_lifecycle: registration states of a group', async () => {
    const group = await request<EnrollmentGroup>(t.emu, { method: 'PUT', path: '/enrollmentGroups/reg_enroll_grp_b5', body: groupBody('reg_enroll_grp_b5', { iotHubs: ['hub-b5.azure-devices.net'] }) });
    const queryStates = () => request<DeviceRegistrationState[]>(t.emu, { method: 'POST', path: '/registrations/reg_enroll_grp_b5/query' });
    const empty = await queryStates();
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, []);
    assert.equal(empty.headers['x-ms-item-type'], 'DeviceRegistration');
    assertNoUnrecordedHeaders(empty);
    const groupKey = String(group.body.attestation.symmetricKey?.primaryKey);
    assert.equal((await registerDevice(t.emu, 'device-b5', derivedDeviceKey(groupKey, 'device-b5'))).status, 200);
    const state = await request<DeviceRegistrationState>(t.emu, { method: 'GET', path: '/registrations/device-b5' });
    assert.equal(state.status, 200);
    assertKeys(state.body, ['registrationId', 'createdDateTimeUtc', 'assignedHub', 'deviceId', 'status', 'substatus', 'lastUpdatedDateTimeUtc', 'etag'], 'registration state');
    assert.equal(state.body.status, 'assigned');
    assert.equal(state.body.substatus, 'initialAssignment');
    assertRecordShape(state.body);
    assert.deepEqual((await queryStates()).body, [state.body]);
    assert.equal((await request(t.emu, { method: 'DELETE', path: '/registrations/device-b5' })).status, 204);
    assert.deepEqual((await queryStates()).body, []);
  });

  // test_individual_enrollments.pyTestIndividualEnrollmentstest_individual_enrollment_paging: 150 enrollments; a query
  // without a page size still pages (continuation on the first page); with x-ms-max-item-count 50, three pages of 50,
  // x-ms-continuation on all but the last, no echo of the count; the order is not id order.
  void test('test_individual_enrollment_paging: pages, continuation and an order that is not by id', async () => {
    const ek = rsaEndorsementKey().toString('base64');
    const ids = Array.from({ length: 150 }, (_, x) => `ind_enroll_tpm_${x}7cef397f`);
    for (const id of ids) t.emu.store.enrollments.put(tpmEnrollment(id, ek) as IndividualEnrollment);
    const page = (headers: Record<string, string>) =>
      request<IndividualEnrollment[]>(t.emu, { method: 'POST', path: '/enrollments/query', body: { query: 'select *' }, headers });
    const unsized = await page({});
    assert.equal(typeof unsized.headers['x-ms-continuation'], 'string', 'the first of several pages carries a continuation');
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await page({ 'x-ms-max-item-count': '50', ...(token === undefined ? {} : { 'x-ms-continuation': token }) });
      assert.equal(r.status, 200);
      assertNoUnrecordedHeaders(r);
      const next = r.headers['x-ms-continuation'];
      token = typeof next === 'string' ? next : undefined;
      pages++;
      if (token !== undefined) assert.equal(r.body.length, 50);
      seen.push(...r.body.map((e) => e.registrationId).filter((id) => ids.includes(id)));
    } while (token !== undefined && pages < 10);
    assert.equal(new Set(seen).size, 150, 'every enrollment exactly once');
    assert.equal(seen.length, 150);
    assert.notDeepEqual(seen, [...seen].sort(), 'not sorted by id');
    assert.notDeepEqual(seen, [...seen].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), 'not in natural id order');
  });
});
