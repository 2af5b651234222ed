// The Azure Device Registry certificate-policy reference of an enrollment or group (api-version
// 2026-11-01): three names, all together or none. One module for its rules and its words, used by
// the form (page and host), the tree, bulk sources and the emulator. No run-time imports beyond
// apiVersion.ts, so the form page can bundle it.
import { CERTIFICATE_POLICY_FIELDS, type CertificatePolicyField } from './apiVersion';

export { CERTIFICATE_POLICY_FIELDS, type CertificatePolicyField };

/** The three names as a value; present only when all three are. */
export type CertificatePolicyRef = Readonly<Record<CertificatePolicyField, string>>;

interface NameRule {
  min: number;
  max: number;
  pattern: RegExp;
  says: string;
}

// Lengths and patterns from the 2026-11-01 service spec (specification/deviceprovisioningservices/
// data-plane/.../stable/2026-11-01/service.json, IndividualEnrollment and EnrollmentGroup properties).
export const CERTIFICATE_POLICY_NAME_RULES: Readonly<Record<CertificatePolicyField, NameRule>> = {
  namespaceName: { min: 3, max: 64, pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/, says: 'lower-case letters, digits and hyphens, starting and ending with a letter or digit' },
  certificateAuthorityName: { min: 3, max: 63, pattern: /^[0-9a-zA-Z][a-zA-Z0-9-]*$/, says: 'letters, digits and hyphens, starting with a letter or digit' },
  certificatePolicyName: { min: 3, max: 63, pattern: /^[0-9a-zA-Z][a-zA-Z0-9-]*$/, says: 'letters, digits and hyphens, starting with a letter or digit' },
};

/** The problem with one name, or undefined when it follows the spec's rule for that field. */
export function certificatePolicyNameProblem(field: CertificatePolicyField, value: unknown): string | undefined {
  const rule = CERTIFICATE_POLICY_NAME_RULES[field];
  if (typeof value !== 'string') return `${field} must be a string.`;
  if (value.length < rule.min || value.length > rule.max) return `${field} must be ${rule.min} to ${rule.max} characters long; got ${value.length}.`;
  if (!rule.pattern.test(value)) return `${field} '${value.slice(0, 80)}' must contain only ${rule.says}.`;
  return undefined;
}

/**
 * Problems of three typed names, per field: none at all is fine (no policy); some but not all is
 * refused on each missing one; a given name must follow its rule. Values are compared as given
 * (callers trim what users typed).
 */
export function certificatePolicyProblems(values: Readonly<Partial<Record<CertificatePolicyField, string>>>): { field: CertificatePolicyField; message: string }[] {
  const given = CERTIFICATE_POLICY_FIELDS.filter((f) => (values[f] ?? '') !== '');
  if (given.length === 0) return [];
  const problems: { field: CertificatePolicyField; message: string }[] = [];
  for (const field of CERTIFICATE_POLICY_FIELDS) {
    const value = values[field] ?? '';
    if (value === '') {
      problems.push({ field, message: `A certificate policy needs all three names: enter ${field} too, or clear the others.` });
      continue;
    }
    const problem = certificatePolicyNameProblem(field, value);
    if (problem !== undefined) problems.push({ field, message: problem });
  }
  return problems;
}

/** The reference an item carries, when it carries all three names as strings. */
export function certificatePolicyOf(item: Readonly<Record<string, unknown>>): CertificatePolicyRef | undefined {
  const [ns, ca, policy] = CERTIFICATE_POLICY_FIELDS.map((f) => item[f]);
  if (typeof ns !== 'string' || typeof ca !== 'string' || typeof policy !== 'string' || !ns || !ca || !policy) return undefined;
  return { namespaceName: ns, certificateAuthorityName: ca, certificatePolicyName: policy };
}

/** One line for tooltips and result views: the policy, then where it lives. */
export function describeCertificatePolicy(ref: CertificatePolicyRef): string {
  return `${ref.certificatePolicyName} (certificate authority ${ref.certificateAuthorityName}, namespace ${ref.namespaceName})`;
}
