// Durable JSON files: atomic replace (temp file in the same folder, fsync, rename) and a debounced
// saver so a burst of writes becomes one file write.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file may already be gone; the rename error is what matters
    }
    throw error;
  }
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

/** Coalesces save requests: at most one write per `delayMs`, and flush() writes what is pending now. */
export class DebouncedSaver {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastError: Error | undefined;
  writes = 0;

  constructor(
    private readonly write: () => void,
    private readonly delayMs = 250,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      this.write();
      this.writes += 1;
      this.lastError = undefined;
    } catch (error) {
      this.dirty = true;
      this.lastError = error as Error;
      this.onError(this.lastError);
    }
  }

  get error(): Error | undefined {
    return this.lastError;
  }
}
