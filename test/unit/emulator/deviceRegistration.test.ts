import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createSasToken } from '../../../src/dps/sas';
import { deriveDeviceKey, registerDevice } from '../../../src/emulator/deviceRegistration';
import { EmulatorStore } from '../../../src/emulator/store';
import { validateEnrollmentGroup, validateIndividualEnrollment } from '../../../src/emulator/validation';

const now = 1_800_000_000_000;
const token = (registrationId: string, key: string, idScope = '0ne00ABC') =>
  createSasToken({ resourceUri: `${idScope}/registrations/${registrationId}`, keyName: 'registration', key, expiry: now / 1000 + 60 });
const body = (id: string) => Buffer.from(JSON.stringify({ registrationId: id }));

void test('derived device key is base64 HMAC-SHA256 of the id under the decoded group key', () => {
  const groupKey = Buffer.alloc(64, 5).toString('base64');
  assert.equal(deriveDeviceKey(groupKey, 'dev-1'), createHmac('sha256', Buffer.alloc(64, 5)).update('dev-1').digest('base64'));
});

void test('group member registers with the derived key and gets a hub from the group; a disabled group gives status disabled', () => {
  const store = new EmulatorStore();
  const g = store.enrollmentGroups.put(validateEnrollmentGroup({ enrollmentGroupId: 'fleet', attestation: { type: 'symmetricKey' }, iotHubs: ['h1.azure-devices.net', 'h2.azure-devices.net'] }));
  const key = deriveDeviceKey(g.attestation.symmetricKey?.primaryKey ?? '', 'dev-1');
  const result = registerDevice(store, '0ne00ABC', 'dev-1', { authorization: token('dev-1', key) }, body('dev-1'), now);
  assert.equal(result.status, 'assigned');
  assert.ok(['h1.azure-devices.net', 'h2.azure-devices.net'].includes(result.registrationState.assignedHub ?? ''));
  assert.equal(store.registrationsOfGroup('fleet').length, 1);

  store.enrollmentGroups.put({ ...g, provisioningStatus: 'disabled' });
  const disabled = registerDevice(store, '0ne00ABC', 'dev-1', { authorization: token('dev-1', key) }, body('dev-1'), now);
  assert.equal(disabled.status, 'disabled');
});

void test('refuses wrong keys, wrong resources, expired tokens and mismatched ids', () => {
  const store = new EmulatorStore();
  const e = store.enrollments.put(validateIndividualEnrollment({ registrationId: 'solo', attestation: { type: 'symmetricKey' } }));
  const key = e.attestation.symmetricKey?.primaryKey ?? '';
  const call = (authorization: string, id = 'solo', b = body('solo')) => () => registerDevice(store, '0ne00ABC', id, { authorization }, b, now);
  assert.doesNotThrow(call(token('solo', key)));
  assert.throws(call(token('solo', Buffer.alloc(32).toString('base64'))), /No symmetric-key enrollment/);
  assert.throws(call(token('other', key)), /sr/);
  assert.throws(call(createSasToken({ resourceUri: '0ne00ABC/registrations/solo', keyName: 'registration', key, expiry: now / 1000 - 1 })), /expired/);
  assert.throws(call(token('solo', key), 'solo', body('other')), /does not match/);
  assert.throws(call(''), /missing/);
});
