// The emulator's data file: reading it with clear errors, and a debounced saver so a burst of writes
// becomes one file write (each one atomic: src/util/atomicWrite.ts).
import { readFileSync } from 'node:fs';

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
