// Replays a journal file into the store at start-up. A last record cut short by a crash (no
// newline, bad checksum or not JSON, with nothing valid after it) was never acknowledged: everything
// before it loads and the caller truncates the file there. A damaged record followed by valid ones
// is corruption, not a torn write: the start stops with an error naming the file and line.
import { readLines } from './lineReader';
import type { EmulatorStore } from './store';
import { decodeStoredLine } from './storedLine';

export interface JournalReplayed {
  records: number;
  /** Bytes of whole records; the file is truncated here when `tornBytes` > 0. */
  validBytes: number;
  tornBytes: number;
}

export async function replayJournal(store: EmulatorStore, file: string, fileSize: number): Promise<JournalReplayed> {
  let records = 0;
  let lineNumber = 0;
  let firstBad: { offset: number; line: number; problem: string } | undefined;
  try {
    for await (const chunk of readLines(file)) for (const line of chunk) {
      lineNumber += 1;
      const decoded = line.complete ? decodeStoredLine(line) : 'cut short';
      const problem = typeof decoded === 'string' ? decoded : decoded.kind !== 'change' && decoded.kind !== 'stored' ? 'not a change record' : undefined;
      if (problem !== undefined || typeof decoded === 'string' || (decoded.kind !== 'change' && decoded.kind !== 'stored')) {
        firstBad ??= { offset: line.offset, line: lineNumber, problem: problem ?? '' };
        continue;
      }
      if (firstBad !== undefined) {
        throw new Error(`Emulator journal ${file} is damaged at line ${firstBad.line} (${firstBad.problem}) with valid records after it. Fix or move it away; it was not changed.`);
      }
      if (decoded.kind === 'stored') store.applyStored(decoded.collection, decoded.listingKey, decoded.json);
      else store.applyLoaded(decoded.change);
      records += 1;
    }
  } catch (error) {
    if ((error as Error).message.startsWith(`Emulator journal ${file}`)) throw error;
    throw new Error(`Cannot read emulator journal ${file}: ${(error as Error).message}`, { cause: error });
  }
  const validBytes = firstBad?.offset ?? fileSize;
  return { records, validBytes, tornBytes: fileSize - validBytes };
}
