// Files are written whole or not at all: a temp file beside the target, flushed to disk, then renamed
// over it, so a crash or a full disk never leaves half a file (emulator data, keys, exports, reports).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, promises as fs, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function tempBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** For start-up and shutdown paths that cannot await (the emulator's data, key and certificates). */
export function writeFileAtomicSync(target: string, content: string, mode = 0o600): void {
  const temp = tempBeside(target);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface AtomicWriteOptions {
  /** File mode for new files; device keys and exports with keys use 0o600. Default 0o644. */
  mode?: number;
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempBeside(target);
  try {
    const handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error: unknown) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** A file written as it comes, then put in place whole by `commit` (or removed by `abort`). */
export interface AtomicFileWriter {
  write(text: string): Promise<void>;
  /** Flushes, syncs and renames the temp file over the target. */
  commit(): Promise<void>;
  /** Removes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/** Writes above this size go to disk at once; smaller ones are gathered first (fewer syscalls). */
const FLUSH_BYTES = 256 * 1024;

/** For large outputs (exports): memory stays at one buffer, the target appears only when complete. */
export async function openFileAtomic(target: string, options: AtomicWriteOptions = {}): Promise<AtomicFileWriter> {
  const temp = tempBeside(target);
  const handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
  let pending: string[] = [];
  let pendingLength = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pendingLength === 0) return;
    const text = pending.join('');
    pending = [];
    pendingLength = 0;
    await handle.write(text);
  };
  return {
    async write(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= FLUSH_BYTES) await flush();
    },
    async commit() {
      try {
        await flush();
        await handle.sync();
      } finally {
        closed = true;
        await handle.close();
      }
      try {
        await fs.rename(temp, target);
      } catch (error: unknown) {
        await fs.rm(temp, { force: true });
        throw error;
      }
    },
    async abort() {
      if (!closed) {
        closed = true;
        await handle.close();
      }
      await fs.rm(temp, { force: true });
    },
  };
}
