// The emulator's data on disk: a snapshot (the data file, snapshot.ts) plus an append-only journal
// of every change since (journal.ts, `<data file>.journal-<generation>`).
// - Every change is appended to the journal; a request is answered only once its changes are
//   fsynced (group commit), so an acknowledged write survives kill -9. Disk written per write is
//   the record's size.
// - Once the journal outgrows max(compactAfterBytes, the snapshot), a compaction starts in the
//   background: new changes go to a fresh journal, the store is written as a new snapshot in small
//   chunks (other requests go on), renamed over the data file, and older journals are deleted.
//   Compacting when the journal is as large as the snapshot keeps the disk written per write
//   within about twice the record's size.
// - Start-up loads the snapshot as a stream and replays the journals after it; a torn last record
//   is cut off. A version-1 data file (one JSON document) is loaded once and converted; the
//   original is kept beside it as `<data file>.v1-backup`. A version-2 file is rewritten as
//   version 3 by a compaction started in the background.
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Journal } from './journal';
import { encodeChange } from './journalRecords';
import { replayJournal } from './journalReplay';
import { loadSnapshot, syncDirectory, writeSnapshot } from './snapshot';

export { readJsonFile } from './snapshot';
import { EmulatorStore, type StoreChange } from './store';

/** Default journal size that starts a compaction (or the snapshot's size when that is larger). */
export const DEFAULT_COMPACT_AFTER_BYTES = 64 * 1024 * 1024;
/** After a failed compaction, wait this long before trying again on its own. */
const COMPACTION_RETRY_MS = 30_000;

export interface PersistenceOptions {
  compactAfterBytes?: number;
  log?: (line: string) => void;
}

export interface StorageStats {
  dataFile: string;
  journalBytes: number;
  snapshotBytes: number;
  /** Journal and snapshot bytes written since the store was opened. */
  bytesWritten: number;
  compactions: number;
}

interface JournalFile {
  generation: number;
  path: string;
}

export function journalPath(dataFile: string, generation: number): string {
  return `${dataFile}.journal-${generation}`;
}

async function listJournals(dataFile: string): Promise<JournalFile[]> {
  const prefix = `${basename(dataFile)}.journal-`;
  const names = await fs.readdir(dirname(dataFile));
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ generation: Number(n.slice(prefix.length)), path: join(dirname(dataFile), n) }))
    .sort((a, b) => a.generation - b.generation);
}

/** Loads the data file and the journals after it into `store`, touching no file. */
async function loadDataFiles(store: EmulatorStore, dataFile: string) {
  const loaded = await loadSnapshot(store, dataFile);
  const from = loaded?.journal ?? 0;
  const journals = await listJournals(dataFile);
  const live = journals.filter((j) => j.generation >= from);
  const torn: Array<{ path: string; validBytes: number; tornBytes: number }> = [];
  for (const j of live) {
    const replayed = await replayJournal(store, j.path, (await fs.stat(j.path)).size);
    if (replayed.tornBytes > 0) torn.push({ path: j.path, ...replayed });
  }
  return { loaded, from, journals, live, torn };
}

/** What the data file and its journals hold, read without changing them (tests and tools). */
export async function readDataFiles(dataFile: string): Promise<EmulatorStore> {
  const store = new EmulatorStore();
  await loadDataFiles(store, dataFile);
  return store;
}

export class StorePersistence {
  private retiring = new Set<Journal>();
  private compacting: Promise<void> | undefined;
  private compactionFailedAt = 0;
  private changes = 0;
  private retiredBytesWritten = 0;
  private snapshotBytesWritten = 0;
  private compactions = 0;
  private closed = false;

  private constructor(
    private readonly store: EmulatorStore,
    readonly dataFile: string,
    private journal: Journal,
    private snapshotBytes: number,
    private readonly compactAfterBytes: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads the data file and its journals into `store`, then records every change of it. */
  static async open(store: EmulatorStore, dataFile: string, options: PersistenceOptions = {}): Promise<StorePersistence> {
    const log = options.log ?? (() => undefined);
    await fs.mkdir(dirname(dataFile), { recursive: true });
    // Everything is read and checked before any file is touched: a damaged one changes nothing.
    const { loaded, from, journals, live, torn } = await loadDataFiles(store, dataFile);
    for (const t of torn) {
      await fs.truncate(t.path, t.validBytes);
      log(`${t.path}: cut off ${t.tornBytes} bytes of a record torn by a crash (never acknowledged)`);
    }
    // Journals older than the snapshot are left over from a compaction interrupted after its rename.
    for (const j of journals) if (j.generation < from) await fs.rm(j.path, { force: true });
    await fs.rm(`${dataFile}.compacting`, { force: true });

    const generation = live.at(-1)?.generation ?? Math.max(from, 1);
    const journal = await Journal.open(journalPath(dataFile, generation), generation);
    await syncDirectory(dirname(dataFile));
    const snapshotBytes = loaded === undefined ? 0 : (await fs.stat(dataFile)).size;
    const persistence = new StorePersistence(store, dataFile, journal, snapshotBytes, options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES, log);
    store.onChange((change) => persistence.record(change));
    if (loaded?.legacy === true) {
      await fs.link(dataFile, `${dataFile}.v1-backup`).catch(() => undefined);
      await persistence.compact();
      log(`${dataFile}: converted from format version 1 (the original is kept as ${dataFile}.v1-backup)`);
    } else if (loaded?.version === 2) {
      // Rewritten in the background as version 3 (the start after it loads without parsing every item);
      // until then the version-2 file and the journal hold everything, as after any compaction.
      log(`${dataFile}: data format version 2; rewriting it as version 3 in the background`);
      persistence.compact().catch((error: unknown) => log(`conversion of ${dataFile} to format version 3 failed (it stays readable as version 2): ${(error as Error).message}`));
    }
    return persistence;
  }

  private record(change: StoreChange): void {
    if (this.closed) return; // a change after stop() is not saved
    this.journal.append(encodeChange(change));
    this.changes += 1;
    if (this.compacting === undefined && this.journal.bytes >= Math.max(this.compactAfterBytes, this.snapshotBytes)
      && Date.now() - this.compactionFailedAt > COMPACTION_RETRY_MS) {
      this.compact().catch((error: unknown) => {
        this.compactionFailedAt = Date.now();
        this.log(`compaction of ${this.dataFile} failed (the journal keeps every change): ${(error as Error).message}`);
      });
    }
  }

  /** How many changes were recorded; pass it to whenDurable to wait only for later ones. */
  get changeCount(): number {
    return this.changes;
  }

  /** Resolves once every change recorded so far is on disk; undefined when none was recorded since `since`. */
  whenDurable(since?: number): Promise<void> | undefined {
    if (since !== undefined && since === this.changes) return undefined;
    const waits = [...this.retiring, this.journal].map((j) => j.whenDurable()).filter((w) => w !== undefined);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Writes a new snapshot and starts a new journal (one at a time; a second call joins the first). */
  compact(): Promise<void> {
    this.compacting ??= this.runCompaction().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  private async runCompaction(): Promise<void> {
    const old = this.journal;
    const generation = old.generation + 1;
    const next = await Journal.open(journalPath(this.dataFile, generation), generation);
    await syncDirectory(dirname(this.dataFile));
    // From here on changes go to the new journal; the snapshot starts after this point, so it holds
    // every change the old journals hold.
    this.journal = next;
    this.retiring.add(old);
    try {
      await old.close();
    } finally {
      this.retiring.delete(old);
      this.retiredBytesWritten += old.bytesWritten;
    }
    const written = await writeSnapshot(this.store, this.dataFile, generation);
    this.snapshotBytes = written.bytes;
    this.snapshotBytesWritten += written.bytes;
    this.compactions += 1;
    for (const j of await listJournals(this.dataFile)) if (j.generation < generation) await fs.rm(j.path, { force: true });
  }

  stats(): StorageStats {
    return {
      dataFile: this.dataFile,
      journalBytes: this.journal.bytes,
      snapshotBytes: this.snapshotBytes,
      bytesWritten: this.retiredBytesWritten + this.journal.bytesWritten + this.snapshotBytesWritten,
      compactions: this.compactions,
    };
  }

  /** Waits for pending writes, folds a non-empty journal into the data file, and closes. */
  async close(): Promise<void> {
    await this.compacting?.catch(() => undefined);
    await this.whenDurable();
    if (this.journal.bytes > 0) await this.compact();
    this.closed = true;
    await this.journal.close();
  }
}
