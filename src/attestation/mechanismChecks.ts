// Checks a whole AttestationMechanism that did not come from our builders: typed into a JSON
// document, imported in bulk, or read back from the service. Same reasons as the builders, plus
// the mistakes only a hand-written object can make (type and member disagree, the certificate in the
// slot of the other enrollment kind, TPM on a group).

import { checkedCertificate } from './certificateInput';
import { AttestationProblem, problem, warning } from './problems';
import { checkSymmetricKey } from './symmetricKey';
import { checkTpmPublic } from './tpm';
import type { ItemKind } from '../dps/items';

const TYPES = ['none', 'tpm', 'x509', 'symmetricKey'] as const;
const MEMBERS = ['tpm', 'x509', 'symmetricKey'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkAttestationMechanism(value: unknown, kind: ItemKind, now: Date = new Date()): AttestationProblem[] {
  if (!isObject(value)) return [problem('invalidAttestation', 'The attestation must be an object with a "type".', 'attestation')];
  const type = value.type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    return [problem('invalidAttestation', `The attestation type must be one of ${TYPES.join(', ')}${typeof type === 'string' ? `, not "${type}"` : ''}.`, 'attestation.type')];
  }
  const problems: AttestationProblem[] = [];
  for (const member of MEMBERS) {
    if (member !== type && value[member] !== undefined && value[member] !== null) {
      problems.push(warning('ignoredMember', `"${member}" is ignored because the attestation type is "${type}"; remove it or change the type.`, `attestation.${member}`));
    }
  }
  switch (type) {
    case 'tpm':
      return [...problems, ...checkTpm(value.tpm, kind)];
    case 'symmetricKey':
      return [...problems, ...checkSymmetric(value.symmetricKey)];
    case 'x509':
      return [...problems, ...checkX509(value.x509, kind, now)];
    default:
      return problems;
  }
}

function checkTpm(tpm: unknown, kind: ItemKind): AttestationProblem[] {
  if (kind === 'group') {
    return [problem('tpmForGroup', 'Enrollment groups support only X.509 and symmetric-key attestation. Enroll a TPM device with an individual enrollment.', 'attestation.type')];
  }
  if (!isObject(tpm) || typeof tpm.endorsementKey !== 'string') {
    return [problem('invalidAttestation', 'A TPM attestation needs "tpm": { "endorsementKey": "<base64>" }.', 'attestation.tpm')];
  }
  const problems = checkTpmPublic(tpm.endorsementKey, { role: 'endorsementKey' }).map((p) => ({ ...p, field: 'attestation.tpm.endorsementKey' }));
  if (typeof tpm.storageRootKey === 'string' && tpm.storageRootKey.trim() !== '') {
    problems.push(...checkTpmPublic(tpm.storageRootKey, { role: 'storageRootKey' }).map((p) => ({ ...p, field: 'attestation.tpm.storageRootKey' })));
  }
  return problems;
}

function checkSymmetric(symmetricKey: unknown): AttestationProblem[] {
  if (symmetricKey === undefined) return [];
  if (!isObject(symmetricKey)) return [problem('invalidAttestation', '"symmetricKey" must be an object with "primaryKey" and "secondaryKey".', 'attestation.symmetricKey')];
  const problems: AttestationProblem[] = [];
  for (const slot of ['primaryKey', 'secondaryKey'] as const) {
    const key = symmetricKey[slot];
    if (key === undefined) continue;
    const field = `attestation.symmetricKey.${slot}`;
    if (typeof key !== 'string') problems.push(problem('invalidAttestation', `"${slot}" must be a base64 string.`, field));
    else problems.push(...checkSymmetricKey(key, slot === 'primaryKey' ? 'primary key' : 'secondary key').map((p) => ({ ...p, field })));
  }
  return problems;
}

function checkX509(x509: unknown, kind: ItemKind, now: Date): AttestationProblem[] {
  if (!isObject(x509)) return [problem('invalidAttestation', 'An X.509 attestation needs an "x509" object.', 'attestation.x509')];
  const present = (['clientCertificates', 'signingCertificates', 'caReferences'] as const).filter((slot) => x509[slot] !== undefined && x509[slot] !== null);
  if (present.length === 0) {
    const wanted = kind === 'group' ? '"signingCertificates" or "caReferences"' : '"clientCertificates"';
    return [problem('invalidAttestation', `The X.509 attestation has no certificates: give ${wanted}.`, 'attestation.x509')];
  }
  const problems: AttestationProblem[] = [];
  for (const slot of present) {
    const field = `attestation.x509.${slot}`;
    if (kind === 'enrollment' && slot !== 'clientCertificates') {
      problems.push(problem('wrongCertificateSlot', `An individual enrollment takes the device certificate in "clientCertificates", not "${slot}" (that is for enrollment groups).`, field));
      continue;
    }
    if (kind === 'group' && slot === 'clientCertificates') {
      problems.push(problem('wrongCertificateSlot', 'An enrollment group takes CA certificates in "signingCertificates" (or CA names in "caReferences"), not "clientCertificates" (that is for individual enrollments).', field));
      continue;
    }
    problems.push(...(slot === 'caReferences' ? checkCaReferences(x509[slot], field) : checkCertificates(x509[slot], kind, field, now)));
  }
  if (present.length > 1 && problems.length === 0) {
    problems.push(warning('invalidAttestation', `Give only one of ${present.map((s) => `"${s}"`).join(' and ')}; which one DPS uses is not defined.`, 'attestation.x509'));
  }
  return problems;
}

function checkCaReferences(references: unknown, field: string): AttestationProblem[] {
  if (!isObject(references) || typeof references.primary !== 'string' || references.primary.trim() === '') {
    return [problem('invalidAttestation', '"caReferences" needs at least a "primary" CA name.', field)];
  }
  return [];
}

function checkCertificates(certificates: unknown, kind: ItemKind, field: string, now: Date): AttestationProblem[] {
  if (!isObject(certificates) || certificates.primary === undefined) {
    return [problem('invalidAttestation', `"${field.split('.').pop() ?? field}" needs a "primary" certificate.`, field)];
  }
  const problems: AttestationProblem[] = [];
  for (const slot of ['primary', 'secondary'] as const) {
    const entry = certificates[slot];
    if (entry === undefined || entry === null) continue;
    const slotField = `${field}.${slot}`;
    if (!isObject(entry)) {
      problems.push(problem('invalidAttestation', `"${slot}" must be an object with a "certificate".`, slotField));
    } else if (typeof entry.certificate === 'string') {
      problems.push(...checkedCertificate(entry.certificate, kind, slot, now).problems.map((p) => ({ ...p, field: slotField })));
    } else if (isObject(entry.info)) {
      problems.push(...checkInfo(entry.info, slotField, now));
    } else {
      problems.push(problem('invalidAttestation', `"${slot}" has neither a "certificate" nor its "info".`, slotField));
    }
  }
  return problems;
}

/** Certificates read back from the service carry only their info; the dates still tell. */
function checkInfo(info: Json, field: string, now: Date): AttestationProblem[] {
  const notAfter = typeof info.notAfterUtc === 'string' ? new Date(info.notAfterUtc) : undefined;
  if (notAfter !== undefined && !Number.isNaN(notAfter.getTime()) && notAfter < now) {
    const name = typeof info.subjectName === 'string' ? info.subjectName : 'The certificate';
    return [warning('expired', `${name} expired on ${notAfter.toISOString()}. Devices cannot authenticate with it; upload a new certificate.`, field)];
  }
  return [];
}
