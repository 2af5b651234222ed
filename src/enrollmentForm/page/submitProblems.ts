// What the page shows after a submit: every problem in one round. The page no longer stops at its
// own quick checks (that made errors arrive in rounds); it merges them with the host's full answer,
// and a certificate slot's specific reason (truncated, junk, with its file name) outlives the submit
// instead of turning into a generic "Choose the device certificate.".
import type { FieldProblem, FormField } from '../protocol';

const CERTIFICATE_FIELDS: readonly FormField[] = ['primaryCertificate', 'secondaryCertificate'];

/**
 * Host problems win per field (they come from the full checks); the page's quick problems fill the
 * fields the host did not mention; a kept certificate reason replaces a generic one for an empty slot.
 */
export function mergeSubmitProblems(
  host: readonly FieldProblem[],
  light: readonly FieldProblem[],
  keptCertificateProblems: ReadonlyMap<FormField, readonly FieldProblem[]>,
): FieldProblem[] {
  const byField = new Map<FormField, FieldProblem[]>();
  for (const p of host) byField.set(p.field, [...(byField.get(p.field) ?? []), p]);
  for (const p of light) if (!byField.has(p.field)) byField.set(p.field, [p]);
  for (const field of CERTIFICATE_FIELDS) {
    const kept = keptCertificateProblems.get(field)?.filter((p) => p.severity === 'error') ?? [];
    if (kept.length > 0 && byField.has(field)) byField.set(field, [...kept]);
  }
  return [...byField.values()].flat();
}
