// Files this feature writes (reports, exports, device-key CSVs) are written whole or not at all:
// a temp file next to the target, then a rename, so a failure never leaves half a file behind.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode for new files; device keys and exports with keys use 0o600. */
  mode?: number;
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, content, { mode: options.mode ?? 0o644, flag: 'wx' });
    await fs.rename(temp, target);
  } catch (error: unknown) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
