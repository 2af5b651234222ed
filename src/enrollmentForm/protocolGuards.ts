// Runtime checks of messages that arrive from the page. The page is our code, but it renders
// service data and runs in a browser context, so the host treats every inbound value as untrusted:
// a message is accepted only when its type is known and every field has the exact expected shape
// (no extra fields, strings within bounds). Anything else is refused as a whole.
// No `vscode` import here: the guards are unit-tested in plain Node.

import { CERTIFICATE_SLOTS, FORM_ALLOCATION_POLICIES, FORM_ATTESTATION_TYPES, PROTOCOL_LIMITS, PROVISIONING_STATUSES, TPM_KEY_FIELDS, X509_SOURCES, type PageMessage } from './protocol';
import { ITEM_KINDS } from '../dps/items';

type Obj = Record<string, unknown>;

/** Why a message was refused; the host logs this (it contains no field values). */
export class MessageRejection {
  constructor(readonly reason: string) {}
}

function isPlainObject(value: unknown): value is Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Only the listed keys may be present (`type` included); every listed key is required unless optional. */
function hasExactKeys(value: Obj, required: readonly string[], optional: readonly string[] = []): string | undefined {
  for (const key of required) if (!Object.prototype.hasOwnProperty.call(value, key)) return `missing field "${key}"`;
  const allowed = new Set([...required, ...optional]);
  for (const key of Object.keys(value)) if (!allowed.has(key)) return `unexpected field "${key.slice(0, 40)}"`;
  return undefined;
}

function isBoundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= PROTOCOL_LIMITS.requestId && /^[\w-]+$/.test(value);
}

function checkCertificateSlotValue(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'certificate slot must be an object';
  if (value.kind === 'none' || value.kind === 'existing') return hasExactKeys(value, ['kind']);
  if (value.kind === 'file') {
    return hasExactKeys(value, ['kind', 'token']) ?? (isRequestId(value.token) ? undefined : 'certificate token is malformed');
  }
  return 'certificate slot kind is unknown';
}

const DRAFT_STRINGS: Record<string, number> = {
  id: PROTOCOL_LIMITS.shortText,
  deviceId: PROTOCOL_LIMITS.shortText,
  caReferencePrimary: PROTOCOL_LIMITS.shortText,
  caReferenceSecondary: PROTOCOL_LIMITS.shortText,
  endorsementKey: PROTOCOL_LIMITS.longText,
  storageRootKey: PROTOCOL_LIMITS.longText,
  symmetricKeyPrimary: PROTOCOL_LIMITS.shortText,
  symmetricKeySecondary: PROTOCOL_LIMITS.shortText,
  iotHubs: PROTOCOL_LIMITS.longText,
  webhookUrl: PROTOCOL_LIMITS.shortText,
  webhookApiVersion: PROTOCOL_LIMITS.shortText,
  tagsJson: PROTOCOL_LIMITS.longText,
  desiredPropertiesJson: PROTOCOL_LIMITS.longText,
  namespaceName: PROTOCOL_LIMITS.shortText,
  certificateAuthorityName: PROTOCOL_LIMITS.shortText,
  certificatePolicyName: PROTOCOL_LIMITS.shortText,
};
const DRAFT_BOOLEANS = ['reprovisionUpdateHub', 'reprovisionMigrateData', 'iotEdge'] as const;
const DRAFT_ENUMS: Record<string, readonly string[]> = {
  kind: ITEM_KINDS,
  attestationType: FORM_ATTESTATION_TYPES,
  x509Source: X509_SOURCES,
  allocationPolicy: FORM_ALLOCATION_POLICIES,
  provisioningStatus: PROVISIONING_STATUSES,
};
const DRAFT_SLOTS = ['primaryCertificate', 'secondaryCertificate'] as const;
const DRAFT_KEYS = [...Object.keys(DRAFT_STRINGS), ...DRAFT_BOOLEANS, ...Object.keys(DRAFT_ENUMS), ...DRAFT_SLOTS];

/** Explains what is wrong with a draft, or returns undefined when it has the FormDraft shape. */
export function checkDraft(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'draft must be an object';
  const keys = hasExactKeys(value, DRAFT_KEYS);
  if (keys) return `draft: ${keys}`;
  for (const [key, max] of Object.entries(DRAFT_STRINGS)) {
    if (!isBoundedString(value[key], max)) return `draft: "${key}" must be a string of at most ${max} characters`;
  }
  for (const key of DRAFT_BOOLEANS) if (typeof value[key] !== 'boolean') return `draft: "${key}" must be true or false`;
  for (const [key, values] of Object.entries(DRAFT_ENUMS)) {
    if (!isOneOf(values, value[key])) return `draft: "${key}" is not one of the known values`;
  }
  for (const key of DRAFT_SLOTS) {
    const problem = checkCertificateSlotValue(value[key]);
    if (problem) return `draft: "${key}": ${problem}`;
  }
  return undefined;
}

type Checker = (m: Obj) => string | undefined;

const withRequestId = (m: Obj): string | undefined => (isRequestId(m.requestId) ? undefined : 'requestId is missing or malformed');
const all = (...checks: Checker[]): Checker => (m) => {
  for (const check of checks) {
    const problem = check(m);
    if (problem) return problem;
  }
  return undefined;
};
const exact = (required: readonly string[], optional: readonly string[] = []): Checker => (m) => hasExactKeys(m, required, optional);
const field = (key: string, ok: (v: unknown) => boolean, what: string): Checker => (m) => (ok(m[key]) ? undefined : `"${key}" ${what}`);
const short = (v: unknown): boolean => isBoundedString(v, PROTOCOL_LIMITS.shortText);
const long = (v: unknown): boolean => isBoundedString(v, PROTOCOL_LIMITS.longText);
const slot = (v: unknown): boolean => isOneOf(CERTIFICATE_SLOTS, v);

/** One checker per page message type: the table is the protocol, seen from the host. */
const CHECKERS: Record<PageMessage['type'], Checker> = {
  ready: exact(['type']),
  listLinkedHubs: all(exact(['type', 'requestId']), withRequestId),
  listCaCertificates: all(exact(['type', 'requestId']), withRequestId),
  listCertificateFiles: all(exact(['type', 'requestId']), withRequestId),
  pickCertificate: all(
    exact(['type', 'requestId', 'slot'], ['fileId']),
    withRequestId,
    field('slot', slot, 'must be "primary" or "secondary"'),
    field('fileId', (v) => v === undefined || isRequestId(v), 'is malformed'),
  ),
  checkTpm: all(
    exact(['type', 'requestId', 'endorsementKey', 'storageRootKey']),
    withRequestId,
    field('endorsementKey', long, 'must be a string within bounds'),
    field('storageRootKey', long, 'must be a string within bounds'),
  ),
  loadTpmKey: all(
    exact(['type', 'requestId', 'field']),
    withRequestId,
    field('field', (v) => isOneOf(TPM_KEY_FIELDS, v), 'must be "endorsementKey" or "storageRootKey"'),
  ),
  generateKey: all(exact(['type', 'requestId', 'slot']), withRequestId, field('slot', slot, 'must be "primary" or "secondary"')),
  deriveKey: all(
    exact(['type', 'requestId', 'registrationId', 'slot', 'groupKey']),
    withRequestId,
    field('registrationId', short, 'must be a string within bounds'),
    field('slot', slot, 'must be "primary" or "secondary"'),
    field('groupKey', short, 'must be a string within bounds'),
  ),
  submit: all(exact(['type', 'requestId', 'draft']), withRequestId, (m) => checkDraft(m.draft)),
  cancel: all(exact(['type', 'dirty']), field('dirty', (v) => typeof v === 'boolean', 'must be true or false')),
  draftChanged: all(
    exact(['type', 'dirty', 'draft']),
    field('dirty', (v) => typeof v === 'boolean', 'must be true or false'),
    (m) => checkDraft(m.draft),
  ),
};

/**
 * Accepts a message from the page only when it is exactly one of the PageMessage shapes.
 * Returns the typed message, or a MessageRejection that says why (without echoing values).
 */
export function checkPageMessage(value: unknown): PageMessage | MessageRejection {
  if (!isPlainObject(value)) return new MessageRejection('message is not an object');
  const type = value.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(CHECKERS, type)) {
    return new MessageRejection(typeof type === 'string' ? `unknown message type "${type.slice(0, 40)}"` : 'message has no type');
  }
  const problem = CHECKERS[type as PageMessage['type']](value);
  // The checkers above verified every field of this type, so the cast only names what was proven.
  return problem ? new MessageRejection(`${type}: ${problem}`) : (value as unknown as PageMessage);
}

/** The same check for callers that only need yes/no. */
export function parsePageMessage(value: unknown): PageMessage | undefined {
  const result = checkPageMessage(value);
  return result instanceof MessageRejection ? undefined : result;
}
