// The message protocol between the enrollment form page (webview) and its host panel.
// Types only, plus the few constants both sides need: this file is imported by the page bundle
// (DOM, no Node) and by the host (Node, no DOM), so it imports types only.
//
// Rules the types encode:
// - every request from the page carries a `requestId`; the host answers with the same id;
// - the connection string never crosses this boundary; symmetric keys cross it only when the user
//   typed or generated them on the form (a generated key is shown to the user, that is its purpose);
// - certificate material stays on the host: the page holds an opaque `token` for a chosen file.

import type { ApiVersion } from '../dps/apiVersion';
import type { ItemKind } from '../dps/itemKind';

export const FORM_MODES = ['create', 'update'] as const;
export type FormMode = (typeof FORM_MODES)[number];

/** Attestations the form offers (`none` exists in the API but cannot be created by the form). */
export const FORM_ATTESTATION_TYPES = ['x509', 'tpm', 'symmetricKey'] as const;
export type FormAttestationType = (typeof FORM_ATTESTATION_TYPES)[number];

export const X509_SOURCES = ['certificates', 'caReferences'] as const;
export type X509Source = (typeof X509_SOURCES)[number];

export const CERTIFICATE_SLOTS = ['primary', 'secondary'] as const;
export type CertificateSlot = (typeof CERTIFICATE_SLOTS)[number];

export const TPM_KEY_FIELDS = ['endorsementKey', 'storageRootKey'] as const;
export type TpmKeyField = (typeof TPM_KEY_FIELDS)[number];

/** '' = leave it to the service default (hashed across linked hubs). */
export const FORM_ALLOCATION_POLICIES = ['', 'hashed', 'geoLatency', 'static', 'custom'] as const;
export type FormAllocationPolicy = (typeof FORM_ALLOCATION_POLICIES)[number];

export const PROVISIONING_STATUSES = ['enabled', 'disabled'] as const;
export type FormProvisioningStatus = (typeof PROVISIONING_STATUSES)[number];

/** What a certificate slot of the draft holds. */
export type CertificateSlotValue =
  | { kind: 'none' }
  /** Keep the certificate the service object already has (update mode). */
  | { kind: 'existing' }
  /** A file the host read and checked; the host keeps its content under `token`. */
  | { kind: 'file'; token: string };

/** Everything the user can type on the form. Strings are kept as typed; the host parses them. */
export interface FormDraft {
  kind: ItemKind;
  /** Registration id (enrollment) or enrollment group id (group). */
  id: string;
  /** Enrollment only; '' = the service uses the registration id. */
  deviceId: string;
  attestationType: FormAttestationType;
  x509Source: X509Source;
  primaryCertificate: CertificateSlotValue;
  secondaryCertificate: CertificateSlotValue;
  caReferencePrimary: string;
  caReferenceSecondary: string;
  endorsementKey: string;
  storageRootKey: string;
  /** '' = generate a new key on save (create) or keep the current key (update). */
  symmetricKeyPrimary: string;
  symmetricKeySecondary: string;
  /** One host name per line or separated by commas. */
  iotHubs: string;
  allocationPolicy: FormAllocationPolicy;
  webhookUrl: string;
  webhookApiVersion: string;
  reprovisionUpdateHub: boolean;
  reprovisionMigrateData: boolean;
  /** JSON object text; '' = no tags. */
  tagsJson: string;
  /** JSON object text; '' = no desired properties. */
  desiredPropertiesJson: string;
  iotEdge: boolean;
  provisioningStatus: FormProvisioningStatus;
  /** Azure Device Registry certificate policy (api-version 2026-11-01): all three or none; '' = none. */
  namespaceName: string;
  certificateAuthorityName: string;
  certificatePolicyName: string;
}

/** Field names used to place an error next to its input. `form` = not tied to one field. */
export const FORM_FIELDS = [
  'form',
  'id',
  'deviceId',
  'attestationType',
  'primaryCertificate',
  'secondaryCertificate',
  'caReferencePrimary',
  'caReferenceSecondary',
  'endorsementKey',
  'storageRootKey',
  'symmetricKeyPrimary',
  'symmetricKeySecondary',
  'iotHubs',
  'allocationPolicy',
  'webhookUrl',
  'webhookApiVersion',
  'tagsJson',
  'desiredPropertiesJson',
  'provisioningStatus',
  'namespaceName',
  'certificateAuthorityName',
  'certificatePolicyName',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export type Severity = 'error' | 'warning';

/** A problem with one field, as the page shows it next to that field. */
export interface FieldProblem {
  field: FormField;
  severity: Severity;
  message: string;
  /** Machine-readable reason when the attestation library gives one. */
  code?: string;
}

/** Facts of a certificate, as plain text values for display. */
export interface CertificateSummary {
  /** File name (or path relative to the workspace) the user chose. */
  label: string;
  subject: string;
  commonName?: string;
  issuer: string;
  serialNumber?: string;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
  selfSigned?: boolean;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  keyDescription?: string;
}

/** A certificate file of the workspace offered in the picker; `fileId` is opaque to the page. */
export interface CertificateFileEntry {
  fileId: string;
  label: string;
}

/** The certificate a service object already has (update mode), shown read-only. */
export interface ExistingCertificateInfo {
  slot: CertificateSlot;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  /** Present when the certificate has ended or ends within EXPIRY_WARNING_DAYS: what to tell the user. */
  expiryWarning?: string;
}

// ---------------------------------------------------------------- page -> host

export interface ReadyMessage {
  type: 'ready';
}
export interface ListCertificateFilesMessage {
  type: 'listCertificateFiles';
  requestId: string;
}
export interface PickCertificateMessage {
  type: 'pickCertificate';
  requestId: string;
  slot: CertificateSlot;
  /** A `fileId` from the workspace list, or absent to open the system file dialog. */
  fileId?: string;
}
export interface CheckTpmMessage {
  type: 'checkTpm';
  requestId: string;
  endorsementKey: string;
  storageRootKey: string;
}
export interface LoadTpmKeyMessage {
  type: 'loadTpmKey';
  requestId: string;
  field: TpmKeyField;
}
export interface GenerateKeyMessage {
  type: 'generateKey';
  requestId: string;
  slot: CertificateSlot;
}
export interface DeriveKeyMessage {
  type: 'deriveKey';
  requestId: string;
  registrationId: string;
  slot: CertificateSlot;
  /** The group key typed or generated on the form; '' = use the group's stored key (update mode). */
  groupKey: string;
}
export interface SubmitMessage {
  type: 'submit';
  requestId: string;
  draft: FormDraft;
}
/** The user pressed Cancel; the host asks first when `dirty`. */
export interface CancelMessage {
  type: 'cancel';
  dirty: boolean;
}
/** Sent (debounced) as the user types, so the host can offer to restore a closed form. */
export interface DraftChangedMessage {
  type: 'draftChanged';
  dirty: boolean;
  draft: FormDraft;
}

/** Asks for the IoT hubs linked to the connection's instance (sent once after init). */
export interface ListLinkedHubsMessage {
  type: 'listLinkedHubs';
  requestId: string;
}

/** Asks for the instance's CA certificates (sent once, when the CA references first show). */
export interface ListCaCertificatesMessage {
  type: 'listCaCertificates';
  requestId: string;
}

export type PageMessage =
  | ReadyMessage
  | ListLinkedHubsMessage
  | ListCaCertificatesMessage
  | ListCertificateFilesMessage
  | PickCertificateMessage
  | CheckTpmMessage
  | LoadTpmKeyMessage
  | GenerateKeyMessage
  | DeriveKeyMessage
  | SubmitMessage
  | CancelMessage
  | DraftChangedMessage;


// ---------------------------------------------------------------- host -> page

export interface InitMessage {
  type: 'init';
  mode: FormMode;
  kind: ItemKind;
  /** Shown in the heading, e.g. the DPS host name; never a secret. */
  connectionLabel: string;
  /** The connection's api-version: the certificate-policy section shows only where it exists. */
  apiVersion: ApiVersion;
  draft: FormDraft;
  /** True when `draft` is a restored unsaved draft rather than the initial values. */
  restored: boolean;
  /** ETag of the object being updated, shown so the user knows what will be overwritten. */
  etag?: string;
  existingCertificates: ExistingCertificateInfo[];
  /** Whether the service object (update mode) has symmetric keys the form may keep. */
  hasStoredSymmetricKeys: boolean;
  certificateFiles: CertificateFileEntry[];
  /** Problems known before the user does anything, e.g. with a prefilled certificate. */
  problems: FieldProblem[];
  /** Certificates already chosen (prefilled from an Explorer right-click). */
  chosenCertificates: { slot: CertificateSlot; token: string; summary: CertificateSummary }[];
}
export interface CertificateFilesMessage {
  type: 'certificateFiles';
  requestId: string;
  files: CertificateFileEntry[];
}
export interface CertificateChosenMessage {
  type: 'certificateChosen';
  requestId: string;
  slot: CertificateSlot;
  /** Absent when the user cancelled the dialog or the file could not be read as a certificate. */
  certificate?: { token: string; summary: CertificateSummary };
  problems: FieldProblem[];
  /** Registration id / group id the certificate suggests (its CN), when valid. */
  suggestedId?: string;
}
/** What the endorsement key is, once it parses: shown beside the field. No key material. */
export interface TpmKeyFacts {
  /** "RSA-2048" or "ECC P-256". */
  keyType: string;
  keyBits: number;
}
export interface TpmCheckedMessage {
  type: 'tpmChecked';
  requestId: string;
  problems: FieldProblem[];
  /** Conventional registration id derived from the EK, when it parses. */
  suggestedId?: string;
  /** Key type and size of the EK, when it parses. */
  ekFacts?: TpmKeyFacts;
}
export interface TpmKeyLoadedMessage {
  type: 'tpmKeyLoaded';
  requestId: string;
  field: TpmKeyField;
  /** Absent when the user cancelled the dialog. */
  value?: string;
  problems: FieldProblem[];
}
export interface KeyGeneratedMessage {
  type: 'keyGenerated';
  requestId: string;
  slot: CertificateSlot;
  key: string;
}
export interface KeyDerivedMessage {
  type: 'keyDerived';
  requestId: string;
  registrationId: string;
  derivedKey?: string;
  problems: FieldProblem[];
}
/** The host refused a submit before calling the service. */
export interface ValidationMessage {
  type: 'validation';
  requestId: string;
  problems: FieldProblem[];
}
export interface SavedMessage {
  type: 'saved';
  requestId: string;
  id: string;
  etag?: string;
  /** The form switches to update mode with the saved object. */
  draft: FormDraft;
}
/** The service or the host failed; `problems` places what can be placed next to a field. */
export interface ErrorMessage {
  type: 'error';
  requestId?: string;
  message: string;
  status?: number;
  errorCode?: number;
  problems: FieldProblem[];
}

/** A hub linked to the instance, as the hub picker shows it. */
export interface LinkedHubEntry {
  hostName: string;
  allocationWeight?: number;
  location?: string;
  /** False when the hub is linked but left out of allocation. */
  applyAllocationPolicy?: boolean;
}
export interface LinkedHubsMessage {
  type: 'linkedHubs';
  requestId: string;
  hubs: LinkedHubEntry[];
  /** Why there is no list to pick from (no ARM link, or ARM failed); the user types host names then. */
  note?: string;
}

/**
 * A CA certificate of the instance, as the CA reference picker shows it: name, subject and expiry
 * only (never the certificate body). Only a verified, unexpired one can be picked.
 */
export interface CaCertificateChoice {
  name: string;
  subject?: string;
  /** "expires 2039-12-31", "expires in 12 days", "expired 3 days ago". */
  expiryText?: string;
  verified: boolean;
  expired: boolean;
  /** Expired, or ending within 30 days. */
  warn: boolean;
  /** Why it cannot be picked ("not verified: verify it first"); absent when it can. */
  unavailable?: string;
}
export interface CaCertificatesMessage {
  type: 'caCertificates';
  requestId: string;
  certificates: CaCertificateChoice[];
  /** Why there is no list to pick from (no ARM link, or ARM failed); the user types names then. */
  note?: string;
}

export type HostMessage =
  | InitMessage
  | LinkedHubsMessage
  | CaCertificatesMessage
  | CertificateFilesMessage
  | CertificateChosenMessage
  | TpmCheckedMessage
  | TpmKeyLoadedMessage
  | KeyGeneratedMessage
  | KeyDerivedMessage
  | ValidationMessage
  | SavedMessage
  | ErrorMessage;


/** Bounds the host enforces on inbound strings, so a runaway page cannot flood it. */
export const PROTOCOL_LIMITS = {
  requestId: 64,
  shortText: 1024,
  /** EKs, keys, JSON documents. */
  longText: 64 * 1024,
} as const;

/** A draft with nothing typed yet. */
export function emptyDraft(kind: ItemKind): FormDraft {
  return {
    kind,
    id: '',
    deviceId: '',
    attestationType: 'x509',
    x509Source: 'certificates',
    primaryCertificate: { kind: 'none' },
    secondaryCertificate: { kind: 'none' },
    caReferencePrimary: '',
    caReferenceSecondary: '',
    endorsementKey: '',
    storageRootKey: '',
    symmetricKeyPrimary: '',
    symmetricKeySecondary: '',
    iotHubs: '',
    allocationPolicy: '',
    webhookUrl: '',
    webhookApiVersion: '2021-10-01',
    reprovisionUpdateHub: true,
    reprovisionMigrateData: true,
    tagsJson: '',
    desiredPropertiesJson: '',
    iotEdge: false,
    provisioningStatus: 'enabled',
    namespaceName: '',
    certificateAuthorityName: '',
    certificatePolicyName: '',
  };
}
