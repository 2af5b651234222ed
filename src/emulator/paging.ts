// Query paging over a list in listing order (listingOrder.ts): opaque continuation tokens remember
// the last listing key returned and what was queried, so a token from another query is refused.
import { ErrorCodes, badRequest } from './errors';

export interface PageRequest {
  /** What is being listed, e.g. 'enrollments' or 'registrations:group-1'. */
  scope: string;
  maxItemCount?: string;
  continuation?: string;
  maxPageSize: number;
}

export interface Page<T> {
  items: T[];
  pageSize: number;
  continuation?: string;
}

interface TokenContent {
  s: string;
  a: string;
}

export function encodeContinuation(scope: string, afterKey: string): string {
  return Buffer.from(JSON.stringify({ s: scope, a: afterKey } satisfies TokenContent), 'utf8').toString('base64url');
}

export function decodeContinuation(token: string, scope: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The x-ms-continuation token is not valid.', ErrorCodes.invalidContinuation);
  }
  const content = parsed as Partial<TokenContent> | null;
  if (content === null || typeof content !== 'object' || typeof content.s !== 'string' || typeof content.a !== 'string') {
    throw badRequest('The x-ms-continuation token is not valid.', ErrorCodes.invalidContinuation);
  }
  if (content.s !== scope) {
    throw badRequest('The x-ms-continuation token belongs to a different query.', ErrorCodes.invalidContinuation);
  }
  return content.a;
}

export function parsePageSize(header: string | undefined, maxPageSize: number): number {
  if (header === undefined || header === '') return maxPageSize;
  if (!/^\d+$/.test(header.trim())) throw badRequest('x-ms-max-item-count must be a positive integer.');
  const n = Number(header.trim());
  if (n < 1 || n > 2147483647) throw badRequest('x-ms-max-item-count must be between 1 and 2147483647.');
  return Math.min(n, maxPageSize);
}

/** One page of `sorted` (already ordered by key). */
export function paginate<T>(sorted: readonly T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  const pageSize = parsePageSize(request.maxItemCount, request.maxPageSize);
  let start = 0;
  if (request.continuation !== undefined && request.continuation !== '') {
    const after = decodeContinuation(request.continuation, request.scope);
    start = lowerBound(sorted, keyOf, after);
    if (start < sorted.length && keyOf(sorted[start]) === after) start += 1;
  }
  const items = sorted.slice(start, start + pageSize);
  const more = start + pageSize < sorted.length;
  const last = items[items.length - 1];
  return {
    items,
    pageSize,
    continuation: more && last !== undefined ? encodeContinuation(request.scope, keyOf(last)) : undefined,
  };
}

/** First index whose key is >= key (binary search, so deep pages stay cheap). */
function lowerBound<T>(sorted: readonly T[], keyOf: (item: T) => string, key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(sorted[mid]) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page of a listing-key index (storeIndex.ts): `keysAfter` reads the index, `resolve` turns a key into its item. */
export function paginateKeys<T>(
  keysAfter: (after: string | undefined, limit: number) => string[],
  resolve: (listingKey: string) => T,
  request: PageRequest,
): Page<T> {
  const pageSize = parsePageSize(request.maxItemCount, request.maxPageSize);
  const after = request.continuation !== undefined && request.continuation !== ''
    ? decodeContinuation(request.continuation, request.scope)
    : undefined;
  // One key more than a page tells whether another page exists.
  const keys = keysAfter(after, pageSize + 1);
  const pageKeys = keys.length > pageSize ? keys.slice(0, pageSize) : keys;
  const last = pageKeys[pageKeys.length - 1];
  return {
    items: pageKeys.map(resolve),
    pageSize,
    continuation: keys.length > pageSize && last !== undefined ? encodeContinuation(request.scope, last) : undefined,
  };
}
