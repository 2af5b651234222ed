// An append-only journal file with group commit: records appended in the same moment are written
// together and share one fdatasync, and whenDurable() resolves once everything appended so far is
// on disk. So an acknowledged write survives kill -9 (and a power cut, as far as the disk keeps its
// promise), while a burst of writes costs one fsync per batch rather than one per record.
import { promises as fs } from 'node:fs';

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Journal {
  private pending: string[] = [];
  private appended = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private writing = false;
  private scheduled = false;
  private failure: Error | undefined;
  private closed = false;
  private written = 0;

  private constructor(
    readonly path: string,
    readonly generation: number,
    private readonly handle: fs.FileHandle,
    private size: number,
  ) {}

  /** Opens (creating when missing) a journal for appending at its end. */
  static async open(path: string, generation: number): Promise<Journal> {
    const handle = await fs.open(path, 'a', 0o600);
    const { size } = await handle.stat();
    return new Journal(path, generation, handle, size);
  }

  /** Bytes this object wrote (durable records only). */
  get bytesWritten(): number {
    return this.written;
  }

  /** Bytes on disk (durable records only). */
  get bytes(): number {
    return this.size;
  }

  /** How many records were appended; with whenDurable(since) a request waits only for its own records. */
  get appendedCount(): number {
    return this.appended;
  }

  append(record: string): void {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    this.pending.push(record);
    this.appended += 1;
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      // setImmediate: records appended in the same turn of the event loop (a bulk request) share a write.
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves when every record appended so far is on disk; undefined when that is already so. */
  whenDurable(): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.durable >= this.appended) return undefined;
    const upTo = this.appended;
    return new Promise((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pending.length > 0 && this.failure === undefined) {
        const batch = this.pending;
        this.pending = [];
        const upTo = this.durable + batch.length;
        const buffer = Buffer.from(batch.join(''), 'utf8');
        let written = 0;
        while (written < buffer.length) written += (await this.handle.write(buffer, written)).bytesWritten;
        await this.handle.datasync();
        this.size += buffer.length;
        this.written += buffer.length;
        this.durable = upTo;
        this.settle();
      }
    } catch (error) {
      // A half-written batch would sit in the middle of the file: refuse further writes instead.
      this.failure = new Error(`Could not write the emulator journal ${this.path}: ${(error as Error).message}`, { cause: error });
      this.settle();
    } finally {
      this.writing = false;
    }
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.failure !== undefined) w.reject(this.failure);
      else if (w.upTo <= this.durable) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Writes what is pending, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.whenDurable();
    } finally {
      await this.handle.close();
    }
  }
}
