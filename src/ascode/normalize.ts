// The comparable form of an item, the same for what the file says and what the service holds:
// server-written fields, nulls and service defaults are dropped, so "absent" and "the default" compare
// equal and an export of the live instance plans as unchanged. Attestations compare as their facts
// (type, certificate thumbprints, CA names, TPM keys), never as secrets.
import type { ItemKind } from '../dps/items';
import type { AttestationMechanism, X509CertificateWithInfo } from '../dps/models';
import { MANAGED_FIELDS } from './format';

/** Values the service assumes when a field is absent; equal to absent for comparison. */
const DEFAULTS: Record<string, unknown> = {
  provisioningStatus: 'enabled',
  capabilities: { iotEdge: false },
  iotHubs: [],
};

/** Server-maintained members of a twin collection. */
const TWIN_SERVER_FIELDS = ['version', 'count', 'metadata'];

export function comparableFields(kind: ItemKind, item: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of MANAGED_FIELDS[kind]) {
    let value = item[name];
    if (name === 'initialTwin' || name === 'optionalDeviceInformation') value = withoutTwinServerFields(value);
    if (value === undefined || value === null) continue;
    if (name in DEFAULTS && deepEqual(value, DEFAULTS[name])) continue;
    fields[name] = value;
  }
  return fields;
}

function withoutTwinServerFields(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const strip = (collection: unknown): unknown => {
    if (!isRecord(collection)) return collection;
    const copy = { ...collection };
    for (const f of TWIN_SERVER_FIELDS) delete copy[f];
    return Object.keys(copy).length === 0 ? undefined : copy;
  };
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (TWIN_SERVER_FIELDS.includes(key)) continue;
    if (key === 'tags') {
      const tags = strip(member);
      if (tags !== undefined) out.tags = tags;
    } else if (key === 'properties' && isRecord(member)) {
      const properties: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(member)) {
        const stripped = strip(v);
        if (stripped !== undefined) properties[k] = stripped;
      }
      if (Object.keys(properties).length > 0) out.properties = properties;
    } else if (member !== undefined && member !== null) out[key] = member;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** What of an attestation is compared: no key material, certificates by thumbprint. */
export interface AttestationFacts {
  type: string;
  certificate?: CertificateFacts;
  secondaryCertificate?: CertificateFacts;
  caReferences?: { primary?: string; secondary?: string };
  endorsementKey?: string;
  storageRootKey?: string;
}

export interface CertificateFacts {
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  subjectName?: string;
}

/** The facts of an attestation as the service shows it (query or GET results). */
export function liveAttestationFacts(kind: ItemKind, attestation: AttestationMechanism | undefined): AttestationFacts {
  const type = attestation?.type ?? 'none';
  const facts: AttestationFacts = { type };
  if (type === 'tpm' && attestation?.tpm !== undefined) {
    facts.endorsementKey = attestation.tpm.endorsementKey;
    if (attestation.tpm.storageRootKey) facts.storageRootKey = attestation.tpm.storageRootKey;
  }
  if (type === 'x509' && attestation?.x509 !== undefined) {
    const certificates = kind === 'enrollment' ? attestation.x509.clientCertificates : attestation.x509.signingCertificates;
    const primary = certificateFactsOf(certificates?.primary);
    const secondary = certificateFactsOf(certificates?.secondary);
    if (primary !== undefined) facts.certificate = primary;
    if (secondary !== undefined) facts.secondaryCertificate = secondary;
    const ca = attestation.x509.caReferences;
    if (ca?.primary) facts.caReferences = { primary: ca.primary, ...(ca.secondary ? { secondary: ca.secondary } : {}) };
  }
  return facts;
}

function certificateFactsOf(entry: X509CertificateWithInfo | undefined): CertificateFacts | undefined {
  const info = entry?.info;
  if (info === undefined) return undefined;
  return { sha1Thumbprint: info.sha1Thumbprint.toUpperCase(), sha256Thumbprint: info.sha256Thumbprint.toUpperCase(), subjectName: info.subjectName };
}

/** A file's thumbprint (SHA-1 or SHA-256, by length) against a certificate's facts. */
export function thumbprintMatches(thumbprint: string, facts: CertificateFacts | undefined): boolean {
  if (facts === undefined) return false;
  const wanted = thumbprint.toUpperCase();
  return wanted.length === 40 ? wanted === facts.sha1Thumbprint : wanted === facts.sha256Thumbprint;
}

/** Structural equality of JSON values; member order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
