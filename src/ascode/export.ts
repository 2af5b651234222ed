// Writes the live instance as a desired-state file, so that planning that file against the same
// instance shows nothing to do. Certificates become thumbprint references (the service shows only
// their facts), symmetric keys become "keep" (the service shows them only on request, and they never
// belong in a file), everything else is the item's managed fields in comparable form.
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';
import { stringify } from 'yaml';
import { DESIRED_STATE_VERSION, isYamlFileName } from './format';
import { readLiveState, type LiveClient, type LiveItem, type ReadLiveOptions } from './live';
import { comparableFields, liveAttestationFacts } from './normalize';

export interface DesiredStateDocument {
  version: number;
  enrollments: Array<Record<string, unknown>>;
  enrollmentGroups: Array<Record<string, unknown>>;
}

export async function exportDesiredState(client: LiveClient, options: Omit<ReadLiveOptions, 'keysFor'> = {}): Promise<DesiredStateDocument> {
  const live = await readLiveState(client, options);
  return desiredStateOf([...live.items.values()]);
}

export function desiredStateOf(items: readonly LiveItem[]): DesiredStateDocument {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const of = (kind: ItemKind) => sorted.filter((i) => i.kind === kind).map((i) => desiredItemOf(i));
  return { version: DESIRED_STATE_VERSION, enrollments: of('enrollment'), enrollmentGroups: of('group') };
}

function desiredItemOf(live: LiveItem): Record<string, unknown> {
  const facts = liveAttestationFacts(live.kind, live.item.attestation);
  const attestation: Record<string, unknown> = { type: facts.type };
  if (facts.type === 'symmetricKey') attestation.keys = 'keep';
  if (facts.type === 'tpm') {
    attestation.endorsementKey = facts.endorsementKey;
    if (facts.storageRootKey !== undefined) attestation.storageRootKey = facts.storageRootKey;
  }
  if (facts.certificate) attestation.certificate = { thumbprint: facts.certificate.sha256Thumbprint };
  if (facts.secondaryCertificate) attestation.secondaryCertificate = { thumbprint: facts.secondaryCertificate.sha256Thumbprint };
  if (facts.caReferences) attestation.caReferences = facts.caReferences;
  return {
    [ITEM_KIND_FACTS[live.kind].idField]: live.id,
    attestation,
    ...comparableFields(live.kind, live.item),
  };
}

/** The file's text: two-space JSON (or YAML, for a .yaml/.yml file name) with a final newline, as people and diffs like it. */
export function formatDesiredState(document: DesiredStateDocument, fileName = ''): string {
  if (isYamlFileName(fileName)) return stringify(document, { indent: 2, lineWidth: 0, aliasDuplicateObjects: false });
  return JSON.stringify(document, null, 2) + '\n';
}
