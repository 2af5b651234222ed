// ETags as the service writes them: an opaque base64 string with no quote characters (recorded:
// `IjBhMDBiNzQyLTAwMDAtMDgwMC0wMDAwLTY0NjgwMWY1MDAwMCI=`, base64 of a quoted id). Clients send the
// body's etag back verbatim in If-Match; a quoted or weak (`W/"..."`) form is accepted as well.
import { randomUUID } from 'node:crypto';

export function newEtag(): string {
  return Buffer.from(`"${randomUUID()}"`, 'utf8').toString('base64');
}

export function normalizeEtag(value: string): string {
  let v = value.trim();
  if (v.startsWith('W/')) v = v.slice(2);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return v;
}

/** Whether an If-Match value is satisfied by the current etag (`*` matches any existing item). */
export function etagMatches(ifMatch: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (ifMatch.trim() === '*') return true;
  return ifMatch.split(',').some((candidate) => normalizeEtag(candidate) === normalizeEtag(current));
}
