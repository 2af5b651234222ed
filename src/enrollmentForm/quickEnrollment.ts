// The quick path without the form, decided in plain Node: a CA certificate becomes an enrollment
// group, a leaf certificate an individual enrollment, the id comes from the CN, everything else is
// left at the service defaults. Anything unusual is a reason to open the form instead.
import { buildServiceObject } from './draftMapping';
import type { FormAttestation } from './formAttestation';
import { emptyDraft } from './protocol';
import type { Item, ItemKind } from '../dps/items';

export type QuickEnrollmentPlan =
  | { ok: true; kind: ItemKind; id: string; object: Item; warnings: string[] }
  /** `kind` is known when the file holds a certificate, so the form can open for it. */
  | { ok: false; kind?: ItemKind; reason: string };

export function planQuickEnrollment(content: Uint8Array, attestation: FormAttestation): QuickEnrollmentPlan {
  // Read once without a purpose bias: whether it is a CA decides the kind.
  const probe = attestation.inspectCertificate(content, 'enrollment');
  if (!probe.certificate) {
    return { ok: false, reason: probe.problems.find((p) => p.severity === 'error')?.message ?? 'The file holds no certificate.' };
  }
  const kind: ItemKind = probe.certificate.summary.isCa ? 'group' : 'enrollment';
  const inspection = kind === 'group' ? attestation.inspectCertificate(content, 'group') : probe;
  const error = inspection.problems.find((p) => p.severity === 'error');
  if (!inspection.certificate || error) return { ok: false, kind, reason: error?.message ?? 'The certificate cannot be used as it is.' };
  const id = inspection.suggestedId;
  const cn = inspection.certificate.summary.commonName;
  // The quick path takes the CN as it is; a sanitised suggestion is for the user to confirm on the form.
  if (!id || id !== cn) {
    return { ok: false, kind, reason: `The certificate's common name "${cn ?? '(none)'}" is not a valid ${kind === 'group' ? 'group id' : 'registration id'}; choose an id on the form${id ? ` (suggested: "${id}")` : ''}.` };
  }
  const token = 'quick';
  const draft = { ...emptyDraft(kind), id, primaryCertificate: { kind: 'file' as const, token } };
  const built = buildServiceObject(draft, { mode: 'create', certificates: new Map([[token, inspection.certificate.pem]]), attestation });
  if (!built.ok) return { ok: false, kind, reason: built.problems[0]?.message ?? 'The certificate cannot be enrolled as it is.' };
  return { ok: true, kind, id, object: built.object, warnings: inspection.problems.map((p) => p.message) };
}
