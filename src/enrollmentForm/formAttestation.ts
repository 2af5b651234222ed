// What the form host needs from the attestation library, as one narrow interface.
// `attestationAdapter.ts` implements it with `src/attestation`; tests may pass a fake.
// Plain serialisable results, so they can be posted to the page as they are.

import type { AttestationMechanism } from '../dps/models';
import type { CertificateSummary, FieldProblem, TpmKeyFacts } from './protocol';
import type { ItemKind } from '../dps/items';

/** A problem as the library reports it; the host attaches the field. */
export interface AttestationProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface CertificateInspection {
  /** Absent when the content holds no usable certificate (the problems say why). */
  certificate?: { pem: string; summary: Omit<CertificateSummary, 'label'> };
  problems: AttestationProblem[];
  /** The CN, when it is a valid registration id / group id. */
  suggestedId?: string;
}

export interface TpmInspection {
  problems: { field: 'endorsementKey' | 'storageRootKey'; problem: AttestationProblem }[];
  suggestedId?: string;
  ekFacts?: TpmKeyFacts;
}

/** A builder's answer: the service JSON, or the problems (placed on form fields) that stop it. */
export type FormBuildResult =
  | { ok: true; attestation: AttestationMechanism; warnings: FieldProblem[] }
  | { ok: false; problems: FieldProblem[] };

export interface FormAttestation {
  inspectCertificate(content: Uint8Array, purpose: ItemKind): CertificateInspection;
  inspectTpm(endorsementKey: string, storageRootKey: string): TpmInspection;
  generateSymmetricKey(): string;
  /** undefined when the key is acceptable. */
  checkSymmetricKey(key: string): AttestationProblem | undefined;
  /** Throws an Error with a user-facing message when the key or id is invalid. */
  deriveDeviceKey(groupKey: string, registrationId: string): string;
  /** undefined when the id is acceptable; `x509` applies the 64-character CN limit. */
  checkId(id: string, kind: ItemKind, x509: boolean): AttestationProblem | undefined;
  /** `registrationId` (individual only) must match the certificate CN. */
  buildX509FromCertificates(purpose: ItemKind, primaryPem: string, secondaryPem: string | undefined, registrationId: string | undefined): FormBuildResult;
  buildX509FromCaReferences(primary: string, secondary: string | undefined): FormBuildResult;
  buildTpm(endorsementKey: string, storageRootKey: string | undefined): FormBuildResult;
  /** Keys left out are generated. */
  buildSymmetricKey(primaryKey: string | undefined, secondaryKey: string | undefined): FormBuildResult;
}

export function toFieldProblem(field: FieldProblem['field'], problem: AttestationProblem): FieldProblem {
  return { field, severity: problem.severity, message: problem.message, code: problem.code };
}
