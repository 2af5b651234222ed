// Paths of enrollment documents: /<connection id>/<collection>/<item id>.json, each segment
// URI-encoded (connection ids contain "/"). No vscode import.

export const DOCUMENT_SCHEME = 'dps-enrollments';
/** Read-only view of the service's current version, for "Compare" after a 412. */
export const CURRENT_VERSION_SCHEME = 'dps-enrollments-current';

import { ITEM_KIND_FACTS, kindOfCollection, type ItemCollection, type ItemKind } from '../dps/items';

export interface DocumentAddress {
  connectionId: string;
  kind: ItemKind;
  id: string;
}

export function formatDocumentPath(a: DocumentAddress): string {
  return `/${encodeURIComponent(a.connectionId)}/${ITEM_KIND_FACTS[a.kind].collection}/${encodeURIComponent(a.id)}.json`;
}

export function parseDocumentPath(path: string): DocumentAddress {
  const match = /^\/([^/]+)\/(enrollments|enrollmentGroups)\/([^/]+)\.json$/.exec(path);
  if (!match) throw new Error(`Not an enrollment document path: ${path}`);
  return {
    connectionId: decodeURIComponent(match[1] ?? ''),
    kind: kindOfCollection(match[2] as ItemCollection),
    id: decodeURIComponent(match[3] ?? ''),
  };
}
