// Reads a file line by line in 1 MB chunks, so a data file of any size loads without one giant
// string; each line comes as its bytes (the loader checks a line's CRC and decodes only the part it
// keeps), with its byte offset, and a last line without a newline is marked torn.
import { createReadStream } from 'node:fs';

/** Far above any record (request bodies are at most 256 KB): a longer line means a damaged file. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FileLine {
  /** The line without its newline: a view into the chunk just read, valid until the next chunk. */
  bytes: Buffer;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** False for a last line that has no newline (a write cut short). */
  complete: boolean;
}

/** The file's lines, a chunk's worth at a time (one await per megabyte rather than per line). */
export async function* readLines(file: string): AsyncGenerator<FileLine[]> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const lines: FileLine[] = [];
    let start = 0;
    for (let nl = buffer.indexOf(10, start); nl >= 0; nl = buffer.indexOf(10, start)) {
      lines.push({ bytes: buffer.subarray(start, nl), offset, complete: true });
      offset += nl + 1 - start;
      start = nl + 1;
    }
    carry = buffer.subarray(start);
    if (carry.length > MAX_LINE_BYTES) throw new Error(`line at byte ${offset} is longer than ${MAX_LINE_BYTES} bytes`);
    if (lines.length > 0) yield lines;
  }
  if (carry.length > 0) yield [{ bytes: carry, offset, complete: false }];
}
