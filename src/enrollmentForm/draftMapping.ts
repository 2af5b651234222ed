// Converts between service objects and the form's draft. Reading fills the fields the form knows;
// writing starts from a copy of the service object, so every field the form does not know
// (including those newer API versions add) is sent back untouched. No `vscode` import.

import type {
  AttestationMechanism,
  EnrollmentGroup,
  IndividualEnrollment,
  InitialTwin,
  TwinCollection,
  X509CertificateWithInfo,
} from '../dps/models';
import type { FormAttestation, FormBuildResult } from './formAttestation';
import { toFieldProblem } from './formAttestation';
import { emptyDraft, type CertificateSlot, type ExistingCertificateInfo, type FieldProblem, type FormAttestationType, type FormDraft, type FormMode } from './protocol';
import { type ItemKind, itemIdOf } from '../dps/items';
import { checkHubHostNames, splitHubList } from '../dps/hubHostName';
import type { Item } from '../dps/items';
import { DEFAULT_API_VERSION, supportsCertificatePolicy, type ApiVersion } from '../dps/apiVersion';
import { CERTIFICATE_POLICY_FIELDS, certificatePolicyProblems } from '../dps/certificatePolicy';
import { expiryOf, expiryPhrase, needsExpiryWarning } from '../attestation/expiry';

export interface DraftFromService {
  draft: FormDraft;
  existingCertificates: ExistingCertificateInfo[];
  hasStoredSymmetricKeys: boolean;
}

/** Twin bookkeeping the service adds; not something a user edits. */
const TWIN_BOOKKEEPING = new Set(['version', 'count', 'metadata']);

function twinToJson(collection: TwinCollection | undefined): string {
  if (!collection) return '';
  const userFields = Object.fromEntries(Object.entries(collection).filter(([key]) => !TWIN_BOOKKEEPING.has(key)));
  return Object.keys(userFields).length === 0 ? '' : JSON.stringify(userFields, null, 2);
}

/** The same rule as the Explorer's expiry badge (src/attestation/expiry.ts), in the words of the certificate check. */
function expiryWarning(notAfter: string, now: Date): string | undefined {
  const expiry = expiryOf(notAfter, 'certificate', now);
  if (!needsExpiryWarning(expiry)) return undefined;
  const { daysLeft } = expiry;
  return daysLeft < 0
    ? `The certificate on the service ${expiryPhrase(daysLeft)} (${notAfter}). Devices cannot authenticate with it; choose a new certificate file.`
    : `The certificate on the service ${expiryPhrase(daysLeft)} (${notAfter}). Devices stop authenticating then; plan a new one.`;
}

function certificateInfo(slot: CertificateSlot, cert: X509CertificateWithInfo | undefined, now: Date): ExistingCertificateInfo | undefined {
  const info = cert?.info;
  if (!info) return cert?.certificate ? { slot, subject: '(certificate without details)', issuer: '', notBefore: '', notAfter: '', sha1Thumbprint: '', sha256Thumbprint: '' } : undefined;
  const notAfter = String(info.notAfterUtc ?? '');
  const warning = expiryWarning(notAfter, now);
  return {
    slot,
    subject: String(info.subjectName ?? ''),
    issuer: String(info.issuerName ?? ''),
    notBefore: String(info.notBeforeUtc ?? ''),
    notAfter,
    sha1Thumbprint: String(info.sha1Thumbprint ?? ''),
    sha256Thumbprint: String(info.sha256Thumbprint ?? ''),
    ...(warning ? { expiryWarning: warning } : {}),
  };
}

function formAttestationType(type: AttestationMechanism['type']): FormAttestationType {
  return type === 'tpm' || type === 'symmetricKey' ? type : 'x509';
}

/** The draft that shows a service object as it is. */
export function draftFromServiceObject(kind: ItemKind, object: Item, now: Date = new Date()): DraftFromService {
  const draft = emptyDraft(kind);
  draft.id = itemIdOf(kind, object);
  if (kind === 'enrollment') draft.deviceId = String((object as IndividualEnrollment).deviceId ?? '');
  const attestation = object.attestation;
  draft.attestationType = formAttestationType(attestation?.type);
  const existingCertificates: ExistingCertificateInfo[] = [];
  if (attestation?.type === 'x509' && attestation.x509) {
    const x509 = attestation.x509;
    if (x509.caReferences) {
      draft.x509Source = 'caReferences';
      draft.caReferencePrimary = x509.caReferences.primary ?? '';
      draft.caReferenceSecondary = x509.caReferences.secondary ?? '';
    } else {
      const certs = kind === 'group' ? x509.signingCertificates : x509.clientCertificates;
      for (const slot of ['primary', 'secondary'] as const) {
        const info = certificateInfo(slot, certs?.[slot], now);
        if (info) {
          existingCertificates.push(info);
          draft[slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate'] = { kind: 'existing' };
        }
      }
    }
  }
  if (attestation?.type === 'tpm') {
    draft.endorsementKey = attestation.tpm?.endorsementKey ?? '';
    draft.storageRootKey = attestation.tpm?.storageRootKey ?? '';
  }
  // Keys are not put on the form: GET usually omits them, and the form keeps stored keys unless
  // the user types or generates new ones.
  const hasStoredSymmetricKeys = attestation?.type === 'symmetricKey';
  draft.iotHubs = (object.iotHubs ?? []).join('\n');
  if (!draft.iotHubs && object.iotHubHostName) draft.iotHubs = object.iotHubHostName;
  draft.allocationPolicy = (['hashed', 'geoLatency', 'static', 'custom'] as const).find((p) => p === object.allocationPolicy) ?? '';
  draft.webhookUrl = object.customAllocationDefinition?.webhookUrl ?? '';
  draft.webhookApiVersion = object.customAllocationDefinition?.apiVersion ?? draft.webhookApiVersion;
  draft.reprovisionUpdateHub = object.reprovisionPolicy?.updateHubAssignment ?? true;
  draft.reprovisionMigrateData = object.reprovisionPolicy?.migrateDeviceData ?? true;
  draft.tagsJson = twinToJson(object.initialTwin?.tags);
  draft.desiredPropertiesJson = twinToJson(object.initialTwin?.properties?.desired);
  draft.iotEdge = object.capabilities?.iotEdge ?? false;
  draft.provisioningStatus = object.provisioningStatus === 'disabled' ? 'disabled' : 'enabled';
  for (const field of CERTIFICATE_POLICY_FIELDS) {
    const value = object[field];
    draft[field] = typeof value === 'string' ? value : '';
  }
  return { draft, existingCertificates, hasStoredSymmetricKeys };
}

// ---------------------------------------------------------------- draft -> service object

export interface BuildContext {
  mode: FormMode;
  /** The object being updated, as the service returned it. */
  existing?: Item;
  /** PEM of certificates the host read, by the token the page holds. */
  certificates: ReadonlyMap<string, string>;
  /** Keys stored on the service, fetched only when the draft keeps them (update mode). */
  storedSymmetricKeys?: { primaryKey?: string; secondaryKey?: string };
  attestation: FormAttestation;
  /** The connection's api-version; the certificate policy is written only where it exists. */
  apiVersion?: ApiVersion;
}

export type BuildResult = { ok: true; object: Item } | { ok: false; problems: FieldProblem[] };

/** IoT Hub device id characters (API.md §6, newer docs: no `+` or `#`). */
const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/** The form's hub list: one host name per line (or comma-separated); spaces do not separate. */
export function splitHubs(text: string): string[] {
  return splitHubList(text);
}

function parseTwinJson(text: string, field: 'tagsJson' | 'desiredPropertiesJson', problems: FieldProblem[]): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  const label = field === 'tagsJson' ? 'Initial twin tags' : 'Desired properties';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.push({ field, severity: 'error', message: `${label} are not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ field, severity: 'error', message: `${label} must be a JSON object, like {"building": "43"}.` });
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** Takes a builder's attestation, or moves its problems onto the form's list. */
function accept(result: FormBuildResult, problems: FieldProblem[]): AttestationMechanism | undefined {
  if (result.ok) return result.attestation;
  problems.push(...result.problems);
  return undefined;
}

function buildAttestation(draft: FormDraft, ctx: BuildContext, problems: FieldProblem[]): AttestationMechanism | undefined {
  const purpose = draft.kind;
  const existing = ctx.existing?.attestation;
  const lib = ctx.attestation;
  if (draft.attestationType === 'x509') {
    if (draft.x509Source === 'caReferences') {
      const primary = draft.caReferencePrimary.trim();
      const secondary = draft.caReferenceSecondary.trim();
      if (!primary) {
        problems.push({ field: 'caReferencePrimary', severity: 'error', message: 'Enter the name of the CA certificate registered in the DPS instance.' });
        return undefined;
      }
      return accept(lib.buildX509FromCaReferences(primary, secondary || undefined), problems);
    }
    const certs = existing?.type === 'x509' ? (purpose === 'group' ? existing.x509?.signingCertificates : existing.x509?.clientCertificates) : undefined;
    // What each slot holds: a PEM the host read, the service's current certificate, or nothing.
    type SlotContent = { pem: string } | 'existing' | undefined;
    const contentOf = (slot: CertificateSlot): SlotContent => {
      const value = slot === 'primary' ? draft.primaryCertificate : draft.secondaryCertificate;
      const field = slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate';
      if (value.kind === 'none') return undefined;
      if (value.kind === 'existing') {
        if (certs?.[slot]) return 'existing';
        problems.push({ field, severity: 'error', message: 'The service object has no such certificate any more; choose a file.' });
        return undefined;
      }
      const pem = ctx.certificates.get(value.token);
      if (pem === undefined) problems.push({ field, severity: 'error', message: 'This certificate is no longer available; choose the file again.' });
      return pem === undefined ? undefined : { pem };
    };
    const primary = contentOf('primary');
    const secondary = contentOf('secondary');
    if (primary === undefined) {
      if (!problems.some((p) => p.field === 'primaryCertificate')) {
        problems.push({ field: 'primaryCertificate', severity: 'error', message: purpose === 'group' ? 'Choose the root or intermediate CA certificate that signs the devices\' certificates.' : 'Choose the device certificate.' });
      }
      return undefined;
    }
    if (primary === 'existing' && (secondary === undefined || secondary === 'existing') && existing) {
      // Unchanged certificates: resend what the service has, minus a removed secondary.
      const kept = structuredClone(existing);
      const slotName = purpose === 'group' ? 'signingCertificates' : 'clientCertificates';
      if (secondary === undefined && kept.x509?.[slotName]) delete kept.x509[slotName].secondary;
      return kept;
    }
    if (primary === 'existing' || secondary === 'existing') {
      problems.push({ field: 'primaryCertificate', severity: 'error', message: 'When replacing one certificate, choose files for both slots (the service does not return certificate contents to reuse).' });
      return undefined;
    }
    return accept(lib.buildX509FromCertificates(purpose, primary.pem, secondary?.pem, draft.kind === 'enrollment' && draft.id.trim() ? draft.id.trim() : undefined), problems);
  }
  if (draft.attestationType === 'tpm') {
    if (draft.kind === 'group') {
      problems.push({ field: 'attestationType', severity: 'error', message: 'Enrollment groups cannot use TPM attestation; use X.509 or a symmetric key.' });
      return undefined;
    }
    const ek = draft.endorsementKey.trim();
    const srk = draft.storageRootKey.trim();
    // Keys the user did not touch are resent as the service has them: an edit of the status must not
    // be refused over a key the user never changed (the service accepted it).
    if (ctx.mode === 'update' && existing?.type === 'tpm' && ek === (existing.tpm?.endorsementKey ?? '').trim() && srk === (existing.tpm?.storageRootKey ?? '').trim()) {
      return structuredClone(existing);
    }
    const inspection = lib.inspectTpm(ek, srk);
    for (const { field, problem } of inspection.problems) if (problem.severity === 'error') problems.push(toFieldProblem(field, problem));
    if (!ek && !inspection.problems.some((p) => p.field === 'endorsementKey')) {
      problems.push({ field: 'endorsementKey', severity: 'error', message: 'Paste the TPM endorsement key (base64).' });
    }
    if (problems.some((p) => p.field === 'endorsementKey' || p.field === 'storageRootKey')) return undefined;
    return accept(lib.buildTpm(ek, srk || undefined), problems);
  }
  // Symmetric key.
  let primary = draft.symmetricKeyPrimary.trim();
  let secondary = draft.symmetricKeySecondary.trim();
  for (const [field, key] of [['symmetricKeyPrimary', primary], ['symmetricKeySecondary', secondary]] as const) {
    if (!key) continue;
    const problem = lib.checkSymmetricKey(key);
    if (problem) problems.push(toFieldProblem(field, problem));
  }
  if (ctx.mode === 'update' && existing?.type === 'symmetricKey') {
    // Empty fields keep the stored keys rather than asking the service for new ones.
    primary ||= ctx.storedSymmetricKeys?.primaryKey ?? '';
    secondary ||= ctx.storedSymmetricKeys?.secondaryKey ?? '';
  }
  if (problems.some((p) => p.field === 'symmetricKeyPrimary' || p.field === 'symmetricKeySecondary')) return undefined;
  // Keys left empty are generated by the library (so a derived device key can be shown at once).
  return accept(lib.buildSymmetricKey(primary || undefined, secondary || undefined), problems);
}

/** Validates a draft and builds the service object to send, preserving unknown fields of `existing`. */
export function buildServiceObject(draft: FormDraft, ctx: BuildContext): BuildResult {
  const problems: FieldProblem[] = [];
  const object: Record<string, unknown> = ctx.existing ? structuredClone(ctx.existing) : {};
  const id = draft.id.trim();
  const x509 = draft.attestationType === 'x509' && draft.x509Source === 'certificates';
  if (!id) {
    problems.push({ field: 'id', severity: 'error', message: draft.kind === 'group' ? 'Enter an enrollment group id.' : 'Enter a registration id.' });
  } else {
    const problem = ctx.attestation.checkId(id, draft.kind, x509 && draft.kind === 'enrollment');
    if (problem) problems.push(toFieldProblem('id', problem));
  }
  if (ctx.mode === 'update' && ctx.existing) {
    const currentId = draft.kind === 'group' ? (ctx.existing as EnrollmentGroup).enrollmentGroupId : (ctx.existing as IndividualEnrollment).registrationId;
    if (id && currentId && id.toLowerCase() !== String(currentId).toLowerCase()) {
      problems.push({ field: 'id', severity: 'error', message: `The id cannot be changed on update (it is "${String(currentId)}"). Create a new one instead.` });
    }
  }
  if (draft.kind === 'group') object.enrollmentGroupId = id;
  else object.registrationId = id;

  if (draft.kind === 'enrollment') {
    const deviceId = draft.deviceId.trim();
    if (deviceId && !DEVICE_ID.test(deviceId)) {
      problems.push({ field: 'deviceId', severity: 'error', message: "A device id has at most 128 characters: letters, digits and - . % _ * ? ! ( ) , : = @ $ '." });
    }
    if (deviceId) object.deviceId = deviceId;
    else delete object.deviceId;
  }

  const attestation = buildAttestation(draft, ctx, problems);
  if (attestation) object.attestation = attestation;

  const hubs = splitHubs(draft.iotHubs);
  for (const message of checkHubHostNames(hubs)) problems.push({ field: 'iotHubs', severity: 'error', message });
  if (draft.allocationPolicy === 'static' && hubs.length !== 1) {
    problems.push({ field: 'iotHubs', severity: 'error', message: 'Static allocation needs exactly one IoT hub.' });
  }
  if (hubs.length > 0) object.iotHubs = hubs;
  else delete object.iotHubs;
  // The legacy single-hub field would contradict the list the user edited.
  if (hubs.length > 0) delete object.iotHubHostName;

  if (draft.allocationPolicy) object.allocationPolicy = draft.allocationPolicy;
  else delete object.allocationPolicy;
  if (draft.allocationPolicy === 'custom') {
    const webhookUrl = draft.webhookUrl.trim();
    const apiVersion = draft.webhookApiVersion.trim();
    let url: URL | undefined;
    try {
      url = new URL(webhookUrl);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:') {
      problems.push({ field: 'webhookUrl', severity: 'error', message: 'Custom allocation needs the https:// URL of the webhook (for example an Azure Function).' });
    }
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
      problems.push({ field: 'webhookApiVersion', severity: 'error', message: 'Enter the API version sent to the webhook, such as 2021-10-01 (at least 2018-09-01-preview).' });
    }
    object.customAllocationDefinition = { ...(ctx.existing?.customAllocationDefinition ?? {}), webhookUrl, apiVersion };
  } else {
    delete object.customAllocationDefinition;
  }

  object.reprovisionPolicy = {
    ...(ctx.existing?.reprovisionPolicy ?? {}),
    updateHubAssignment: draft.reprovisionUpdateHub,
    migrateDeviceData: draft.reprovisionMigrateData,
  };

  const tags = parseTwinJson(draft.tagsJson, 'tagsJson', problems);
  const desired = parseTwinJson(draft.desiredPropertiesJson, 'desiredPropertiesJson', problems);
  const twin: InitialTwin = structuredClone(ctx.existing?.initialTwin ?? {});
  if (tags) twin.tags = tags;
  else delete twin.tags;
  const properties = { ...(twin.properties ?? {}) };
  if (desired) properties.desired = desired;
  else delete properties.desired;
  if (Object.keys(properties).length > 0) twin.properties = properties;
  else delete twin.properties;
  if (Object.keys(twin).length > 0) object.initialTwin = twin;
  else delete object.initialTwin;

  object.capabilities = { ...(ctx.existing?.capabilities ?? {}), iotEdge: draft.iotEdge };
  object.provisioningStatus = draft.provisioningStatus;

  // An older api-version has no such fields: whatever the object holds stays as it came.
  if (supportsCertificatePolicy(ctx.apiVersion ?? DEFAULT_API_VERSION)) applyCertificatePolicy(draft, object, problems);

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, object: object as unknown as Item };
}

/** All three names, or none of them on the object (an emptied policy is removed). */
function applyCertificatePolicy(draft: FormDraft, object: Record<string, unknown>, problems: FieldProblem[]): void {
  const values = Object.fromEntries(CERTIFICATE_POLICY_FIELDS.map((f) => [f, draft[f].trim()]));
  const found = certificatePolicyProblems(values);
  for (const { field, message } of found) problems.push({ field, severity: 'error', message });
  const none = CERTIFICATE_POLICY_FIELDS.every((f) => values[f] === '');
  for (const field of CERTIFICATE_POLICY_FIELDS) {
    if (none) delete object[field];
    else object[field] = values[field];
  }
}

export function serviceObjectId(kind: ItemKind, object: Item): string {
  return itemIdOf(kind, object);
}
