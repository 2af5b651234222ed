// Enrollments put straight into an emulator's store for device-API tests (the service API has its
// own tests), and a chain of test certificates.
import type { EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import type { RunningEmulator } from '../../src/emulator/server';
import { generateSymmetricKey } from '../../src/attestation';

export function symmetricEnrollment(emu: RunningEmulator, registrationId: string, extra: Partial<IndividualEnrollment> = {}): string {
  const key = generateSymmetricKey();
  emu.store.enrollments.put({ registrationId, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: generateSymmetricKey() } }, ...extra });
  return key;
}

export function symmetricGroup(emu: RunningEmulator, enrollmentGroupId: string, extra: Partial<EnrollmentGroup> = {}): string {
  const key = generateSymmetricKey();
  emu.store.enrollmentGroups.put({ enrollmentGroupId, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: generateSymmetricKey() } }, ...extra });
  return key;
}

export function x509Enrollment(emu: RunningEmulator, registrationId: string, certificatePem: string, extra: Partial<IndividualEnrollment> = {}): void {
  emu.store.enrollments.put({ registrationId, attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: certificatePem } } } }, ...extra });
}

export function x509Group(emu: RunningEmulator, enrollmentGroupId: string, signingCertificatePem: string, extra: Partial<EnrollmentGroup> = {}): void {
  emu.store.enrollmentGroups.put({ enrollmentGroupId, attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: signingCertificatePem } } } }, ...extra });
}

export function caReferenceGroup(emu: RunningEmulator, enrollmentGroupId: string, caName: string): void {
  emu.store.enrollmentGroups.put({ enrollmentGroupId, attestation: { type: 'x509', x509: { caReferences: { primary: caName } } } });
}
