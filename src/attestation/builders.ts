// Builders for every attestation mechanism the service knows. Each takes a plain input (so a
// webview form can send it as is), runs the checks, and returns either the exact JSON the service
// expects or the problems that stop it. Warnings travel with a successful result.
import type { AttestationMechanism, X509CertificateWithInfo, X509Certificates } from '../dps/models';
import { checkedCertificate } from './certificateInput';

import { CertificateFacts, certificateFacts } from './facts';
import { AttestationProblem, hasErrors, problem, warning } from './problems';
import { readCertificates, ReadCertificate } from './read';
import { checkRegistrationId } from './registrationId';
import { checkSymmetricKey, generateSymmetricKey } from './symmetricKey';
import { checkTpmPublic, registrationIdFromEndorsementKey } from './tpm';
import { ItemKind } from '../dps/items';

/** PEM text (any number of blocks), base64 DER, or the raw bytes of a .pem/.cer/.crt file. */
export type CertificateInput = string | Uint8Array;

export interface X509CertificatesInput {
  primaryCertificate: CertificateInput;
  secondaryCertificate?: CertificateInput;
}

export interface X509IndividualInput extends X509CertificatesInput {
  /** If given, must equal the device certificate's CN (DPS matches them). */
  registrationId?: string;
}

export interface CaReferencesInput {
  primaryCaName: string;
  secondaryCaName?: string;
}

export interface TpmInput {
  endorsementKey: string;
  storageRootKey?: string;
}

export interface SymmetricKeyInput {
  /** Omit to have a 64-byte key generated. */
  primaryKey?: string;
  secondaryKey?: string;
}

export interface BuildSuccess {
  ok: true;
  attestation: AttestationMechanism;
  /** Warnings only. */
  problems: AttestationProblem[];
  /** Facts of the certificates used, for display. */
  certificates?: { primary: CertificateFacts; secondary?: CertificateFacts };
  /** The registration id this attestation implies (certificate CN, or the TPM convention). */
  registrationId?: string;
}

export interface BuildFailure {
  ok: false;
  problems: AttestationProblem[];
}

export type BuildResult = BuildSuccess | BuildFailure;

function finish(
  problems: AttestationProblem[],
  make: () => Omit<BuildSuccess, 'ok' | 'problems'>,
): BuildResult {
  return hasErrors(problems) ? { ok: false, problems } : { ok: true, problems, ...make() };
}

function x509Certificates(input: X509CertificatesInput, kind: ItemKind, now: Date) {
  const primary = checkedCertificate(input.primaryCertificate, kind, 'primary', now);
  const secondary = input.secondaryCertificate === undefined ? undefined : checkedCertificate(input.secondaryCertificate, kind, 'secondary', now);
  const problems = [...primary.problems, ...(secondary?.problems ?? [])];
  if (primary.facts !== undefined && secondary?.facts !== undefined && primary.facts.sha256Thumbprint === secondary.facts.sha256Thumbprint) {
    problems.push(warning('sameCertificateTwice', 'The primary and secondary certificates are the same. The secondary is there so you can roll over to a new certificate; give a different one or leave it out.', 'secondary'));
  }
  const withInfo = (c: ReadCertificate | undefined): X509CertificateWithInfo => ({ certificate: c?.pem ?? '' });
  const certificates = (): X509Certificates => ({
    primary: withInfo(primary.certificate),
    ...(secondary !== undefined ? { secondary: withInfo(secondary.certificate) } : {}),
  });
  const facts = () => ({
    primary: primary.facts as CertificateFacts,
    ...(secondary?.facts !== undefined ? { secondary: secondary.facts } : {}),
  });
  return { problems, certificates, facts, primaryFacts: primary.facts };
}

/** Enrollment group from the root or intermediate CA certificate(s) that signed the devices. */
export function buildX509GroupAttestation(input: X509CertificatesInput, now: Date = new Date()): BuildResult {
  const built = x509Certificates(input, 'group', now);
  return finish(built.problems, () => ({
    attestation: { type: 'x509', x509: { signingCertificates: built.certificates() } },
    certificates: built.facts(),
  }));
}

/** Individual enrollment from the device's own (leaf) certificate; the CN is the registration id. */
export function buildX509IndividualAttestation(input: X509IndividualInput, now: Date = new Date()): BuildResult {
  const built = x509Certificates(input, 'enrollment', now);
  const cn = built.primaryFacts?.commonName ?? undefined;
  if (input.registrationId !== undefined && cn !== undefined && input.registrationId.toLowerCase() !== cn.toLowerCase()) {
    built.problems.push(problem('invalidRegistrationId', `The registration id "${input.registrationId}" differs from the certificate CN "${cn}". For X.509 individual enrollments DPS matches the device by its CN: use "${cn}" as the registration id.`, 'registrationId'));
  }
  return finish(built.problems, () => ({
    attestation: { type: 'x509', x509: { clientCertificates: built.certificates() } },
    certificates: built.facts(),
    ...(cn !== undefined ? { registrationId: cn } : {}),
  }));
}

// CA names are chosen by the user when the CA is added to DPS; the portal limits them to
// letters, digits, "-", "." and "_". We check only what certainly fails.
const CA_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** Enrollment group that refers to CA certificates already verified in the DPS instance. */
export function buildCaReferencesAttestation(input: CaReferencesInput): BuildResult {
  const problems: AttestationProblem[] = [];
  const check = (name: string, field: string) => {
    if (!CA_NAME.test(name.trim())) {
      problems.push(problem('invalidCaReference', `The ${field} CA name "${name.trim()}" is not a CA certificate name DPS uses: give the name under which the CA is listed in the DPS instance's Certificates (letters, digits, - . _).`, field));
    }
  };
  check(input.primaryCaName, 'primary');
  if (input.secondaryCaName !== undefined) check(input.secondaryCaName, 'secondary');
  return finish(problems, () => ({
    attestation: {
      type: 'x509',
      x509: { caReferences: { primary: input.primaryCaName.trim(), ...(input.secondaryCaName !== undefined ? { secondary: input.secondaryCaName.trim() } : {}) } },
    },
  }));
}

/** TPM attestation (individual enrollments only): EK required, SRK optional. */
export function buildTpmAttestation(input: TpmInput): BuildResult {
  const endorsementKey = input.endorsementKey.replace(/\s+/g, '');
  const storageRootKey = input.storageRootKey?.replace(/\s+/g, '');
  const problems = [
    ...checkTpmPublic(endorsementKey, { role: 'endorsementKey' }),
    ...(storageRootKey !== undefined && storageRootKey !== '' ? checkTpmPublic(storageRootKey, { role: 'storageRootKey' }) : []),
  ];
  return finish(problems, () => ({
    attestation: { type: 'tpm', tpm: { endorsementKey, ...(storageRootKey !== undefined && storageRootKey !== '' ? { storageRootKey } : {}) } },
    registrationId: registrationIdFromEndorsementKey(endorsementKey),
  }));
}

/** Symmetric-key attestation: validates supplied keys, generates the ones left out. */
export function buildSymmetricKeyAttestation(input: SymmetricKeyInput = {}): BuildResult {
  const primaryKey = input.primaryKey?.trim();
  const secondaryKey = input.secondaryKey?.trim();
  const problems: AttestationProblem[] = [
    ...(primaryKey !== undefined ? checkSymmetricKey(primaryKey, 'primary key').map((p) => ({ ...p, field: 'primaryKey' })) : []),
    ...(secondaryKey !== undefined ? checkSymmetricKey(secondaryKey, 'secondary key').map((p) => ({ ...p, field: 'secondaryKey' })) : []),
  ];
  if (primaryKey !== undefined && primaryKey === secondaryKey) {
    problems.push(warning('sameKeyTwice', 'The primary and secondary keys are the same, so rolling one over would lock devices out. Use two different keys.', 'secondaryKey'));
  }
  return finish(problems, () => ({
    attestation: {
      type: 'symmetricKey',
      symmetricKey: { primaryKey: primaryKey ?? generateSymmetricKey(), secondaryKey: secondaryKey ?? generateSymmetricKey() },
    },
  }));
}

/** No attestation: only meaningful for bulk deletes and placeholders. */
export function buildNoneAttestation(): BuildResult {
  return { ok: true, attestation: { type: 'none' }, problems: [] };
}

/** Registration id from a device certificate's CN, with the reasons when it cannot be one. */
export function registrationIdFromCertificate(input: CertificateInput, now: Date = new Date()): { registrationId: string | null; problems: AttestationProblem[] } {
  const read = readCertificates(input);
  const first = read.certificates[0];
  if (first === undefined) return { registrationId: null, problems: read.problems.length > 0 ? read.problems : [problem('noCertificate', 'The input contains no certificate.')] };
  const cn = certificateFacts(first.x509, now).commonName;
  if (cn === null) return { registrationId: null, problems: [problem('missingCommonName', 'The certificate has no common name (CN), so it gives no registration id.')] };
  const problems = checkRegistrationId(cn, { fromCommonName: true });
  return { registrationId: problems.length === 0 ? cn : null, problems };
}

export interface CertificateInspection {
  /** Absent when the input holds no single usable certificate (the problems say why). */
  certificate?: { pem: string; facts: CertificateFacts };
  /** Errors and warnings for using this certificate in the given kind of enrollment. */
  problems: AttestationProblem[];
  /** For an individual enrollment: the CN, when it is a valid registration id. */
  registrationId?: string;
}

/** Everything a form needs to show about a chosen certificate file before building anything. */
export function inspectCertificate(input: CertificateInput, kind: ItemKind, now: Date = new Date()): CertificateInspection {
  const checked = checkedCertificate(input, kind, undefined, now);
  const problems = checked.problems;
  if (checked.certificate === undefined || checked.facts === undefined) return { problems };
  const cn = checked.facts.commonName;
  const idOk = kind === 'enrollment' && cn !== null && checkRegistrationId(cn, { fromCommonName: true }).length === 0;
  return {
    certificate: { pem: checked.certificate.pem, facts: checked.facts },
    problems,
    ...(idOk ? { registrationId: cn } : {}),
  };
}

/** "RSA 2048", "ECDSA P-256": the key in words, for display. */
export function describeKey(facts: Pick<CertificateFacts, 'keyAlgorithm' | 'keySize' | 'curve'>): string {
  if (facts.keyAlgorithm === 'ECDSA') return `ECDSA ${facts.curve ?? 'unknown curve'}`;
  return facts.keySize !== null ? `${facts.keyAlgorithm} ${facts.keySize}` : facts.keyAlgorithm;
}
