// Public surface of the Azure Resource Manager library (plain Node; no editor API).
export { ArmClient, DPS_ARM_API_VERSION, SUBSCRIPTIONS_API_VERSION, base64Der } from './armClient';
export type { ArmClientOptions, ArmRequestEvent, DpsRef } from './armClient';
export { ArmError, armErrorFromResponse, isArmError } from './armErrors';
export type { ArmResponseFacts } from './armErrors';
export { armAdvice } from './armErrorAdvice';
export type { ArmErrorFacts } from './armErrorAdvice';
export type { ArmErrorKind } from './armErrors';
export * from './armModels';
export { AZURE_CLOUDS, audienceOf, cloudNameList, knownCloud } from './clouds';
export type { AzureCloud, AzureCloudName } from './clouds';
export { CaVerificationError, verifyCaCertificate } from './caVerification';
export type { ProofOfPossessionInput, VerificationOutcome } from './caVerification';
export { linkedHubsOf } from './linkedHubs';
export { dpsPath, parseDpsResourceId } from './resourceId';
export type { DpsResourceId } from './resourceId';
export { emulatorTokenProvider, jwtExpiry } from './tokenSources';
export type { EmulatorAccount } from './tokenSources';
