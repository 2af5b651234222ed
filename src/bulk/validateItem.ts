// Validation of one enrollment or group object from any source, with the attestation library's
// checks. The messages name the field and say what to write instead; none echoes a key.
import { checkAttestationMechanism, checkRegistrationId, registrationIdFromCertificate, withCertificatesOnly } from '../attestation';
import { idFieldOf, type Item, type ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import type { SourceRow } from './rows';
import { previewFieldProblems } from '../dps/apiVersion';
import { hubNameProblems } from '../dps/hubHostName';
import { CERTIFICATE_POLICY_FIELDS, certificatePolicyNameProblem, certificatePolicyProblems } from '../dps/certificatePolicy';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const STATUSES = ['enabled', 'disabled'];
/** planBulk drops this warning once it knows which items exist (existing ones keep their keys). */
export const KEYLESS_UPDATE_WARNING =
  'No symmetric keys are given: if the item exists, the service replaces its keys with new ones and its devices can no longer authenticate. Include the keys (export with keys) to keep them.';
/** Written by the service; dropped from what we send so objects read elsewhere can be re-sent. */
const SERVER_FIELDS = ['createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState'];

/**
 * Checks an object for a bulk request of this mode and returns a row. A delete needs only the id
 * (the service still wants an attestation, so "none" stands in); updateIfMatchETag needs an etag.
 */
export function validateItem(value: unknown, kind: ItemKind, mode: BulkMode, origin: string, now: Date = new Date()): SourceRow {
  const idField = idFieldOf(kind);
  const what = kind === 'enrollment' ? 'enrollment' : 'enrollment group';
  if (!isObject(value)) {
    return { origin, id: '', errors: [`Each ${what} must be a JSON object with "${idField}" and "attestation".`], warnings: [] };
  }
  const rawId = value[idField];
  const id = typeof rawId === 'string' ? rawId : '';
  const errors: string[] = [];
  const warnings: string[] = [];
  if (typeof rawId !== 'string') {
    errors.push(`"${idField}" is ${rawId === undefined ? 'missing' : 'not a string'}.`);
  } else {
    const label = kind === 'enrollment' ? 'The registration id' : 'The enrollment group id';
    errors.push(...checkRegistrationId(rawId, { label }).map((p) => p.message));
  }
  const item: Json = { ...value };
  for (const field of SERVER_FIELDS) delete item[field];
  if (mode !== 'updateIfMatchETag') delete item.etag;
  else if (typeof value.etag !== 'string' || value.etag === '') {
    errors.push('"etag" is missing: "update if ETag matches" needs each item\'s current ETag (export or open it first).');
  }
  if (mode === 'delete') {
    if (item.attestation === undefined) item.attestation = { type: 'none' };
  } else {
    const problems = checkAttestationMechanism(value.attestation, kind, now);
    for (const p of problems) (p.severity === 'error' ? errors : warnings).push(p.message);
    if (mode !== 'create' && isObject(value.attestation) && value.attestation.type === 'symmetricKey' && !hasKeys(value.attestation.symmetricKey)) {
      // Items read from the service (tree, export without keys) carry no keys; an update without
      // keys has the service generate new ones, which locks out devices using the current keys.
      warnings.push(KEYLESS_UPDATE_WARNING);
    }
    const withoutPem = certificateWithoutPem(value.attestation);
    if (withoutPem !== undefined) errors.push(withoutPem);
    if (kind === 'enrollment' && typeof rawId === 'string') {
      const mismatch = commonNameMismatch(value.attestation, rawId, now);
      if (mismatch !== undefined) errors.push(mismatch);
    }
    if (kind === 'group' && isObject(value.attestation) && value.attestation.type === 'none') {
      errors.push('An enrollment group needs an attestation of type "x509" or "symmetricKey".');
    }
    const status = value.provisioningStatus;
    if (status !== undefined && (typeof status !== 'string' || !STATUSES.includes(status))) {
      errors.push(`"provisioningStatus" must be "enabled" or "disabled", not ${JSON.stringify(status)}.`);
    }
    errors.push(...hubNameProblems(value));
    errors.push(...policyProblems(value));
    errors.push(...previewFieldProblems(value));
    if (kind === 'group' && value.deviceId !== undefined) {
      errors.push('"deviceId" belongs to individual enrollments; an enrollment group has none.');
    }
    // Only the certificate the checks used is sent: a key (or chain) in the same text stays here.
    item.attestation = withCertificatesOnly(item.attestation, kind, now);
  }
  return errors.length > 0 ? { origin, id, errors, warnings } : { origin, id, item: item as Item, errors, warnings };
}

/** The ADR certificate-policy names (2026-11-01): all three or none, each by the spec's rule. */
function policyProblems(value: Json): string[] {
  const present = CERTIFICATE_POLICY_FIELDS.filter((f) => value[f] !== undefined && value[f] !== null);
  const notText = present.filter((f) => typeof value[f] !== 'string');
  if (notText.length > 0) return notText.map((f) => certificatePolicyNameProblem(f, value[f]) ?? '');
  const values = Object.fromEntries(present.map((f) => [f, value[f] as string]));
  return certificatePolicyProblems(values).map((p) => p.message);
}

/** DPS matches an X.509 device by its certificate CN, so an individual enrollment's id must equal it. */
function commonNameMismatch(attestation: unknown, registrationId: string, now: Date): string | undefined {
  if (!isObject(attestation) || attestation.type !== 'x509' || !isObject(attestation.x509)) return undefined;
  const client = attestation.x509.clientCertificates;
  const primary = isObject(client) && isObject(client.primary) ? client.primary.certificate : undefined;
  if (typeof primary !== 'string') return undefined;
  const { registrationId: cn } = registrationIdFromCertificate(primary, now);
  if (cn === null || cn.toLowerCase() === registrationId.toLowerCase()) return undefined;
  return `The registration id "${registrationId}" differs from the certificate CN "${cn}"; DPS matches the device by its CN, so use "${cn}".`;
}

/**
 * The service returns X.509 certificates as their info only, so an exported item may lack the
 * certificate itself; sending it would fail at the service, so the plan says so first.
 */
function certificateWithoutPem(attestation: unknown): string | undefined {
  if (!isObject(attestation) || attestation.type !== 'x509' || !isObject(attestation.x509)) return undefined;
  for (const slot of ['clientCertificates', 'signingCertificates'] as const) {
    const certificates = attestation.x509[slot];
    if (!isObject(certificates)) continue;
    for (const which of ['primary', 'secondary'] as const) {
      const entry = certificates[which];
      if (isObject(entry) && typeof entry.certificate !== 'string' && entry.info !== undefined) {
        return `The ${which} certificate in "${slot}" has only its info (the service never returns the certificate itself): put the PEM text in "${slot}.${which}.certificate" to send it.`;
      }
    }
  }
  return undefined;
}

function hasKeys(symmetricKey: unknown): boolean {
  return isObject(symmetricKey) && typeof symmetricKey.primaryKey === 'string' && symmetricKey.primaryKey !== '';
}
