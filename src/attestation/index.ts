// Public entry point of the attestation toolkit: reading and classifying certificate input,
// certificate facts and checks, attestation builders, TPM endorsement keys, symmetric keys, and
// certificate generation. Plain Node: no editor API.
export * from './problems';
export { readCertificates, readBlocks, toPem } from './read';
export type { BlockKind, BlockEncoding, BlockSummary, ReadBlock, ReadCertificate, ReadResult } from './read';
export { certificateFacts, isSelfSigned } from './facts';
export type { CertificateFacts, KeyAlgorithm, KeyUsageName, ValidityState } from './facts';
export { checkCertificateFor, checkChainOrder, checkGroupCertificate, checkIndividualCertificate, checkKeyStrength, checkValidity } from './checks';
export type { ChainOrderResult, ItemKind } from './checks';
export { checkAttestationMechanism } from './mechanismChecks';
export { certificatePemOnly, withCertificatesOnly } from './certificatesOnly';
export { checkRegistrationId, isValidRegistrationId, MAX_COMMON_NAME_LENGTH, MAX_REGISTRATION_ID_LENGTH } from './registrationId';
export type { RegistrationIdOptions } from './registrationId';
export {
  buildCaReferencesAttestation, buildNoneAttestation, buildSymmetricKeyAttestation, buildTpmAttestation,
  buildX509GroupAttestation, buildX509IndividualAttestation, describeKey, inspectCertificate, registrationIdFromCertificate,
} from './builders';
export type {
  BuildFailure, BuildResult, BuildSuccess, CaReferencesInput, CertificateInput, CertificateInspection, SymmetricKeyInput,
  TpmInput, X509CertificatesInput, X509IndividualInput,
} from './builders';
export { base32Lower, checkEndorsementKey, checkTpmPublic, parseTpmPublic, registrationIdFromEndorsementKey } from './tpm';
export type { TpmKeyOptions, TpmPublicInfo } from './tpm';
export { checkSymmetricKey, deriveDeviceKey, deriveDeviceKeys, describeKeyMismatch, generateSymmetricKey } from './symmetricKey';
export type { DeriveDeviceKeysResult, DerivedDeviceKey, KeyMismatchInput, RejectedRegistrationId } from './symmetricKey';
export { loadPrivateKey } from './privateKey';
export {
  generateDeviceCertificate, generateIntermediateCertificate, generateRootCertificate, generateTestChain,
  generateVerificationCertificate, KEY_SPECS,
} from './generate';
export type {
  CaOptions, CertificateOptions, GeneratedCertificate, IssuerInput, KeySpec, TestChain, VerificationCertificate,
  VerificationCertificateInput,
} from './generate';
