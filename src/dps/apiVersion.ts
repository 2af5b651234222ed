// The service api-versions this extension speaks, chosen per connection, and which enrollment
// fields each one knows. One list here, so the client, the emulator and the UI agree.

export const API_VERSIONS = ['2021-10-01', '2026-11-01'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** What the Node SDK and the az CLI send; deployed everywhere. */
export const DEFAULT_API_VERSION: ApiVersion = '2021-10-01';

/** Azure Device Registry certificate-policy reference (2026-11-01): all three together or none. */
export const CERTIFICATE_POLICY_FIELDS = ['namespaceName', 'certificateAuthorityName', 'certificatePolicyName'] as const;
export type CertificatePolicyField = (typeof CERTIFICATE_POLICY_FIELDS)[number];

/** Enrollment fields a version added, by the first version that has them. */
const INTRODUCED_IN: Readonly<Record<string, ApiVersion>> = {
  namespaceName: '2026-11-01',
  certificateAuthorityName: '2026-11-01',
  certificatePolicyName: '2026-11-01',
};

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === 'string' && (API_VERSIONS as readonly string[]).includes(value);
}

/** The version a known enrollment field first appeared in, or undefined for a field of every version. */
export function versionIntroducing(field: string): ApiVersion | undefined {
  return Object.hasOwn(INTRODUCED_IN, field) ? INTRODUCED_IN[field] : undefined;
}

/** Top-level fields of an enrollment (or group) that `version` does not know yet. */
export function fieldsNewerThan(version: ApiVersion, item: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(item).filter((field) => {
    const since = versionIntroducing(field);
    return since !== undefined && since > version && item[field] !== undefined;
  });
}

/** Whether a connection of this version may send an ADR certificate-policy reference. */
export function supportsCertificatePolicy(version: ApiVersion): boolean {
  return version >= INTRODUCED_IN.namespaceName;
}

/**
 * The sentence for fields a connection's version does not accept, or undefined when it accepts them
 * all; it names the fields and both versions, so the user changes the connection, not the item.
 */
export function newerFieldsProblem(version: ApiVersion, fields: readonly string[]): string | undefined {
  if (fields.length === 0) return undefined;
  const since = versionIntroducing(fields[0] ?? '') ?? 'a newer api-version';
  return `api-version ${version} does not accept ${fields.map((f) => `'${f}'`).join(', ')} (added in ${since}). ` +
    `Set this connection's API version to ${since}, or remove the field${fields.length > 1 ? 's' : ''}.`;
}

/**
 * Names the certificate-policy reference had in previews (2025-07-01-preview, 2026-07-01-preview) and
 * that 2026-11-01 replaced: no version spoken here accepts them, and the service would not read them as
 * a policy, so an item carrying one is refused with what to write instead.
 */
const PREVIEW_POLICY_FIELDS: Readonly<Record<string, string>> = {
  credentialPolicyName: '2025-07-01-preview',
  certificatePolicyResourceId: '2026-07-01-preview',
};

/** One sentence per preview-only field of `item`, naming the field, its preview and what replaced it. */
export function previewFieldProblems(item: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(PREVIEW_POLICY_FIELDS).filter((field) => item[field] !== undefined && item[field] !== null).map((field) =>
    `'${field}' is the certificate-policy field of api-version ${PREVIEW_POLICY_FIELDS[field]}, which this extension does not speak; ` +
    `api-version 2026-11-01 takes ${CERTIFICATE_POLICY_FIELDS.map((f) => `'${f}'`).join(', ')} instead.`);
}
