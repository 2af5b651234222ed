// Attestation mechanisms as the service stores them: validated, x509 `info` filled from the
// certificate, symmetric keys generated when omitted (and kept when an update omits them),
// and symmetric keys hidden from everything but the attestationmechanism call.
import { X509Certificate, randomBytes } from 'node:crypto';
import type {
  AttestationMechanism,
  X509Attestation,
  X509CertificateInfo,
  X509CertificateWithInfo,
  X509Certificates,
} from '../dps/models';
import type { ItemKind } from '../dps/itemKind';
import { ErrorCodes, badRequest } from './errors';
import { certificateTimestamp } from './timestamps';
import { endorsementKeyProblem } from './tpmPublic';

const TYPES = ['none', 'tpm', 'x509', 'symmetricKey'] as const;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const invalid = (message: string) => badRequest(message, ErrorCodes.invalidAttestation);
export const INVALID_EK_MESSAGE = 'Endorsement key is invalid, or does not match the Enrollment.';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function base64Bytes(value: unknown, label: string): Buffer {
  if (typeof value !== 'string' || value.length === 0 || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw invalid(`${label} must be a base64 string.`);
  }
  return Buffer.from(value, 'base64');
}

export function generateSymmetricKey(): string {
  return randomBytes(64).toString('base64');
}

/** Reads PEM or base64 DER; never echoes the input in errors (it may be a private key). */
export function parseCertificate(text: string, label: string): X509Certificate {
  if (/PRIVATE KEY-----/.test(text)) throw badRequest(`${label} is a private key, not a certificate.`, ErrorCodes.invalidCertificate);
  try {
    if (text.includes('-----BEGIN')) return new X509Certificate(text);
    const compact = text.replace(/\s+/g, '');
    if (compact.length === 0 || !BASE64.test(compact)) throw new Error('not base64');
    return new X509Certificate(Buffer.from(compact, 'base64'));
  } catch {
    throw badRequest(`${label} is not a valid X.509 certificate (PEM or base64 DER expected).`, ErrorCodes.invalidCertificate);
  }
}

/** X.509 version from the DER: TBSCertificate starts with an explicit [0] version when not v1. */
function certificateVersion(der: Buffer): number {
  const skipHeader = (offset: number): number => {
    const lengthByte = der[offset + 1] ?? 0;
    return offset + 2 + (lengthByte & 0x80 ? lengthByte & 0x7f : 0);
  };
  const tbs = skipHeader(0);
  const first = skipHeader(tbs);
  return der[first] === 0xa0 ? (der[first + 4] ?? 0) + 1 : 1;
}

const thumbprint = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase();
const distinguishedName = (name: string): string => name.split('\n').filter((s) => s.length > 0).join(', ');

export function certificateInfo(cert: X509Certificate): X509CertificateInfo {
  return {
    subjectName: distinguishedName(cert.subject),
    sha1Thumbprint: thumbprint(cert.fingerprint),
    sha256Thumbprint: thumbprint(cert.fingerprint256),
    issuerName: distinguishedName(cert.issuer),
    notBeforeUtc: certificateTimestamp(new Date(cert.validFrom)),
    notAfterUtc: certificateTimestamp(new Date(cert.validTo)),
    serialNumber: cert.serialNumber.toUpperCase(),
    version: certificateVersion(cert.raw),
  };
}

function normalizeCertificateEntry(
  entry: unknown,
  label: string,
  existing: X509CertificateWithInfo | undefined,
): X509CertificateWithInfo | undefined {
  if (entry === undefined || entry === null) return undefined;
  if (!isObject(entry)) throw invalid(`${label} must be an object with a 'certificate'.`);
  const { certificate, info: _ignoredInfo, ...rest } = entry;
  if (certificate === undefined || certificate === null) {
    // A read-modify-write sends back only `info` (reads do not carry the certificate): keep the stored one.
    const givenInfo = entry.info as Partial<X509CertificateInfo> | undefined;
    if (existing?.certificate !== undefined && givenInfo?.sha256Thumbprint === existing.info?.sha256Thumbprint) {
      return { ...rest, certificate: existing.certificate, info: existing.info };
    }
    throw invalid(`${label}.certificate is required.`);
  }
  if (typeof certificate !== 'string') throw invalid(`${label}.certificate must be a string.`);
  const info = certificateInfo(parseCertificate(certificate, `${label}.certificate`));
  return { ...rest, certificate, info };
}

function normalizeCertificates(value: unknown, label: string, existing: X509Certificates | undefined): X509Certificates | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(`${label} must be an object.`);
  const { primary, secondary, ...rest } = value;
  const p = normalizeCertificateEntry(primary, `${label}.primary`, existing?.primary);
  if (p === undefined) throw invalid(`${label}.primary is required.`);
  const s = normalizeCertificateEntry(secondary, `${label}.secondary`, existing?.secondary);
  return { ...rest, primary: p, ...(s === undefined ? {} : { secondary: s }) };
}

function normalizeX509(value: unknown, kind: ItemKind, existing: X509Attestation | undefined): X509Attestation {
  if (!isObject(value)) throw invalid("attestation.x509 is required when attestation.type is 'x509'.");
  const { clientCertificates, signingCertificates, caReferences, ...rest } = value;
  const out: X509Attestation = { ...rest };
  if (kind === 'enrollment' && signingCertificates !== undefined && signingCertificates !== null) {
    throw invalid('An individual enrollment uses x509.clientCertificates, not signingCertificates.');
  }
  if (kind === 'group' && clientCertificates !== undefined && clientCertificates !== null) {
    throw invalid('An enrollment group uses x509.signingCertificates or x509.caReferences, not clientCertificates.');
  }
  const certs = kind === 'enrollment'
    ? normalizeCertificates(clientCertificates, 'attestation.x509.clientCertificates', existing?.clientCertificates)
    : normalizeCertificates(signingCertificates, 'attestation.x509.signingCertificates', existing?.signingCertificates);
  if (certs !== undefined) {
    if (kind === 'enrollment') out.clientCertificates = certs;
    else out.signingCertificates = certs;
  }
  if (caReferences !== undefined && caReferences !== null) {
    if (!isObject(caReferences) || typeof caReferences.primary !== 'string' || caReferences.primary === '') {
      throw invalid('attestation.x509.caReferences.primary must be a CA certificate name.');
    }
    if (caReferences.secondary !== undefined && typeof caReferences.secondary !== 'string') {
      throw invalid('attestation.x509.caReferences.secondary must be a string.');
    }
    out.caReferences = caReferences;
  }
  if (out.clientCertificates === undefined && out.signingCertificates === undefined && out.caReferences === undefined) {
    throw invalid(kind === 'enrollment'
      ? 'attestation.x509 needs clientCertificates.primary (or caReferences).'
      : 'attestation.x509 needs signingCertificates.primary or caReferences.primary.');
  }
  return out;
}

function normalizeSymmetricKey(value: unknown, existing: AttestationMechanism['symmetricKey']): NonNullable<AttestationMechanism['symmetricKey']> {
  const given = value === undefined || value === null ? {} : value;
  if (!isObject(given)) throw invalid('attestation.symmetricKey must be an object.');
  const out: Record<string, unknown> = { ...given };
  for (const field of ['primaryKey', 'secondaryKey'] as const) {
    const key = given[field];
    if (key === undefined || key === null || key === '') {
      out[field] = existing?.[field] ?? generateSymmetricKey();
      continue;
    }
    const bytes = base64Bytes(key, `attestation.symmetricKey.${field}`);
    if (bytes.length < 16 || bytes.length > 64) {
      throw invalid(`attestation.symmetricKey.${field} must decode to 16..64 bytes, got ${bytes.length}.`);
    }
  }
  return out;
}

/** Validates an attestation from a request body and returns what the store keeps. */
export function normalizeAttestation(value: unknown, kind: ItemKind, existing?: AttestationMechanism): AttestationMechanism {
  if (value === undefined || value === null) throw invalid('attestation is required.');
  if (!isObject(value)) throw invalid('attestation must be an object.');
  const type = value.type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    throw invalid(`attestation.type must be one of ${TYPES.join(', ')}; got ${JSON.stringify(type) ?? 'nothing'}.`);
  }
  // Keep unknown fields; drop the members that belong to other attestation types.
  const { tpm, x509, symmetricKey, type: _type, ...rest } = value;
  const same = existing?.type === type ? existing : undefined;
  switch (type) {
    case 'none':
      return { ...rest, type };
    case 'tpm': {
      if (kind === 'group') throw invalid('Enrollment groups do not support TPM attestation; use x509 or symmetricKey.');
      if (!isObject(tpm)) throw invalid("attestation.tpm is required when attestation.type is 'tpm'.");
      const ek = base64Bytes(tpm.endorsementKey, 'attestation.tpm.endorsementKey');
      // The service parses the EK as a TPM2B_PUBLIC and refuses anything else with this code and text
      // (Azure/azure-iot-sdk-c issues 937 and 1955).
      if (endorsementKeyProblem(ek) !== undefined) throw badRequest(INVALID_EK_MESSAGE, ErrorCodes.invalidEndorsementKey);
      if (tpm.storageRootKey !== undefined && tpm.storageRootKey !== null) base64Bytes(tpm.storageRootKey, 'attestation.tpm.storageRootKey');
      return { ...rest, type, tpm: tpm as unknown as NonNullable<AttestationMechanism['tpm']> };
    }
    case 'x509':
      return { ...rest, type, x509: normalizeX509(x509, kind, same?.x509) };
    default:
      return { ...rest, type: 'symmetricKey', symmetricKey: normalizeSymmetricKey(symmetricKey, same?.symmetricKey) };
  }
}

function withoutCertificateBodies(x509: X509Attestation): X509Attestation {
  const out: X509Attestation = { ...x509 };
  const strip = (e: X509CertificateWithInfo | undefined) => {
    if (e === undefined) return undefined;
    const { certificate: _c, ...rest } = e;
    return rest;
  };
  for (const field of ['clientCertificates', 'signingCertificates'] as const) {
    const certs = out[field];
    if (certs === undefined) continue;
    out[field] = { ...certs, primary: strip(certs.primary), ...(certs.secondary ? { secondary: strip(certs.secondary) } : {}) };
  }
  return out;
}

/**
 * The attestation as responses show it. Certificate bodies are always left out (only `info`).
 * Symmetric keys: a PUT response echoes them (`withKeys`); GET and query results carry
 * `{type: "symmetricKey"}` with no `symmetricKey` member at all (recordings
 * test_enrollment_symmetrickey_lifecycle, test_enrollment_group_symmetrickey_lifecycle).
 */
export function publicAttestation(attestation: AttestationMechanism, options: { withKeys?: boolean } = {}): AttestationMechanism {
  const out: AttestationMechanism = { ...attestation };
  if (attestation.symmetricKey !== undefined && options.withKeys !== true) delete out.symmetricKey;
  if (attestation.x509 !== undefined) out.x509 = withoutCertificateBodies(attestation.x509);
  return out;
}
