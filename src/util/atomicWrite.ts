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
