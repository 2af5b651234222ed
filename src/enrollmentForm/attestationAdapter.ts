// The form's attestation port implemented with the attestation library: every check and every
// builder the form uses comes from `src/attestation`; this file only renames fields and turns the
// library's facts into display text.

import {
  buildCaReferencesAttestation,
  buildSymmetricKeyAttestation,
  buildTpmAttestation,
  buildX509GroupAttestation,
  buildX509IndividualAttestation,
  checkRegistrationId,
  checkSymmetricKey,
  checkTpmPublic,
  deriveDeviceKey,
  describeKey,
  generateSymmetricKey,
  inspectCertificate,
  registrationIdFromEndorsementKey,
  parseTpmPublic,
  type AttestationProblem as LibraryProblem,
  type BuildResult,
  type TpmPublicInfo,
} from '../attestation';
import type { AttestationProblem, FormAttestation, FormBuildResult } from './formAttestation';
import type { FieldProblem, FormField, TpmKeyFacts } from './protocol';

/** "RSA-2048" or "ECC P-256": the names the TPM and DPS docs use for the two EK types. */
export function tpmKeyFacts(info: TpmPublicInfo): TpmKeyFacts {
  const keyType = info.type === 'RSA' ? `RSA-${info.keyBits}` : `ECC ${(info.curve ?? `${info.keyBits}-bit`).replace(/^NIST /, '')}`;
  return { keyType, keyBits: info.keyBits };
}

function plain(problem: LibraryProblem): AttestationProblem {
  return { code: problem.code, severity: problem.severity, message: problem.message };
}

/** The library tags problems with its input names; these are the form's fields for them. */
function toForm(result: BuildResult, fields: Record<string, FormField>, fallback: FormField): FormBuildResult {
  const place = (p: LibraryProblem): FieldProblem => ({
    field: (p.field !== undefined ? fields[p.field] : undefined) ?? fallback,
    severity: p.severity,
    message: p.message,
    code: p.code,
  });
  return result.ok
    ? { ok: true, attestation: result.attestation, warnings: result.problems.map(place) }
    : { ok: false, problems: result.problems.map(place) };
}

export function createFormAttestation(now: () => Date = () => new Date()): FormAttestation {
  return {
    inspectCertificate(content, purpose) {
      const inspection = inspectCertificate(content, purpose, now());
      const problems = inspection.problems.map(plain);
      if (!inspection.certificate) return { problems };
      const facts = inspection.certificate.facts;
      // A group id may come from the CA's CN too, when it is a valid id (never from a leaf given for a group).
      const cn = facts.commonName;
      // Never suggest an id that would be refused: a group's id is free, so an invalid CN becomes a
      // sanitised id; an individual X.509 id must equal the CN, so none is suggested (the CN problem says why).
      const suggestedId = inspection.registrationId ?? (purpose === 'group' && facts.isCA && cn !== null ? sanitisedId(cn) : undefined);
      return {
        certificate: {
          pem: inspection.certificate.pem,
          summary: {
            subject: facts.subject,
            ...(cn !== null ? { commonName: cn } : {}),
            issuer: facts.issuer,
            serialNumber: facts.serialNumber,
            notBefore: facts.notBefore,
            notAfter: facts.notAfter,
            isCa: facts.isCA,
            selfSigned: facts.selfSigned,
            sha1Thumbprint: facts.sha1Thumbprint,
            sha256Thumbprint: facts.sha256Thumbprint,
            keyDescription: describeKey(facts),
          },
        },
        problems,
        ...(suggestedId !== undefined ? { suggestedId } : {}),
      };
    },

    inspectTpm(endorsementKey, storageRootKey) {
      const problems = [
        ...(endorsementKey ? checkTpmPublic(endorsementKey, { role: 'endorsementKey' }).map((p) => ({ field: 'endorsementKey' as const, problem: plain(p) })) : []),
        ...(storageRootKey ? checkTpmPublic(storageRootKey, { role: 'storageRootKey' }).map((p) => ({ field: 'storageRootKey' as const, problem: plain(p) })) : []),
      ];
      const ekFine = endorsementKey !== '' && !problems.some((p) => p.field === 'endorsementKey');
      if (!ekFine) return { problems };
      return { problems, suggestedId: registrationIdFromEndorsementKey(endorsementKey), ekFacts: tpmKeyFacts(parseTpmPublic(endorsementKey, { role: 'endorsementKey' })) };
    },

    generateSymmetricKey,

    checkSymmetricKey(key) {
      const first = checkSymmetricKey(key)[0];
      return first ? plain(first) : undefined;
    },

    deriveDeviceKey,

    checkId(id, kind, x509) {
      const first = checkRegistrationId(id, { fromCommonName: x509 })[0];
      if (!first) return undefined;
      const problem = plain(first);
      return kind === 'group' ? { ...problem, message: problem.message.replace(/^The registration id/, 'The enrollment group id') } : problem;
    },

    buildX509FromCertificates(purpose, primaryPem, secondaryPem, registrationId) {
      const input = { primaryCertificate: primaryPem, ...(secondaryPem !== undefined ? { secondaryCertificate: secondaryPem } : {}) };
      const result = purpose === 'group'
        ? buildX509GroupAttestation(input, now())
        : buildX509IndividualAttestation({ ...input, ...(registrationId !== undefined ? { registrationId } : {}) }, now());
      return toForm(result, { primary: 'primaryCertificate', secondary: 'secondaryCertificate', registrationId: 'id' }, 'primaryCertificate');
    },

    buildX509FromCaReferences(primary, secondary) {
      const result = buildCaReferencesAttestation({ primaryCaName: primary, ...(secondary !== undefined ? { secondaryCaName: secondary } : {}) });
      return toForm(result, { primary: 'caReferencePrimary', secondary: 'caReferenceSecondary' }, 'caReferencePrimary');
    },

    buildTpm(endorsementKey, storageRootKey) {
      const result = buildTpmAttestation({ endorsementKey, ...(storageRootKey !== undefined ? { storageRootKey } : {}) });
      return toForm(result, { endorsementKey: 'endorsementKey', storageRootKey: 'storageRootKey' }, 'endorsementKey');
    },

    buildSymmetricKey(primaryKey, secondaryKey) {
      const result = buildSymmetricKeyAttestation({ ...(primaryKey !== undefined ? { primaryKey } : {}), ...(secondaryKey !== undefined ? { secondaryKey } : {}) });
      return toForm(result, { primaryKey: 'symmetricKeyPrimary', secondaryKey: 'symmetricKeySecondary' }, 'symmetricKeyPrimary');
    },
  };
}

/** A valid id made from a CN: runs of other characters become "-", trimmed to 128; undefined when nothing is left. */
export function sanitisedId(commonName: string): string | undefined {
  const id = commonName.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128).replace(/[._:]+$/, '');
  return id !== '' && checkRegistrationId(id).length === 0 ? id : undefined;
}
