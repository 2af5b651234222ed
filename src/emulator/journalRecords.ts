// The line format shared by the journal and the snapshot (data format version 3): one record per
// line, `CRC32HEX JSON\n`, where the 8 hex digits are the CRC-32 of the JSON's UTF-8 bytes. The
// checksum tells a torn or damaged line from a record; a newline inside JSON is always escaped.
//   header (first line of a snapshot):  {"format":"dps-enrollments-emulator","version":3,"journal":G}
//   put:     {"op":"put","c":"enrollment"|"group"|"registration","h":"<16 hex of the listing key>","i":"<case-insensitive id>","v":{...}}
//   delete:  {"op":"delete","c":...,"id":"..."}
//   clear:   {"op":"clear"}
//   end (last line of a snapshot):      {"op":"end","count":N}
// Version 3 differs from 2 only in the put's `i`, written before the value in that fixed order, so
// a loader can read the id and keep the value as text without parsing it (storedLine.ts). Version
// 2 lines (no `i`) are still read.
import { crc32 } from 'node:zlib';
import type { ItemKind } from '../dps/itemKind';
import { keyOf } from './ids';
import { idKeyOfListingKey, listingHashOf, listingKey, listingKeyWithHash } from './listingOrder';
import { isStorableRecord, type CollectionName, type RegistrationRecord, type StoreChange } from './store';

export const DATA_FORMAT = 'dps-enrollments-emulator';
export const DATA_VERSION = 3;
/** Header versions this emulator reads: 2 (no `i` in puts) and 3. */
const READABLE_VERSIONS: readonly number[] = [2, 3];

export interface SnapshotHeader {
  format: typeof DATA_FORMAT;
  version: 2 | 3;
  /** The first journal generation whose records come after this snapshot. */
  journal: number;
}

export type DecodedLine =
  | { kind: 'change'; change: StoreChange }
  /** A put whose value is kept as its JSON text, parsed and checked on first use (storedLine.ts). */
  | { kind: 'stored'; collection: ItemKind; listingKey: string; json: string }
  | { kind: 'header'; header: SnapshotHeader }
  | { kind: 'end'; count: number };

const COLLECTIONS: readonly CollectionName[] = ['enrollment', 'group', 'registration'];
const HASH = /^[0-9a-f]{16}$/;

export function checksumLine(json: string): string {
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The JSON of a put up to its value: the fixed prefix storedLine.ts reads by position. */
function putPrefix(collection: CollectionName, itemListingKey: string): string {
  return `{"op":"put","c":"${collection}","h":"${listingHashOf(itemListingKey)}","i":${JSON.stringify(idKeyOfListingKey(itemListingKey))},"v":`;
}

export function encodeChange(change: StoreChange): string {
  if (change.op === 'clear') return checksumLine('{"op":"clear"}');
  if (change.op === 'delete') return checksumLine(JSON.stringify({ op: 'delete', c: change.collection, id: change.id }));
  return checksumLine(`${putPrefix(change.collection, change.listingKey)}${JSON.stringify(change.value)}}`);
}

/** A put of an item still held as its JSON text (written as it is: it was read from a record like this). */
export function encodeStoredPut(collection: ItemKind, itemListingKey: string, json: string): string {
  return checksumLine(`${putPrefix(collection, itemListingKey)}${json}}`);
}

export function encodeHeader(journal: number): string {
  return checksumLine(JSON.stringify({ format: DATA_FORMAT, version: DATA_VERSION, journal } satisfies SnapshotHeader));
}

export function encodeEnd(count: number): string {
  return checksumLine(JSON.stringify({ op: 'end', count }));
}

function idOf(collection: CollectionName, value: unknown): string {
  const v = value as { registrationId?: string; enrollmentGroupId?: string; state?: RegistrationRecord['state'] };
  return (collection === 'enrollment' ? v.registrationId : collection === 'group' ? v.enrollmentGroupId : v.state?.registrationId) ?? '';
}

/** A line (without its newline) as a record, or the reason it is not one. Parses all of it. */
export function decodeLine(text: string): DecodedLine | string {
  if (text.length < 10 || text[8] !== ' ') return 'no checksum';
  const json = text.slice(9);
  const sum = Number.parseInt(text.slice(0, 8), 16);
  if (!/^[0-9a-f]{8}$/.test(text.slice(0, 8)) || crc32(json) !== sum) return 'checksum mismatch';
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (typeof r !== 'object' || r === null) return 'not a record';
  if (r.format !== undefined) {
    if (r.format !== DATA_FORMAT) return `format is not '${DATA_FORMAT}'`;
    if (!READABLE_VERSIONS.includes(r.version as number)) {
      return `version ${String(r.version)} is not one of ${READABLE_VERSIONS.join(', ')} (written by another emulator version?)`;
    }
    if (!Number.isSafeInteger(r.journal) || (r.journal as number) < 0) return 'the header has no journal generation';
    return { kind: 'header', header: r as unknown as SnapshotHeader };
  }
  if (r.op === 'clear') return { kind: 'change', change: { op: 'clear' } };
  if (r.op === 'end') return Number.isSafeInteger(r.count) ? { kind: 'end', count: r.count as number } : 'bad end record';
  const collection = r.c as CollectionName;
  if (!COLLECTIONS.includes(collection)) return 'unknown collection';
  if (r.op === 'delete') return typeof r.id === 'string' ? { kind: 'change', change: { op: 'delete', collection, id: r.id } } : 'delete without an id';
  if (r.op !== 'put') return 'unknown op';
  if (!isStorableRecord(collection, r.v)) return `not a valid ${collection}`;
  const id = idOf(collection, r.v);
  if (r.i !== undefined && r.i !== keyOf(id)) return `its id "i" does not match the ${collection}'s id`;
  // The stored hash spares hashing a million ids at start-up; the CRC vouches for it.
  const key = typeof r.h === 'string' && HASH.test(r.h) ? listingKeyWithHash(r.h, id) : listingKey(id);
  return { kind: 'change', change: { op: 'put', collection, listingKey: key, value: r.v } as StoreChange };
}
