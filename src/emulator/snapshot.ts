// The data file (format version 3): a header line, one `put` line per item, an `end` line with the
// count (journalRecords.ts). Written in chunks from the live store while requests go on, so a
// million items persist without one giant string and without holding the event loop; loaded as a
// stream, enrollments and groups kept as their JSON text until first read (storedLine.ts). Version 2
// files (the same lines without the put's id) and version 1 (one JSON document) are still read.
//
// The snapshot is fuzzy: items changed while it is written may appear in their old or new state.
// That is safe because every change after the snapshot began is in a journal the snapshot's header
// names (`journal`), and replaying a put or delete on top of either state gives the same result.
import { promises as fs, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeChange, encodeEnd, encodeHeader, encodeStoredPut } from './journalRecords';
import { readLines } from './lineReader';
import { listingKey } from './listingOrder';
import { legacySnapshotChanges, type EmulatorStore, type StoreChange } from './store';
import { decodeStoredLine } from './storedLine';

/** Items serialised between two writes: a few milliseconds of work, then the event loop runs again. */
const CHUNK_ITEMS = 500;

export interface SnapshotWritten {
  bytes: number;
  records: number;
}

export interface SnapshotLoaded {
  /** First journal generation to replay on top. */
  journal: number;
  /** True for a version-1 file (to be converted). */
  legacy: boolean;
  /** The file's data format version (an older one is rewritten as the current one). */
  version: 1 | 2 | 3;
  records: number;
}

/** Reads a JSON file; undefined when it does not exist; a clear error naming the file when corrupt. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read emulator data file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`Emulator data file ${file} is not valid JSON (${(error as Error).message}); fix or move it away. It was not changed.`, { cause: error });
  }
}

/** Makes a rename or a new file in `dir` survive a power cut (skipped where directories cannot be opened, as on Windows). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported on this platform: the rename is still atomic, only its durability is the OS's.
  } finally {
    await handle?.close();
  }
}

/** The store's items as chunks of lines; read lazily, so the store may change between chunks. */
function* snapshotLines(store: EmulatorStore): Generator<string[]> {
  for (const [collection, items] of [['enrollment', store.enrollments], ['group', store.enrollmentGroups]] as const) {
    // By listing key from the live index: an item present throughout is written exactly once.
    let after: string | undefined;
    for (;;) {
      // Items never read since loading are still their JSON text: written as they are, not parsed.
      const entries = items.storedEntriesAfter(after, CHUNK_ITEMS);
      if (entries.length === 0) break;
      yield entries.map(([key, value]) => typeof value === 'string'
        ? encodeStoredPut(collection, key, value)
        : encodeChange({ op: 'put', collection, listingKey: key, value } as StoreChange));
      after = entries[entries.length - 1][0];
    }
  }
  // A live Map iterator stays valid across changes: entries present throughout are visited once.
  const registrations = store.allRegistrations();
  for (;;) {
    const lines: string[] = [];
    for (let r = registrations.next(); !r.done; r = lines.length < CHUNK_ITEMS ? registrations.next() : { done: true, value: undefined }) {
      lines.push(encodeChange({ op: 'put', collection: 'registration', listingKey: listingKey(r.value.state.registrationId), value: r.value }));
    }
    if (lines.length === 0) break;
    yield lines;
  }
}

/** Writes a snapshot of `store` to `file` (via `file.compacting`, fsynced, renamed over it). */
export async function writeSnapshot(store: EmulatorStore, file: string, journalGeneration: number): Promise<SnapshotWritten> {
  const temp = `${file}.compacting`;
  const handle = await fs.open(temp, 'w', 0o600);
  let bytes = 0;
  let records = 0;
  const write = async (text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    let done = 0;
    while (done < buffer.length) done += (await handle.write(buffer, done)).bytesWritten;
    bytes += buffer.length;
  };
  try {
    await write(encodeHeader(journalGeneration));
    for (const lines of snapshotLines(store)) {
      records += lines.length;
      await write(lines.join(''));
    }
    await write(encodeEnd(records));
    await handle.datasync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(temp, file);
  await syncDirectory(dirname(file));
  return { bytes, records };
}

function unusable(file: string, where: string, problem: string): Error {
  return new Error(`Emulator data file ${file} is not usable: ${where}${problem}. Fix or move it away; it was not changed.`);
}

async function startsLikeJson(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return /^\s*\{/.test(buffer.toString('utf8', 0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Loads `file` into `store`; undefined when there is no file. Throws an error naming the file when it is damaged. */
export async function loadSnapshot(store: EmulatorStore, file: string): Promise<SnapshotLoaded | undefined> {
  try {
    await fs.access(file);
  } catch {
    return undefined;
  }
  if (await startsLikeJson(file)) {
    const changes = legacySnapshotChanges(readJsonFile(file), file);
    for (const change of changes) store.applyLoaded(change);
    return { journal: 0, legacy: true, version: 1, records: changes.length };
  }
  let header: number | undefined;
  let version: 2 | 3 = 3;
  let records = 0;
  let ended = false;
  let lineNumber = 0;
  try {
    for await (const chunk of readLines(file)) for (const line of chunk) {
      lineNumber += 1;
      const where = `line ${lineNumber}: `;
      if (ended) throw unusable(file, where, 'data after the end record');
      if (!line.complete) throw unusable(file, where, 'the file is cut short');
      const decoded = decodeStoredLine(line);
      if (typeof decoded === 'string') throw unusable(file, where, decoded);
      if (header === undefined) {
        if (decoded.kind !== 'header') throw unusable(file, where, 'no format header');
        header = decoded.header.journal;
        version = decoded.header.version;
      } else if (decoded.kind === 'end') {
        if (decoded.count !== records) throw unusable(file, where, `the end record counts ${decoded.count} items, the file has ${records}`);
        ended = true;
      } else if (decoded.kind === 'stored') {
        store.applyStored(decoded.collection, decoded.listingKey, decoded.json);
        records += 1;
      } else if (decoded.kind === 'change' && decoded.change.op === 'put') {
        store.applyLoaded(decoded.change);
        records += 1;
      } else {
        throw unusable(file, where, 'only items belong in a snapshot');
      }
    }
  } catch (error) {
    if ((error as Error).message.startsWith(`Emulator data file ${file}`)) throw error;
    throw unusable(file, lineNumber > 0 ? `line ${lineNumber}: ` : '', (error as Error).message);
  }
  if (header === undefined || !ended) throw unusable(file, '', header === undefined ? 'it is empty' : 'it has no end record (cut short)');
  return { journal: header, legacy: false, version, records };
}
