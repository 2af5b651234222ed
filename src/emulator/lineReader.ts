// Reads a file line by line in 1 MB chunks, so a data file of any size loads without one giant
// string; each line comes as its bytes (the loader checks a line's CRC on them and decodes only the
// part it keeps), with its byte offset, and a last line without a newline is marked torn.
import { createReadStream } from 'node:fs';

/** Far above any record (request bodies are at most 256 KB): a longer line means a damaged file. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FileLine {
  /** The line without its newline: a view into the chunk just read (or, for a line across two chunks, its own copy). */
  bytes: Buffer;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** False for a last line that has no newline (a write cut short). */
  complete: boolean;
}

/** The file's lines, a chunk's worth at a time (one await per megabyte rather than per line). */
export async function* readLines(file: string): AsyncGenerator<FileLine[]> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const lines: FileLine[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    if (carry.length > 0) {
      // The line begun in the previous chunk: joined on its own, so the chunk itself is never copied.
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        if (carry.length > MAX_LINE_BYTES) throw new Error(`line at byte ${offset} is longer than ${MAX_LINE_BYTES} bytes`);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      lines.push({ bytes: joined, offset, complete: true });
      offset += joined.length + 1;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    for (; nl >= 0; nl = chunk.indexOf(10, start)) {
      lines.push({ bytes: chunk.subarray(start, nl), offset, complete: true });
      offset += nl + 1 - start;
      start = nl + 1;
    }
    carry = chunk.subarray(start);
    if (carry.length > MAX_LINE_BYTES) throw new Error(`line at byte ${offset} is longer than ${MAX_LINE_BYTES} bytes`);
    if (lines.length > 0) yield lines;
  }
  if (carry.length > 0) yield [{ bytes: carry, offset, complete: false }];
}
