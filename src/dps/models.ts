// Service objects of the DPS service API, api-versions 2021-10-01 and 2026-11-01, typed from the
// spec's definitions. Every object type keeps an index signature so that fields added by newer API
// versions survive a read-modify-write untouched.

export type AttestationType = 'none' | 'tpm' | 'x509' | 'symmetricKey';
export type ProvisioningStatus = 'enabled' | 'disabled';
export type AllocationPolicy = 'hashed' | 'geoLatency' | 'static' | 'custom';
export type BulkMode = 'create' | 'update' | 'updateIfMatchETag' | 'delete';
export type RegistrationStatus = 'unassigned' | 'assigning' | 'assigned' | 'failed' | 'disabled';
export type RegistrationSubstatus =
  | 'initialAssignment'
  | 'deviceDataMigrated'
  | 'deviceDataReset'
  | 'reprovisionedToInitialAssignment';

/** Fields the service may add in later versions; kept as they came. */
export interface Extensible {
  [unknownField: string]: unknown;
}

export interface TpmAttestation extends Extensible {
  endorsementKey: string;
  storageRootKey?: string;
}

export interface SymmetricKeyAttestation extends Extensible {
  primaryKey?: string;
  secondaryKey?: string;
}

export interface X509CertificateInfo extends Extensible {
  subjectName: string;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  issuerName: string;
  notBeforeUtc: string;
  notAfterUtc: string;
  serialNumber: string;
  version: number;
}

export interface X509CertificateWithInfo extends Extensible {
  certificate?: string;
  info?: X509CertificateInfo;
}

export interface X509Certificates extends Extensible {
  primary?: X509CertificateWithInfo;
  secondary?: X509CertificateWithInfo;
}

export interface X509CAReferences extends Extensible {
  primary?: string;
  secondary?: string;
}

export interface X509Attestation extends Extensible {
  clientCertificates?: X509Certificates;
  signingCertificates?: X509Certificates;
  caReferences?: X509CAReferences;
}

export interface AttestationMechanism extends Extensible {
  type: AttestationType;
  tpm?: TpmAttestation;
  x509?: X509Attestation;
  symmetricKey?: SymmetricKeyAttestation;
}

export interface DeviceCapabilities extends Extensible {
  iotEdge: boolean;
}

export interface Metadata extends Extensible {
  lastUpdated?: string;
  lastUpdatedVersion?: number;
}

export interface TwinCollection extends Extensible {
  version?: number;
  count?: number;
  metadata?: Metadata;
}

export interface InitialTwin extends Extensible {
  tags?: TwinCollection;
  properties?: { desired?: TwinCollection } & Extensible;
}

export interface ReprovisionPolicy extends Extensible {
  updateHubAssignment: boolean;
  migrateDeviceData: boolean;
}

export interface CustomAllocationDefinition extends Extensible {
  webhookUrl: string;
  apiVersion: string;
}

export interface DeviceRegistrationState extends Extensible {
  registrationId?: string;
  createdDateTimeUtc?: string;
  assignedHub?: string;
  deviceId?: string;
  status?: RegistrationStatus;
  substatus?: RegistrationSubstatus;
  errorCode?: number;
  errorMessage?: string;
  lastUpdatedDateTimeUtc?: string;
  etag?: string;
  payload?: unknown;
  /** 2026-11-01 device API, register only: base64 DER certificates, the issued leaf first, the root last. */
  issuedCertificateChain?: string[];
}

/** Fields shared by individual enrollments and enrollment groups. */
interface EnrollmentCommon extends Extensible {
  attestation: AttestationMechanism;
  capabilities?: DeviceCapabilities;
  iotHubHostName?: string;
  initialTwin?: InitialTwin;
  etag?: string;
  provisioningStatus?: ProvisioningStatus;
  reprovisionPolicy?: ReprovisionPolicy;
  createdDateTimeUtc?: string;
  lastUpdatedDateTimeUtc?: string;
  allocationPolicy?: AllocationPolicy;
  iotHubs?: string[];
  customAllocationDefinition?: CustomAllocationDefinition;
  // 2026-11-01: an Azure Device Registry certificate policy the service issues device certificates
  // from; all three or none.
  namespaceName?: string;
  certificateAuthorityName?: string;
  certificatePolicyName?: string;
}

export interface IndividualEnrollment extends EnrollmentCommon {
  registrationId: string;
  deviceId?: string;
  registrationState?: DeviceRegistrationState;
  optionalDeviceInformation?: TwinCollection;
}

export interface EnrollmentGroup extends EnrollmentCommon {
  enrollmentGroupId: string;
}

export interface QuerySpecification {
  query: string;
}

export interface BulkEnrollmentOperation {
  mode: BulkMode;
  enrollments: IndividualEnrollment[];
}

export interface BulkEnrollmentGroupOperation {
  mode: BulkMode;
  enrollmentGroups: EnrollmentGroup[];
}

export interface BulkEnrollmentOperationError {
  registrationId: string;
  errorCode: number;
  errorStatus: string;
}

export interface BulkEnrollmentGroupOperationError {
  enrollmentGroupId: string;
  errorCode: number;
  errorStatus: string;
}

export interface BulkEnrollmentOperationResult {
  isSuccessful: boolean;
  errors?: BulkEnrollmentOperationError[];
}

export interface BulkEnrollmentGroupOperationResult {
  isSuccessful: boolean;
  errors?: BulkEnrollmentGroupOperationError[];
}

export interface ProvisioningServiceErrorDetails {
  errorCode?: number;
  trackingId?: string;
  message?: string;
  info?: Record<string, string>;
  timestampUtc?: string;
}

/** One page of a query: the items and the token for the next page (absent on the last page). */
export interface QueryPage<T> {
  items: T[];
  continuationToken?: string;
}
