// Problems are plain serialisable objects so the webview form can show them as they are;
// every check in this library reports through them and never echoes key material.

export type ProblemSeverity = 'error' | 'warning';

export type ProblemCode =
  // reading
  | 'empty'
  | 'notCertificateText'
  | 'truncatedPem'
  | 'privateKeyGiven'
  | 'encryptedPrivateKeyGiven'
  | 'publicKeyGiven'
  | 'csrGiven'
  | 'pkcs7Given'
  | 'pfxGiven'
  | 'crlGiven'
  | 'unknownBlock'
  | 'corruptCertificate'
  | 'hexGiven'
  | 'multipleCertificates'
  | 'noCertificate'
  // certificate checks
  | 'leafForGroup'
  | 'caForIndividual'
  | 'chainOrder'
  | 'chainBroken'
  | 'expired'
  | 'expiringSoon'
  | 'notYetValid'
  | 'invalidRegistrationId'
  | 'missingCommonName'
  | 'sameCertificateTwice'
  | 'weakKey'
  // CA references
  | 'invalidCaReference'
  // whole attestation mechanisms (documents, bulk input)
  | 'invalidAttestation'
  | 'tpmForGroup'
  | 'wrongCertificateSlot'
  | 'ignoredMember'
  // TPM
  | 'tpmEmpty'
  | 'tpmNotBase64'
  | 'tpmHexGiven'
  | 'tpmDerGiven'
  | 'tpmTruncated'
  | 'tpmSizeMismatch'
  | 'tpmMissingSizePrefix'
  | 'tpmUnsupportedType'
  | 'tpmUnsupportedKey'
  | 'tpmMalformed'
  // symmetric keys
  | 'keyEmpty'
  | 'keyNotBase64'
  | 'keyWrongLength'
  | 'sameKeyTwice'
  | 'groupKeyAsDeviceKey'
  | 'derivedKeyMismatch'
  | 'keysSwapped'
  // private keys and generation
  | 'passphraseRequired'
  | 'wrongPassphrase'
  | 'notAPrivateKey'
  | 'keyDoesNotMatchCertificate'
  | 'invalidVerificationCode'
  | 'notACa'
  | 'invalidOption';

export interface AttestationProblem {
  code: ProblemCode;
  severity: ProblemSeverity;
  message: string;
  /** Which input the problem is about, e.g. 'primary', 'secondary', 'endorsementKey', or a block index. */
  field?: string;
}

export function problem(code: ProblemCode, message: string, field?: string): AttestationProblem {
  return field === undefined ? { code, severity: 'error', message } : { code, severity: 'error', message, field };
}

export function warning(code: ProblemCode, message: string, field?: string): AttestationProblem {
  return field === undefined ? { code, severity: 'warning', message } : { code, severity: 'warning', message, field };
}

export function hasErrors(problems: readonly AttestationProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Thrown by the functions that return a value rather than a problem list; carries the same plain problem. */
export class AttestationError extends Error {
  readonly problem: AttestationProblem;

  constructor(p: AttestationProblem) {
    super(p.message);
    this.name = 'AttestationError';
    this.problem = p;
  }

  get code(): ProblemCode {
    return this.problem.code;
  }
}

export function fail(code: ProblemCode, message: string, field?: string): never {
  throw new AttestationError(problem(code, message, field));
}

/** Tags problems with the input they belong to, keeping any tag they already carry. */
export function forField(problems: readonly AttestationProblem[], field: string): AttestationProblem[] {
  return problems.map((p) => (p.field === undefined ? { ...p, field } : p));
}
