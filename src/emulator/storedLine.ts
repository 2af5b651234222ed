// Reads a data-file line without parsing the item in it: a version-3 put of an enrollment or a
// group is a fixed prefix this emulator writes (journalRecords.ts), so its listing hash and id sit
// at known places and the value is the rest minus the final `}`. The CRC is checked on the bytes and
// only the value is decoded to a string, which the store keeps until the item is first read
// (store.ts). A million items then load without building a million object graphs, which is where
// start-up time and the garbage collector's pauses went. Anything unexpected (a registration, an
// older line, a hand-edited one, a damaged one) goes through the full parse (decodeLine), which
// accepts every valid line and names what is wrong with the others.
import { crc32 } from 'node:zlib';
import { decodeLine, type DecodedLine } from './journalRecords';
import type { FileLine } from './lineReader';

const PREFIX = Buffer.from('{"op":"put","c":"');
const COLLECTION_PARTS = [
  ['enrollment', Buffer.from('enrollment","h":"')],
  ['group', Buffer.from('group","h":"')],
] as const;
const ID_PART = Buffer.from('","i":"');
const VALUE_PART = Buffer.from(',"v":{');
const HASH_LENGTH = 16;
const QUOTE = 0x22;
const CLOSE = 0x7d;
/** hash, ':' and an id of at most 128 characters: room for the listing key assembled below. */
const scratch = Buffer.alloc(HASH_LENGTH + 1 + 256);

/** Whether `part` stands at `at` (a loop: these parts are short, a call to Buffer.compare costs more). */
function hasAt(bytes: Buffer, at: number, part: Buffer): boolean {
  if (bytes.length < at + part.length) return false;
  for (let i = 0; i < part.length; i++) if (bytes[at + i] !== part[i]) return false;
  return true;
}

/** The 8 lower-case hex digits at the start of a line as a number, or -1. */
function checksumOf(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const b = bytes[i];
    const digit = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;
    if (digit < 0) return -1;
    sum = sum * 16 + digit;
  }
  return sum;
}

function isLowerHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
}

/** A byte that may stand in a case-insensitive id as written, unescaped (ids.ts: [a-z0-9-._:]). */
function isIdByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x3a;
}

/** The stored put in a line, or undefined when the line is anything else (then decode it fully). */
function storedPut(line: FileLine): DecodedLine | undefined {
  const bytes = line.bytes;
  if (bytes.length < 9 + PREFIX.length || bytes[8] !== 0x20 || !hasAt(bytes, 9, PREFIX)) return undefined;
  let at = 9 + PREFIX.length;
  const part = COLLECTION_PARTS.find(([, p]) => hasAt(bytes, at, p));
  if (part === undefined) return undefined;
  at += part[1].length;
  const hashAt = at;
  for (; at < hashAt + HASH_LENGTH; at++) if (!isLowerHex(bytes[at])) return undefined;
  if (!hasAt(bytes, at, ID_PART)) return undefined;
  at += ID_PART.length;
  const idAt = at;
  while (at < bytes.length && isIdByte(bytes[at])) at++;
  const idLength = at - idAt;
  if (idLength === 0 || idLength > scratch.length - HASH_LENGTH - 1 || bytes[at] !== QUOTE) return undefined;
  at += 1;
  if (!hasAt(bytes, at, VALUE_PART) || bytes[bytes.length - 1] !== CLOSE || bytes[bytes.length - 2] !== CLOSE) return undefined;
  const valueAt = at + VALUE_PART.length - 1; // the value's opening brace
  if (checksumOf(bytes) !== crc32(bytes.subarray(9))) return undefined;
  // One flat string `hash:id` (a concatenation would leave a two-part string in the index).
  for (let i = 0; i < HASH_LENGTH; i++) scratch[i] = bytes[hashAt + i];
  scratch[HASH_LENGTH] = 0x3a;
  for (let i = 0; i < idLength; i++) scratch[HASH_LENGTH + 1 + i] = bytes[idAt + i];
  return {
    kind: 'stored',
    collection: part[0],
    listingKey: scratch.toString('latin1', 0, HASH_LENGTH + 1 + idLength),
    // Its own string, not a slice of the line: nothing else of the line stays in memory.
    json: bytes.toString('utf8', valueAt, bytes.length - 1),
  };
}

/** A line as a record, or the reason it is not one. */
export function decodeStoredLine(line: FileLine): DecodedLine | string {
  return storedPut(line) ?? decodeLine(line.bytes.toString('utf8'));
}
