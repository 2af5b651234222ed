// The plan: what applying the file would do to the instance, item by item and field by field, with
// the etag each item had when it was read. Pure: the file's resolved items and the live state in, a
// plan out. A plan holds no secret (keys are named by reference and read again when applying), so it
// can be saved, shown and reviewed.
import { fieldsNewerThan, newerFieldsProblem, type ApiVersion } from '../dps/apiVersion';
import { ITEM_KIND_FACTS, type Item, type ItemKind } from '../dps/items';
import type { AttestationMechanism, X509Attestation, X509CertificateWithInfo } from '../dps/models';
import { DesiredStateError, MANAGED_FIELDS, type FilePosition, type FileProblem, type KeysReference } from './format';
import { liveKey, type LiveItem, type LiveState } from './live';
import { comparableFields, deepEqual, liveAttestationFacts, thumbprintMatches, type AttestationFacts } from './normalize';
import type { ResolvedCertificate, ResolvedItem } from './resolve';

export const PLAN_FORMAT = 'dps-enrollments-plan';
export const PLAN_VERSION = 1;

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface FieldChange {
  /** Field path as the file spells it, e.g. "provisioningStatus" or "attestation.certificate". */
  field: string;
  before?: unknown;
  after?: unknown;
}

export interface PlanEntry {
  kind: ItemKind;
  id: string;
  action: PlanAction;
  /** The live etag when the item exists: updates and deletes carry it, so a change since the plan stops them. */
  etag?: string;
  changes: FieldChange[];
  /** Where the item is in the file (absent for deletes). */
  position?: FilePosition;
  /** What create and update send, without keys. */
  body?: Item;
  /** How apply fills in symmetric keys: env names, or keep the existing ones. */
  keys?: KeysReference;
  /** The attestation type the item had when planned (apply keeps existing keys only when it was symmetricKey). */
  liveAttestationType?: string;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  hostName: string;
  fileName: string;
  prune: boolean;
  createdAtUtc: string;
  /** Every item of the file, and with prune every live item the file does not name; sorted by kind and id. */
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
  /** Live items the file does not name, left alone because prune is off. */
  notInFile: Array<{ kind: ItemKind; id: string }>;
}

export interface PlanOptions {
  prune: boolean;
  fileName: string;
  now?: Date;
  /** The connection's api-version: an item with fields it does not accept is a problem at the item, before anything is sent. */
  apiVersion?: ApiVersion;
}

export function computePlan(desired: readonly ResolvedItem[], live: LiveState, options: PlanOptions): Plan {
  const problems: FileProblem[] = [];
  const entries: PlanEntry[] = [];
  const named = new Set<string>();
  for (const item of desired) {
    const key = liveKey(item.kind, item.id);
    named.add(key);
    const newer = options.apiVersion === undefined ? undefined : newerFieldsProblem(options.apiVersion, fieldsNewerThan(options.apiVersion, item.fields));
    if (newer !== undefined) {
      problems.push({ position: item.position, message: newer });
      continue;
    }
    const entry = planItem(item, live.items.get(key), problems);
    if (entry !== undefined) entries.push(entry);
  }
  const notInFile: Array<{ kind: ItemKind; id: string }> = [];
  for (const [key, item] of live.items) {
    if (named.has(key)) continue;
    if (options.prune) entries.push({ kind: item.kind, id: item.id, action: 'delete', etag: item.item.etag, changes: [] });
    else notInFile.push({ kind: item.kind, id: item.id });
  }
  if (problems.length > 0) throw new DesiredStateError(options.fileName, problems);
  const order = (a: { kind: ItemKind; id: string }, b: { kind: ItemKind; id: string }) =>
    a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind === 'group' ? -1 : 1;
  entries.sort(order);
  notInFile.sort(order);
  const counts: Record<PlanAction, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const entry of entries) counts[entry.action]++;
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    hostName: live.hostName,
    fileName: options.fileName,
    prune: options.prune,
    createdAtUtc: (options.now ?? new Date()).toISOString(),
    entries,
    counts,
    notInFile,
  };
}

/** True when applying the plan would change something. */
export function planHasChanges(plan: Plan): boolean {
  return plan.counts.create + plan.counts.update + plan.counts.delete > 0;
}

function planItem(item: ResolvedItem, live: LiveItem | undefined, problems: FileProblem[]): PlanEntry | undefined {
  const keys = item.attestation.type === 'symmetricKey' ? item.attestation.keys : undefined;
  const base = { kind: item.kind, id: item.id, position: item.position };
  if (live === undefined) {
    if (keys === 'keep') {
      problems.push({ position: item.referencePositions.keys ?? item.position, message: `"keys": "keep" but ${ITEM_KIND_FACTS[item.kind].singular} "${item.id}" does not exist, so there are no keys to keep. Write "generate" to have the service make keys, or name them with {"env": …}.` });
      return undefined;
    }
    const attestation = attestationBody(item, undefined, problems);
    if (attestation === undefined) return undefined;
    const body = { ...item.fields, [ITEM_KIND_FACTS[item.kind].idField]: item.id, attestation } as unknown as Item;
    const changes = [...createdAttestation(item), ...Object.entries(item.comparable).map(([field, after]) => ({ field, after }))];
    return { ...base, action: 'create', changes, body, ...(keys !== undefined ? { keys } : {}) };
  }

  const liveFacts = liveAttestationFacts(item.kind, live.item.attestation);
  const changes = [...attestationChanges(item, liveFacts, live), ...fieldChanges(item, live)];
  if (changes.length === 0) return { ...base, action: 'unchanged', etag: live.item.etag, changes };
  const attestation = attestationBody(item, live, problems);
  if (attestation === undefined) return undefined;
  return {
    ...base,
    action: 'update',
    etag: live.item.etag,
    changes,
    body: updateBody(item, live, attestation),
    ...(keys !== undefined ? { keys } : {}),
    liveAttestationType: liveFacts.type,
  };
}

function fieldChanges(item: ResolvedItem, live: LiveItem): FieldChange[] {
  const before = comparableFields(item.kind, live.item);
  const after = item.comparable;
  const changes: FieldChange[] = [];
  for (const field of MANAGED_FIELDS[item.kind]) {
    if (deepEqual(before[field], after[field])) continue;
    changes.push({ field, ...(before[field] !== undefined ? { before: before[field] } : {}), ...(after[field] !== undefined ? { after: after[field] } : {}) });
  }
  return changes;
}

/** Attestation differences by facts: type, certificate thumbprints, CA names, TPM keys; symmetric keys only when the file names them. */
function attestationChanges(item: ResolvedItem, live: AttestationFacts, liveItem: LiveItem): FieldChange[] {
  const a = item.attestation;
  if (a.type !== live.type) return [{ field: 'attestation.type', before: live.type, after: a.type }];
  const changes: FieldChange[] = [];
  if (a.type === 'tpm') {
    if (a.endorsementKey !== live.endorsementKey) changes.push({ field: 'attestation.endorsementKey', before: live.endorsementKey, after: a.endorsementKey });
    if ((a.storageRootKey ?? undefined) !== live.storageRootKey) changes.push({ field: 'attestation.storageRootKey', before: live.storageRootKey, after: a.storageRootKey });
  }
  if (a.type === 'x509') {
    for (const slot of ['certificate', 'secondaryCertificate'] as const) {
      const wanted = item.certificates[slot];
      const have = live[slot];
      const same = wanted === undefined ? have === undefined : thumbprintMatches(wanted.thumbprint, have);
      if (!same) changes.push({ field: `attestation.${slot}`, ...(have ? { before: describeLiveCertificate(have) } : {}), ...(wanted ? { after: describeWanted(wanted) } : {}) });
    }
    if (!deepEqual(a.caReferences, live.caReferences)) changes.push({ field: 'attestation.caReferences', before: live.caReferences, after: a.caReferences });
  }
  if (a.type === 'symmetricKey' && item.keyValues !== undefined && liveItem.keys !== undefined) {
    const k = liveItem.keys;
    if (item.keyValues.primary !== k.primary || item.keyValues.secondary !== k.secondary) {
      // Never the values: only that they differ, and where the wanted ones come from.
      const refs = typeof a.keys === 'object' ? `${a.keys.primary.env}, ${a.keys.secondary.env}` : '';
      changes.push({ field: 'attestation.keys', before: '(current keys)', after: `(keys from ${refs})` });
    }
  }
  return changes;
}

/** What a created item's attestation will be, as changes from nothing. */
function createdAttestation(item: ResolvedItem): FieldChange[] {
  const a = item.attestation;
  const changes: FieldChange[] = [{ field: 'attestation.type', after: a.type }];
  if (a.type === 'tpm') changes.push({ field: 'attestation.endorsementKey', after: a.endorsementKey });
  if (a.type === 'x509') {
    for (const slot of ['certificate', 'secondaryCertificate'] as const) {
      const wanted = item.certificates[slot];
      if (wanted !== undefined) changes.push({ field: `attestation.${slot}`, after: describeWanted(wanted) });
    }
    if (a.caReferences !== undefined) changes.push({ field: 'attestation.caReferences', after: a.caReferences });
  }
  if (a.type === 'symmetricKey') {
    changes.push({ field: 'attestation.keys', after: typeof a.keys === 'object' ? `(keys from ${a.keys.primary.env}, ${a.keys.secondary.env})` : '(generated by the service)' });
  }
  return changes;
}

function describeLiveCertificate(facts: { sha256Thumbprint: string; subjectName?: string }): string {
  return `${facts.subjectName ?? 'certificate'} (SHA-256 ${facts.sha256Thumbprint})`;
}

function describeWanted(wanted: ResolvedCertificate): string {
  if (wanted.pem === undefined) return `thumbprint ${wanted.thumbprint}`;
  return `${wanted.facts?.subjectName ?? 'certificate'} from ${wanted.reference} (SHA-256 ${wanted.thumbprint})`;
}

/** The attestation to send, without keys; undefined (with a problem) when the file cannot be sent as it is. */
function attestationBody(item: ResolvedItem, live: LiveItem | undefined, problems: FileProblem[]): AttestationMechanism | undefined {
  const a = item.attestation;
  switch (a.type) {
    case 'none':
      return { type: 'none' };
    case 'tpm':
      return { type: 'tpm', tpm: { endorsementKey: a.endorsementKey, ...(a.storageRootKey !== undefined ? { storageRootKey: a.storageRootKey } : {}) } };
    case 'symmetricKey':
      return { type: 'symmetricKey' };
    case 'x509': {
      const liveX509 = live?.item.attestation?.type === 'x509' ? live.item.attestation.x509 : undefined;
      const liveCertificates = item.kind === 'enrollment' ? liveX509?.clientCertificates : liveX509?.signingCertificates;
      const certificates: Record<string, X509CertificateWithInfo> = {};
      for (const slot of ['certificate', 'secondaryCertificate'] as const) {
        const wanted = item.certificates[slot];
        if (wanted === undefined) continue;
        const serviceSlot = slot === 'certificate' ? 'primary' : 'secondary';
        if (wanted.pem !== undefined) {
          certificates[serviceSlot] = { certificate: wanted.pem };
          continue;
        }
        // A thumbprint names a certificate the service already holds: send back what it showed (its info).
        const existing = liveCertificates?.[serviceSlot];
        if (existing?.info !== undefined && thumbprintMatches(wanted.thumbprint, { sha1Thumbprint: existing.info.sha1Thumbprint.toUpperCase(), sha256Thumbprint: existing.info.sha256Thumbprint.toUpperCase() })) {
          certificates[serviceSlot] = { info: existing.info };
        } else {
          problems.push({
            position: item.referencePositions[slot] ?? item.position,
            message: `"${item.id}" names its ${slot === 'certificate' ? 'certificate' : 'secondary certificate'} by thumbprint ${wanted.thumbprint}, but the service ${existing?.info ? 'holds a different one' : 'holds none'}; a thumbprint cannot be sent. Name the certificate file instead: {"file": "certs/….pem"}.`,
          });
          return undefined;
        }
      }
      const x509: X509Attestation = {};
      if (Object.keys(certificates).length > 0) x509[item.kind === 'enrollment' ? 'clientCertificates' : 'signingCertificates'] = certificates;
      if (a.caReferences !== undefined) x509.caReferences = a.caReferences;
      return { type: 'x509', x509 };
    }
  }
}

/** The live item with the file's managed fields and attestation over it; unknown (newer) fields stay as they are. */
function updateBody(item: ResolvedItem, live: LiveItem, attestation: AttestationMechanism): Item {
  const body: Record<string, unknown> = { ...live.item };
  for (const field of ['etag', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState', ...MANAGED_FIELDS[item.kind]]) delete body[field];
  Object.assign(body, item.fields, { attestation, etag: live.item.etag });
  return body as unknown as Item;
}
