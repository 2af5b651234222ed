// What an instance already holds, for the dry run: per lower-cased id (DPS ids are case-insensitive)
// the etag read now, so an update can be sent as `updateIfMatchETag` and a change made between the
// dry run and the run is reported instead of overwritten. Read page by page under the job's budget;
// only id and etag are kept (never the item, never keys: queries carry none anyway).
import type { InstanceBudget } from '../dps/budget';
import { queryItems, itemIdOf, type ItemKind, type ItemQueryApi } from '../dps/items';

const PAGE_SIZE = 100;

/** Lower-cased id -> etag as read ('' when the service gave none). */
export type ExistingItems = ReadonlyMap<string, string>;

export interface ReadExistingOptions {
  budget: InstanceBudget;
  signal?: AbortSignal;
  /** Called after each page with the ids read so far. */
  onProgress?: (read: number) => void;
}

export async function readExistingItems(client: ItemQueryApi, kind: ItemKind, options: ReadExistingOptions): Promise<Map<string, string>> {
  const existing = new Map<string, string>();
  await forEachExistingItem(client, kind, options, (id, etag) => existing.set(id.toLowerCase(), etag));
  return existing;
}

/**
 * Each id and etag the instance holds, page by page under the budget, keeping nothing (a large
 * instance's ids go to a compact index, see IdDigestSet). Ids come as the service spells them.
 */
export async function forEachExistingItem(client: ItemQueryApi, kind: ItemKind, options: ReadExistingOptions, onItem: (id: string, etag: string) => void): Promise<void> {
  let continuationToken: string | undefined;
  let read = 0;
  do {
    const paging = { pageSize: PAGE_SIZE, ...(continuationToken !== undefined ? { continuationToken } : {}) };
    const page = await options.budget.read((request) => queryItems(client, kind, paging, request), options.signal);
    for (const item of page.items) {
      const id = itemIdOf(kind, item);
      // Etags are opaque: kept verbatim (quoted or not) and sent back as they came.
      if (id !== '') onItem(id, typeof item.etag === 'string' ? item.etag : '');
    }
    read += page.items.length;
    options.onProgress?.(read);
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined && continuationToken !== '');
}
