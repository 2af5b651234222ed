// Replays of recorded live-service traffic for individual enrollments, against the emulator.
// Recordings: Azure/azure-sdk-for-python sdk/iothub/azure-iot-deviceprovisioning/tests/recordings/
// test_individual_enrollments.pyTestIndividualEnrollments<name>.json (api-version 2021-10-01).
// Each test names the recording its facts come from; requests are rebuilt here with the emulator's SAS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IndividualEnrollment } from '../../src/dps/models';
import { issueCertificate } from '../../src/emulator/certificateFactory';
import { rsaEndorsementKey } from '../support/attestation';
import { request, serviceToken, startTestEmulator, type TestEmulator } from '../support/emulator';
import {
  CERTIFICATE_TIMESTAMP, assertKeys, assertNoUnrecordedHeaders, assertRecordShape, base64Key, registerDevice,
} from '../support/replay';

/** The null-heavy request body the Python SDK sends. */
function pythonSdkBody(id: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    registrationId: id, allocationPolicy: 'static', capabilities: null, reprovisionPolicy: null, customAllocationDefinition: null,
    provisioningStatus: null, deviceId: null, optionalDeviceInformation: null, iotHubs: null, iotHubHostName: null, initialTwin: null,
    ...extra,
  };
}

const symmetricBody = (id: string) => pythonSdkBody(id, {
  attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: base64Key(1), secondaryKey: base64Key(2) } },
  allocationPolicy: 'geoLatency', reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: true },
  deviceId: `${id}-device`, initialTwin: { properties: { desired: { key: 'value' } } },
});

const RECORDED_SYMMETRIC_KEYS = ['registrationId', 'deviceId', 'attestation', 'initialTwin', 'etag', 'provisioningStatus',
  'reprovisionPolicy', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'allocationPolicy'];

void describe('replay: individual enrollments', () => {
  let t: TestEmulator;
  before(async () => {
    t = await startTestEmulator();
  });
  after(() => t.dispose());
  const put = (id: string, body: unknown, headers?: Record<string, string>) =>
    request<IndividualEnrollment>(t.emu, { method: 'PUT', path: `/enrollments/${id}`, body, headers });
  const get = (id: string) => request<IndividualEnrollment>(t.emu, { method: 'GET', path: `/enrollments/${id}` });
  const query = (headers?: Record<string, string>) =>
    request<IndividualEnrollment[]>(t.emu, { method: 'POST', path: '/enrollments/query', body: { query: 'SELECT *' }, headers });

  // test_enrollment_symmetrickey_lifecycle: PUT 200 echoes the keys; nulls dropped except provisioningStatus.
  void test('symmetric-key PUT echoes the keys and keeps provisioningStatus null', async () => {
    const r = await put('sym_enrollment_a1', symmetricBody('sym_enrollment_a1'));
    assert.equal(r.status, 200);
    assertKeys(r.body, RECORDED_SYMMETRIC_KEYS, 'PUT response');
    assert.deepEqual(r.body.attestation, { type: 'symmetricKey', symmetricKey: { primaryKey: base64Key(1), secondaryKey: base64Key(2) } });
    assert.equal(r.body.provisioningStatus, null);
    assert.equal(r.body.createdDateTimeUtc, r.body.lastUpdatedDateTimeUtc);
    assertRecordShape(r.body);
    assertNoUnrecordedHeaders(r);
  });

  // test_enrollment_symmetrickey_lifecycle: GET carries no symmetricKey member and an unassigned registrationState.
  void test('GET hides the keys entirely and says the enrollment is unassigned', async () => {
    await put('sym_enrollment_a2', symmetricBody('sym_enrollment_a2'));
    const r = await get('sym_enrollment_a2');
    assert.equal(r.status, 200);
    assertKeys(r.body, [...RECORDED_SYMMETRIC_KEYS, 'registrationState'], 'GET response');
    assert.deepEqual(r.body.attestation, { type: 'symmetricKey' });
    assert.deepEqual(r.body.registrationState, { registrationId: 'sym_enrollment_a2', status: 'unassigned' });
    assertNoUnrecordedHeaders(r);
  });

  // test_enrollment_symmetrickey_lifecycle: query items have the PUT's key set minus the keys, no registrationState.
  void test('query items carry no keys and no registrationState; headers as recorded', async () => {
    const created = await put('sym_enrollment_a3', symmetricBody('sym_enrollment_a3'));
    const r = await query();
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-ms-item-type'], 'Enrollment');
    assert.equal(r.headers['x-ms-continuation'], undefined, 'a single page is the last page');
    assertNoUnrecordedHeaders(r);
    const item = r.body.find((e) => e.registrationId === 'sym_enrollment_a3');
    assertKeys(item, RECORDED_SYMMETRIC_KEYS, 'query item');
    assert.deepEqual(item?.attestation, { type: 'symmetricKey' });
    assert.equal(item?.etag, created.body.etag);
  });

  // test_enrollment_symmetrickey_lifecycle: the keys come only from POST .../attestationmechanism.
  void test('attestationmechanism returns the keys', async () => {
    await put('sym_enrollment_a4', symmetricBody('sym_enrollment_a4'));
    const r = await request(t.emu, { method: 'POST', path: '/enrollments/sym_enrollment_a4/attestationmechanism' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { type: 'symmetricKey', symmetricKey: { primaryKey: base64Key(1), secondaryKey: base64Key(2) } });
  });

  // test_enrollment_symmetrickey_lifecycle: If-Match carries the body's etag verbatim; a new etag and
  // lastUpdated come back, created stays.
  void test('update with If-Match set to the body etag verbatim', async () => {
    const first = await put('sym_enrollment_a5', symmetricBody('sym_enrollment_a5'));
    const body = { ...symmetricBody('sym_enrollment_a5'), provisioningStatus: 'disabled', allocationPolicy: 'custom',
      customAllocationDefinition: { webhookUrl: 'https://www.test.test', apiVersion: '2019-03-31' } };
    const r = await put('sym_enrollment_a5', body, { 'if-match': String(first.body.etag) });
    assert.equal(r.status, 200);
    assert.notEqual(r.body.etag, first.body.etag);
    assert.equal(r.body.createdDateTimeUtc, first.body.createdDateTimeUtc);
    assert.equal(r.body.provisioningStatus, 'disabled');
    assert.deepEqual(r.body.customAllocationDefinition, { webhookUrl: 'https://www.test.test', apiVersion: '2019-03-31' });
    assertRecordShape(r.body);
    // FIDELITY.md: a stale If-Match is 412.
    const stale = await put('sym_enrollment_a5', body, { 'if-match': String(first.body.etag) });
    assert.equal(stale.status, 412);
    // Robustness (not recorded): the quoted form of the current etag is accepted too.
    const quoted = await put('sym_enrollment_a5', body, { 'if-match': `"${String(r.body.etag)}"` });
    assert.equal(quoted.status, 200);
  });

  // test_enrollment_symmetrickey_lifecycle (second enrollment): null keys make the service generate them.
  void test('null keys are generated and echoed', async () => {
    const r = await put('sym_enrollment2_a6', pythonSdkBody('sym_enrollment2_a6', {
      attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: null, secondaryKey: null } },
      allocationPolicy: 'custom', customAllocationDefinition: { webhookUrl: 'https://www.test.test', apiVersion: '2019-03-31' },
    }));
    assert.equal(r.status, 200);
    assertKeys(r.body, ['registrationId', 'attestation', 'etag', 'provisioningStatus', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc',
      'allocationPolicy', 'customAllocationDefinition'], 'PUT response');
    const keys = r.body.attestation.symmetricKey;
    assert.ok(typeof keys?.primaryKey === 'string' && keys.primaryKey.length > 0 && typeof keys.secondaryKey === 'string');
  });

  // test_enrollment_tpm_lifecycle: the EK is echoed everywhere (it is public), registrationState unassigned on GET.
  void test('TPM enrollment: EK shown in PUT, GET, query and attestationmechanism', async () => {
    const ek = rsaEndorsementKey().toString('base64');
    const body = pythonSdkBody('ind_enroll_tpm_a7', { attestation: { type: 'tpm', tpm: { endorsementKey: ek } }, provisioningStatus: 'enabled', deviceId: 'device_a7' });
    const created = await put('ind_enroll_tpm_a7', body);
    assert.equal(created.status, 200);
    const recorded = ['registrationId', 'deviceId', 'attestation', 'etag', 'provisioningStatus', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'allocationPolicy'];
    assertKeys(created.body, recorded, 'PUT response');
    assert.deepEqual(created.body.attestation, { type: 'tpm', tpm: { endorsementKey: ek } });
    const read = await get('ind_enroll_tpm_a7');
    assertKeys(read.body, [...recorded, 'registrationState'], 'GET response');
    assert.deepEqual(read.body.attestation, { type: 'tpm', tpm: { endorsementKey: ek } });
    const listed = (await query()).body.find((e) => e.registrationId === 'ind_enroll_tpm_a7');
    assertKeys(listed, recorded, 'query item');
    const mechanism = await request(t.emu, { method: 'POST', path: '/enrollments/ind_enroll_tpm_a7/attestationmechanism' });
    assert.deepEqual(mechanism.body, { type: 'tpm', tpm: { endorsementKey: ek } });
    const updated = await put('ind_enroll_tpm_a7', { ...body, provisioningStatus: 'disabled', optionalDeviceInformation: { additionalProperties: { hello: 'world' } } },
      { 'if-match': String(read.body.etag) });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.optionalDeviceInformation, { additionalProperties: { hello: 'world' } });
  });

  // FIDELITY.md (Azure/azure-iot-sdk-c issues 937 and 1955): base64 that is not a TPM2B_PUBLIC is refused.
  void test('an EK that is not a TPM2B_PUBLIC is 400 / 400004 with the service text', async () => {
    const notAnEk = Buffer.from('definitely not a TPM public area').toString('base64');
    const r = await put('ind_enroll_tpm_a8', pythonSdkBody('ind_enroll_tpm_a8', { attestation: { type: 'tpm', tpm: { endorsementKey: notAnEk } } }));
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-ms-error-code'], '400004');
    assert.deepEqual(r.body, { ...(r.body as object), errorCode: 400004, message: 'Endorsement key is invalid, or does not match the Enrollment.' });
    assert.equal((await get('ind_enroll_tpm_a8')).status, 404, 'nothing stored');
  });

  // test_enrollment_x509_lifecycle: certificate info shape; no certificate body in any answer.
  void test('X.509 enrollment: info has the recorded fields and formats', async () => {
    const cert = issueCertificate({ commonName: 'enroll_cert_a9', isCa: false, validDays: 1, clientAuth: true });
    const body = pythonSdkBody('x509_enrollment_a9', {
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: cert.certificatePem }, secondary: { certificate: cert.certificatePem } } } },
      provisioningStatus: 'enabled', allocationPolicy: 'hashed', deviceId: 'x509_device_a9', reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: true },
    });
    const created = await put('x509_enrollment_a9', body);
    assert.equal(created.status, 200);
    for (const r of [created, await get('x509_enrollment_a9')]) {
      for (const slot of ['primary', 'secondary'] as const) {
        const entry = r.body.attestation.x509?.clientCertificates?.[slot];
        assertKeys(entry, ['info'], `${slot} entry`);
        const info = entry?.info;
        assertKeys(info, ['subjectName', 'sha1Thumbprint', 'sha256Thumbprint', 'issuerName', 'notBeforeUtc', 'notAfterUtc', 'serialNumber', 'version'], 'info');
        assert.match(String(info?.subjectName), /^CN=enroll_cert_a9(, |$)/);
        assert.match(String(info?.notBeforeUtc), CERTIFICATE_TIMESTAMP);
        assert.match(String(info?.notAfterUtc), CERTIFICATE_TIMESTAMP);
        assert.match(String(info?.serialNumber), /^[0-9A-F]+$/);
        assert.equal(info?.version, 3);
      }
    }
  });

  // FIDELITY.md / recorded GET shape: once a device has registered, GET shows its real state.
  void test('GET shows the real registration state after the device registered', async () => {
    await put('sym_enrollment_a10', symmetricBody('sym_enrollment_a10'));
    assert.equal((await registerDevice(t.emu, 'sym_enrollment_a10', base64Key(1))).status, 200);
    const r = await get('sym_enrollment_a10');
    assert.equal(r.body.registrationState?.status, 'assigned');
    assert.equal(r.body.registrationState?.registrationId, 'sym_enrollment_a10');
    assert.equal(typeof r.body.registrationState?.assignedHub, 'string');
  });

  // test_enrollment_tpm_lifecycle: DELETE is 204 with no body; the next query no longer lists it.
  void test('DELETE is 204 and the enrollment is gone from the query', async () => {
    await put('sym_enrollment_a11', symmetricBody('sym_enrollment_a11'));
    const r = await request(t.emu, { method: 'DELETE', path: '/enrollments/sym_enrollment_a11' });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assert.ok(!(await query()).body.some((e) => e.registrationId === 'sym_enrollment_a11'));
  });

  // FIDELITY.md: unknown enrollment 404/404201; error body {errorCode, trackingId, message, timestampUtc}.
  void test('an unknown enrollment is 404 / 404201 with the service error body', async () => {
    const r = await get('no_such_enrollment');
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-ms-error-code'], '404201');
    assertKeys(r.body, ['errorCode', 'trackingId', 'message', 'timestampUtc'], 'error body');
    assert.equal((r.body as unknown as { errorCode: number }).errorCode, 404201);
  });

  // FIDELITY.md: a wrong key is 401/401002.
  void test('a token signed with the wrong key is 401 / 401002', async () => {
    const r = await request(t.emu, { method: 'GET', path: '/enrollments/sym_enrollment_a1', authorization: serviceToken(t.emu, { key: base64Key(9) }) });
    assert.equal(r.status, 401);
    assert.equal(r.headers['x-ms-error-code'], '401002');
  });
});
