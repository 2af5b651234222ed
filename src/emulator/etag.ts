// ETags: a fresh opaque value on every write; If-Match compared without quotes or weak prefix.
import { randomBytes } from 'node:crypto';

export function newEtag(): string {
  return `"${randomBytes(9).toString('base64url')}"`;
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
