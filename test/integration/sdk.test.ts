// The official Node service SDK (azure-iot-provisioning-service) runs its operations against the
// emulator: a fidelity check that the emulator speaks the service's protocol.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ProvisioningServiceClient } from 'azure-iot-provisioning-service';
import type { BulkEnrollmentOperation, BulkEnrollmentOperationResult, IndividualEnrollment, EnrollmentGroup, DeviceRegistrationState } from 'azure-iot-provisioning-service/dist/interfaces';
import { startTestEmulator, type TestEmulator } from '../support/emulator';
import { officialSdkClient } from '../support/sdk';

const status = (error: unknown): number | undefined => (error as { response?: { statusCode?: number } }).response?.statusCode;
const rejectsWithStatus = async (promise: Promise<unknown>, expected: number) => {
  await assert.rejects(promise, (e: unknown) => status(e) === expected || assert.fail(`expected HTTP ${expected}, got ${String(status(e))}: ${String(e)}`));
};
// Query.next() without arguments drops the stored continuation token (SDK 1.x: the promise form
// reads its first argument as the token), so the token is passed explicitly, as callers must.
// QueryResult is typed { items }, but at runtime the SDK hands back the parsed body: a bare array.
const itemsOf = <T>(page: { responseBody: unknown }): T[] => {
  const body = page.responseBody as T[] | { items: T[] };
  return Array.isArray(body) ? body : body.items;
};
// The SDK's promise form of runBulkEnrollmentOperation never settles (it only calls back when a
// callback was passed: azure-iot-provisioning-service 1.x), so the callback form is used.
const runBulk = (sdk: ProvisioningServiceClient, operation: BulkEnrollmentOperation) =>
  new Promise<BulkEnrollmentOperationResult>((resolve, reject) => {
    sdk.runBulkEnrollmentOperation(operation, (err, result) => (err ? reject(err) : result ? resolve(result) : reject(new Error('no result'))));
  });
const symmetric = (registrationId: string): IndividualEnrollment => ({ registrationId, attestation: { type: 'symmetricKey' } } as unknown as IndividualEnrollment);

void describe('official SDK against the emulator', () => {
  let t: TestEmulator;
  let sdk: ProvisioningServiceClient;
  before(async () => {
    t = await startTestEmulator({ maxPageSize: 100 });
    sdk = officialSdkClient(t.emu);
  });
  after(() => t.dispose());

  void test('individual enrollment: create, get, update with ETag, stale update 412, attestation mechanism, delete', async () => {
    const created = (await sdk.createOrUpdateIndividualEnrollment(symmetric('sdk-dev-1'))).responseBody;
    assert.equal(created.registrationId, 'sdk-dev-1');
    assert.ok(created.etag);
    const got = (await sdk.getIndividualEnrollment('sdk-dev-1')).responseBody;
    assert.equal(got.etag, created.etag);

    got.provisioningStatus = 'disabled';
    const updated = (await sdk.createOrUpdateIndividualEnrollment(got)).responseBody; // the SDK sends If-Match from etag
    assert.equal(updated.provisioningStatus, 'disabled');
    assert.notEqual(updated.etag, created.etag);
    await rejectsWithStatus(sdk.createOrUpdateIndividualEnrollment({ ...got, provisioningStatus: 'enabled' }), 412);

    const mechanism = (await sdk.getIndividualEnrollmentAttestationMechanism('sdk-dev-1')).responseBody;
    assert.equal(mechanism.type, 'symmetricKey');
    assert.equal(Buffer.from(mechanism.symmetricKey?.primaryKey ?? '', 'base64').length, 64);

    await rejectsWithStatus(sdk.deleteIndividualEnrollment(got), 412); // stale etag from the object
    await sdk.deleteIndividualEnrollment(updated);
    await rejectsWithStatus(sdk.getIndividualEnrollment('sdk-dev-1'), 404);
  });

  void test('enrollment group: create, get, attestation mechanism (lower-case path), delete', async () => {
    const group = { enrollmentGroupId: 'sdk-grp-1', attestation: { type: 'symmetricKey' } } as unknown as EnrollmentGroup;
    const created = (await sdk.createOrUpdateEnrollmentGroup(group)).responseBody;
    assert.equal((await sdk.getEnrollmentGroup('sdk-grp-1')).responseBody.etag, created.etag);
    const mechanism = (await sdk.getEnrollmentGroupAttestationMechanism('sdk-grp-1')).responseBody;
    assert.ok(mechanism.symmetricKey?.secondaryKey);
    await sdk.deleteEnrollmentGroup('sdk-grp-1', created.etag ?? '');
    await rejectsWithStatus(sdk.getEnrollmentGroup('sdk-grp-1'), 404);
  });

  void test('bulk with per-item errors, then paged queries see every enrollment exactly once', async () => {
    await sdk.createOrUpdateIndividualEnrollment(symmetric('sdk-bulk-00'));
    const result = await runBulk(sdk, { mode: 'create', enrollments: [symmetric('sdk-bulk-00'), symmetric('sdk-bulk-01')] });
    assert.equal(result.isSuccessful, false);
    assert.deepEqual(result.errors?.map((e) => e.registrationId), ['sdk-bulk-00']);
    for (let b = 0; b < 3; b++) {
      const enrollments = Array.from({ length: 8 }, (_, i) => symmetric(`sdk-bulk-${b + 1}${i}`));
      assert.equal((await runBulk(sdk, { mode: 'create', enrollments })).isSuccessful, true);
    }
    await rejectsWithStatus(runBulk(sdk, { mode: 'create', enrollments: Array.from({ length: 11 }, (_, i) => symmetric(`sdk-eleven-${i}`)) }), 400);

    const query = sdk.createIndividualEnrollmentQuery({ query: '*' }, 10);
    const ids: string[] = [];
    let pages = 0;
    while (query.hasMoreResults && pages < 50) {
      const page = await query.next(query.continuationToken);
      ids.push(...itemsOf<IndividualEnrollment>(page).map((e) => e.registrationId));
      pages += 1;
    }
    const total = t.emu.store.counts().enrollments;
    assert.equal(total, 26);
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total);
    assert.equal(pages, 3);

    const groups = sdk.createEnrollmentGroupQuery({ query: '*' });
    const first = await groups.next();
    assert.deepEqual(itemsOf(first), []);
    assert.equal(groups.hasMoreResults, false);
  });

  void test('registration states: paged group query, get, delete with ETag', async () => {
    await sdk.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'sdk-reg-grp', attestation: { type: 'symmetricKey' } } as unknown as EnrollmentGroup);
    for (const id of ['sdk-reg-a', 'sdk-reg-b', 'sdk-reg-c']) {
      t.emu.store.upsertRegistration({ registrationId: id, deviceId: id, status: 'assigned', assignedHub: 'hub.azure-devices.net' }, 'sdk-reg-grp');
    }
    const query = sdk.createEnrollmentGroupDeviceRegistrationStateQuery({ query: '*' }, 'sdk-reg-grp', 2);
    const ids: string[] = [];
    while (query.hasMoreResults) ids.push(...itemsOf<DeviceRegistrationState>(await query.next(query.continuationToken)).map((s) => s.registrationId));
    assert.deepEqual(ids, ['sdk-reg-a', 'sdk-reg-b', 'sdk-reg-c']);

    const state = (await sdk.getDeviceRegistrationState('sdk-reg-b')).responseBody;
    assert.equal(state.status, 'assigned');
    await rejectsWithStatus(sdk.deleteDeviceRegistrationState('sdk-reg-b', '"stale"'), 412);
    await sdk.deleteDeviceRegistrationState(state);
    await rejectsWithStatus(sdk.getDeviceRegistrationState('sdk-reg-b'), 404);
  });
});
