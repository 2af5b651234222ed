// The ids an instance already has, for the dry run's create/update split. Reads only, one page
// query per 100 items; the caller decides whether that cost is worth it.
import { idFieldOf, queryItems, type ItemKind, type ItemQueryApi } from '../dps/items';

const PAGE_SIZE = 100;

/** Lower-cased ids (DPS ids are case-insensitive) of every item of one kind. */
export async function listExistingIds(client: ItemQueryApi, kind: ItemKind, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  const idField = idFieldOf(kind);
  let continuationToken: string | undefined;
  do {
    const page = await queryItems(client, kind, { pageSize: PAGE_SIZE, ...(continuationToken !== undefined ? { continuationToken } : {}) }, { signal });
    for (const item of page.items) ids.add((item as unknown as Record<string, string>)[idField]?.toLowerCase() ?? '');
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined && continuationToken !== '');
  return ids;
}
