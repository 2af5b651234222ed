// The line format shared by the journal and the snapshot (data format version 2): one record per
// line, `CRC32HEX JSON\n`, where the 8 hex digits are the CRC-32 of the JSON's UTF-8 bytes. The
// checksum tells a torn or damaged line from a record; a newline inside JSON is always escaped.
//   header (first line of a snapshot):  {"format":"dps-enrollments-emulator","version":2,"journal":G}
//   put:     {"op":"put","c":"enrollment"|"group"|"registration","h":"<16 hex of the listing key>","v":{...}}
//   delete:  {"op":"delete","c":...,"id":"..."}
//   clear:   {"op":"clear"}
//   end (last line of a snapshot):      {"op":"end","count":N}
import { crc32 } from 'node:zlib';
import { listingHashOf, listingKey, listingKeyWithHash } from './listingOrder';
import { isStorableRecord, type CollectionName, type RegistrationRecord, type StoreChange } from './store';

export const DATA_FORMAT = 'dps-enrollments-emulator';
export const DATA_VERSION = 2;

export interface SnapshotHeader {
  format: typeof DATA_FORMAT;
  version: typeof DATA_VERSION;
  /** The first journal generation whose records come after this snapshot. */
  journal: number;
}

export type DecodedLine =
  | { kind: 'change'; change: StoreChange }
  | { kind: 'header'; header: SnapshotHeader }
  | { kind: 'end'; count: number };

const COLLECTIONS: readonly CollectionName[] = ['enrollment', 'group', 'registration'];
const HASH = /^[0-9a-f]{16}$/;

function line(json: string): string {
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

export function encodeChange(change: StoreChange): string {
  if (change.op === 'clear') return line('{"op":"clear"}');
  if (change.op === 'delete') return line(JSON.stringify({ op: 'delete', c: change.collection, id: change.id }));
  return line(JSON.stringify({ op: 'put', c: change.collection, h: listingHashOf(change.listingKey), v: change.value }));
}

export function encodeHeader(journal: number): string {
  return line(JSON.stringify({ format: DATA_FORMAT, version: DATA_VERSION, journal } satisfies SnapshotHeader));
}

export function encodeEnd(count: number): string {
  return line(JSON.stringify({ op: 'end', count }));
}

function idOf(collection: CollectionName, value: unknown): string {
  const v = value as { registrationId?: string; enrollmentGroupId?: string; state?: RegistrationRecord['state'] };
  return (collection === 'enrollment' ? v.registrationId : collection === 'group' ? v.enrollmentGroupId : v.state?.registrationId) ?? '';
}

/** A line (without its newline) as a record, or the reason it is not one. */
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
    if (r.version !== DATA_VERSION) return `version ${String(r.version)} is not ${DATA_VERSION} (written by another emulator version?)`;
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
  // The stored hash spares hashing a million ids at start-up; the CRC vouches for it.
  const key = typeof r.h === 'string' && HASH.test(r.h) ? listingKeyWithHash(r.h, id) : listingKey(id);
  return { kind: 'change', change: { op: 'put', collection, listingKey: key, value: r.v } as StoreChange };
}
