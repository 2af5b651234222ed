// Text of an enrollment document and the checks on what a user saves. No vscode import.
import type { AttestationMechanism } from '../dps/models';
import { idFieldOf, type Item, type ItemKind } from '../dps/items';
import { hubNameProblems } from '../dps/hubHostName';

export function serializeForEditing(item: Item): string {
  return `${JSON.stringify(item, null, 2)}\n`;
}

export class DocumentValidationError extends Error {
  override readonly name = 'DocumentValidationError';
}

/** Parses a saved document; the id must stay the document's id (saving under another id is not a rename). */
export function parseEditedDocument(text: string, kind: ItemKind, expectedId: string): Item {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DocumentValidationError(`The document is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DocumentValidationError('The document must be one JSON object.');
  }
  const record = value as Record<string, unknown>;
  // Every problem at once, each naming its field, so one save shows all that is wrong.
  const problems: string[] = [];
  const field = idFieldOf(kind);
  if (record[field] !== expectedId) {
    problems.push(`"${field}" must stay "${expectedId}" in this document (found ${JSON.stringify(record[field]) ?? 'nothing'}). To create another one, use the create command.`);
  }
  const attestation = record.attestation as Record<string, unknown> | undefined;
  if (typeof attestation !== 'object' || attestation === null || typeof attestation.type !== 'string') {
    problems.push('"attestation" with a "type" (x509, symmetricKey, tpm or none) is required.');
  }
  if (record.provisioningStatus !== undefined && record.provisioningStatus !== 'enabled' && record.provisioningStatus !== 'disabled') {
    problems.push('"provisioningStatus" must be "enabled" or "disabled".');
  }
  problems.push(...hubNameProblems(record));
  if (problems.length > 0) throw new DocumentValidationError(problems.length === 1 ? (problems[0] ?? '') : `${problems.length} problems: ${problems.join(' ')}`);
  return record as Item;
}

/**
 * The service hides symmetric keys in what it returns, so a document never holds them. Sending the
 * document back without keys could make the service generate new ones and break devices: the
 * stored keys (from the attestation-mechanism call) are put back unless the user typed new ones.
 */
export function withPreservedKeys<T extends Item>(item: T, stored: AttestationMechanism | undefined): T {
  if (item.attestation?.type !== 'symmetricKey' || stored?.type !== 'symmetricKey' || !stored.symmetricKey) return item;
  const typed = item.attestation.symmetricKey ?? {};
  return {
    ...item,
    attestation: {
      ...item.attestation,
      symmetricKey: {
        ...typed,
        primaryKey: typed.primaryKey || stored.symmetricKey.primaryKey,
        secondaryKey: typed.secondaryKey || stored.symmetricKey.secondaryKey,
      },
    },
  };
}
