// The 'demo' data set: a few individual enrollments of each attestation type (one disabled),
// an X.509 group and two symmetric-key groups (one disabled) with registration states.
// Applied only to an empty store.
import { generateKeyPairSync } from 'node:crypto';
import { issueCertificate } from './certificateFactory';
import type { EmulatorStore } from './store';
import { validateEnrollmentGroup, validateIndividualEnrollment } from './validation';

const HUB_A = 'contoso-hub-1.azure-devices.net';
const HUB_B = 'contoso-hub-2.azure-devices.net';
const reprovision = { updateHubAssignment: true, migrateDeviceData: true };

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const sized = (data: Buffer): Buffer => Buffer.concat([u16(data.length), data]);

/**
 * A real RSA-2048 endorsement key as a TPM2B_PUBLIC laid out like the TCG default EK template, so the
 * demo passes the product's own TPM checks (and the service's): a random blob would be refused on edit.
 */
export function demoEndorsementKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const modulus = Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url');
  const attributes = Buffer.from([0x00, 0x03, 0x00, 0xb2]); // fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt
  const policy = sized(Buffer.alloc(32, 0x83)); // stand-in policy digest: only its size is checked
  const aes128Cfb = Buffer.concat([u16(0x0006), u16(128), u16(0x0043)]);
  const tpmtPublic = Buffer.concat([u16(0x0001), u16(0x000b), attributes, policy, aes128Cfb, u16(0x0010), u16(2048), Buffer.alloc(4), sized(modulus)]);
  return sized(tpmtPublic).toString('base64');
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
