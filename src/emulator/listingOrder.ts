// The order queries list items in. The service lists in no particular order (recorded paging:
// ids come back as 6, 10, 17, 18, 21, 33, ... — its partition order, not id order), so clients
// must not depend on one. The emulator uses a deterministic order that is deliberately NOT id
// order: by a hash of the lower-cased id (ties, which need a hash collision, by id). Continuation
// tokens remember the last listing key, so paging stays stable while items are added or removed.
import { createHash } from 'node:crypto';
import { keyOf } from './ids';

/** The key items are listed by: 16 hex digits of SHA-256 of the case-insensitive id, then the id. */
export function listingKey(id: string): string {
  const k = keyOf(id);
  return `${createHash('sha256').update(k, 'utf8').digest('hex').slice(0, 16)}:${k}`;
}

/** The 16 hex digits of a listing key (kept in data files so loading need not hash every id again). */
export function listingHashOf(listingKey: string): string {
  return listingKey.slice(0, 16);
}

/** A listing key from a stored hash; the id part is the case-insensitive id. */
export function listingKeyWithHash(hash: string, id: string): string {
  return `${hash}:${keyOf(id)}`;
}

/** The case-insensitive id (map key) a listing key was made from. */
export function idKeyOfListingKey(listingKey: string): string {
  return listingKey.slice(17);
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `items` sorted by listing key (each key computed once). */
export function inListingOrder<T>(items: Iterable<T>, idOf: (item: T) => string): T[] {
  return [...items]
    .map((item) => ({ item, key: listingKey(idOf(item)) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((x) => x.item);
}
