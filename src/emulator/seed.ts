// The 'demo' data set: a few individual enrollments of each attestation type (one disabled),
// an X.509 group and two symmetric-key groups (one disabled) with registration states.
// Applied only to an empty store.
import { randomBytes } from 'node:crypto';
import { issueCertificate } from './certificateFactory';
import type { EmulatorStore } from './store';
import { validateEnrollmentGroup, validateIndividualEnrollment } from './validation';

const HUB_A = 'contoso-hub-1.azure-devices.net';
const HUB_B = 'contoso-hub-2.azure-devices.net';
const reprovision = { updateHubAssignment: true, migrateDeviceData: true };

/** A TPM2B_PUBLIC-sized stand-in endorsement key (the emulator only checks it is base64). */
/** A well-formed RSA-2048 EK (TPM2B_PUBLIC with the standard EK template's layout) around a random modulus. */
function demoEndorsementKey(): string {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const modulus = randomBytes(256);
  modulus[0] |= 0x80;
  const tpmtPublic = Buffer.concat([
    u16(0x0001), u16(0x000b), Buffer.from([0x00, 0x03, 0x00, 0xb2]), // RSA, SHA-256, EK object attributes
    u16(32), randomBytes(32), // authPolicy
    u16(0x0006), u16(128), u16(0x0043), // AES-128-CFB
    u16(0x0010), u16(2048), Buffer.alloc(4), // no scheme, 2048 bits, default exponent
    u16(256), modulus,
  ]);
  return Buffer.concat([u16(tpmtPublic.length), tpmtPublic]).toString('base64');
}

export function seedDemo(store: EmulatorStore): void {
  if (!store.isEmpty) return;
  const rootCa = issueCertificate({ commonName: 'Contoso Demo Root CA', isCa: true, validDays: 365 });
  const device = issueCertificate({ commonName: 'x509-sensor-01', isCa: false, validDays: 365, issuer: rootCa, clientAuth: true });

  const individuals: unknown[] = [
    { registrationId: 'thermostat-01', deviceId: 'thermostat-01', attestation: { type: 'symmetricKey' },
      provisioningStatus: 'enabled', allocationPolicy: 'hashed', iotHubs: [HUB_A, HUB_B], reprovisionPolicy: reprovision,
      initialTwin: { tags: { building: '43', floor: '2' }, properties: { desired: { telemetryInterval: 30 } } },
      capabilities: { iotEdge: false } },
    { registrationId: 'thermostat-02', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled',
      allocationPolicy: 'static', iotHubs: [HUB_A], reprovisionPolicy: reprovision },
    { registrationId: 'edge-gateway-01', attestation: { type: 'tpm', tpm: { endorsementKey: demoEndorsementKey() } },
      provisioningStatus: 'enabled', capabilities: { iotEdge: true }, allocationPolicy: 'hashed', iotHubs: [HUB_B] },
    { registrationId: 'x509-sensor-01', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: device.certificatePem } } } },
      provisioningStatus: 'enabled', allocationPolicy: 'hashed', iotHubs: [HUB_A] },
  ];
  for (const body of individuals) store.enrollments.put(validateIndividualEnrollment(body));

  const groups: unknown[] = [
    { enrollmentGroupId: 'contoso-x509-fleet', attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: rootCa.certificatePem } } } },
      provisioningStatus: 'enabled', allocationPolicy: 'hashed', iotHubs: [HUB_A, HUB_B], reprovisionPolicy: reprovision },
    { enrollmentGroupId: 'contoso-symmetric-fleet', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled',
      allocationPolicy: 'hashed', iotHubs: [HUB_A], reprovisionPolicy: reprovision,
      initialTwin: { tags: { fleet: 'symmetric' }, properties: { desired: {} } } },
    { enrollmentGroupId: 'retired-devices', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' },
  ];
  for (const body of groups) store.enrollmentGroups.put(validateEnrollmentGroup(body));

  store.upsertRegistration({ registrationId: 'thermostat-01', assignedHub: HUB_A, deviceId: 'thermostat-01', status: 'assigned', substatus: 'initialAssignment' });
  for (let i = 1; i <= 3; i++) {
    const id = `fleet-x509-${String(i).padStart(3, '0')}`;
    store.upsertRegistration({ registrationId: id, assignedHub: i % 2 === 0 ? HUB_B : HUB_A, deviceId: id, status: 'assigned', substatus: 'initialAssignment' }, 'contoso-x509-fleet');
  }
  store.upsertRegistration({ registrationId: 'fleet-sym-001', assignedHub: HUB_A, deviceId: 'fleet-sym-001', status: 'assigned', substatus: 'initialAssignment' }, 'contoso-symmetric-fleet');
  store.upsertRegistration({ registrationId: 'fleet-sym-002', status: 'failed', errorCode: 400209, errorMessage: 'Custom allocation failed.' }, 'contoso-symmetric-fleet');
  store.upsertRegistration({ registrationId: 'retired-001', status: 'disabled' }, 'retired-devices');
}
