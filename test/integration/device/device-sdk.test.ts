// The official Node device SDK provisions against the emulator over HTTPS with polling: symmetric
// key (individual and group) and X.509 (individual and group, by TLS client certificate).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveDeviceKey, generateDeviceCertificate, generateTestChain, type TestChain } from '../../../src/attestation';
import { startTestEmulator, type TestEmulator } from '../../support/emulator';
import { sdkRegisterWithCertificate, sdkRegisterWithKey } from '../../support/deviceSdk';
import { symmetricEnrollment, symmetricGroup, x509Enrollment, x509Group } from '../../support/deviceEnrollments';

let env: TestEmulator;
let chain: TestChain;

before(async () => {
  env = await startTestEmulator({ device: { retryAfterSeconds: 0, assignDelayMs: 30 } });
  chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'sdk-x509-device' });
});
after(async () => {
  await env.dispose();
});

void test('SDK: symmetric-key individual enrollment is assigned after polling', async () => {
  const key = symmetricEnrollment(env.emu, 'sdk-sym-1', { iotHubs: ['hub-a.azure-devices.net'], deviceId: 'sdk-device-1' });
  const result = await sdkRegisterWithKey(env.emu, 'sdk-sym-1', key);
  assert.equal(result.assignedHub, 'hub-a.azure-devices.net');
  assert.equal(result.deviceId, 'sdk-device-1');
  assert.equal(env.emu.store.getRegistration('sdk-sym-1')?.state.status, 'assigned');
});

void test('SDK: a symmetric-key group member registers with its derived key', async () => {
  const groupKey = symmetricGroup(env.emu, 'sdk-sym-group');
  const result = await sdkRegisterWithKey(env.emu, 'sdk-member-7', deriveDeviceKey(groupKey, 'sdk-member-7'));
  assert.equal(result.deviceId, 'sdk-member-7');
  assert.equal(env.emu.store.getRegistration('sdk-member-7')?.enrollmentGroupId, 'sdk-sym-group');
});

void test('SDK: a wrong key is refused with 401', async () => {
  symmetricEnrollment(env.emu, 'sdk-sym-wrong');
  await assert.rejects(sdkRegisterWithKey(env.emu, 'sdk-sym-wrong', deriveDeviceKey(symmetricGroup(env.emu, 'unrelated'), 'x')), (e: Error & { response?: { statusCode?: number } }) => {
    assert.match(e.name + e.message, /Unauthorized|401/i);
    return true;
  });
});

void test('SDK: X.509 individual enrollment by TLS client certificate', async () => {
  const device = await generateDeviceCertificate({ commonName: 'sdk-x509-single', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  x509Enrollment(env.emu, 'sdk-x509-single', device.certificatePem);
  const result = await sdkRegisterWithCertificate(env.emu, 'sdk-x509-single', device.certificatePem, device.privateKeyPem);
  assert.equal(result.deviceId, 'sdk-x509-single');
  assert.equal(result.assignedHub, 'emulated-hub.azure-devices.net');
});

void test('SDK: X.509 group member sends leaf + intermediate; the group holds the root', async () => {
  x509Group(env.emu, 'sdk-x509-group', chain.root.certificatePem);
  const result = await sdkRegisterWithCertificate(env.emu, 'sdk-x509-device', chain.device.certificatePem + chain.intermediate.certificatePem, chain.device.privateKeyPem);
  assert.equal(result.deviceId, 'sdk-x509-device');
  assert.equal(env.emu.store.getRegistration('sdk-x509-device')?.enrollmentGroupId, 'sdk-x509-group');
});
