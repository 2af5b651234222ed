// Ids by a 64-bit digest of their lower-cased form (DPS ids are case-insensitive), in an
// open-addressing table: 12 bytes a slot instead of a string and a Map entry (50-100 bytes), so a
// job over a million ids keeps its id index in about 25 MB. Each id carries one non-negative
// integer (a row number, an index into a list of etags). Two different ids share a digest with a
// chance of about n²/2^65 (3 in 100 million for a million ids).
import { createHash } from 'node:crypto';

const EMPTY = -1;
const INITIAL_SLOTS = 1024;

export class IdDigestSet {
  private high = new Uint32Array(INITIAL_SLOTS);
  private low = new Uint32Array(INITIAL_SLOTS);
  private values = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value kept for `id`, or undefined when the set does not hold it. */
  get(id: string): number | undefined {
    const [high, low] = digest(id);
    const slot = this.find(high, low);
    return this.values[slot] === EMPTY ? undefined : this.values[slot];
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds `id` with `value` unless present; returns the value already kept, or undefined when added. */
  add(id: string, value: number): number | undefined {
    return this.put(id, value, false);
  }

  /** Gives `id` `value`, added or replacing what it had. */
  set(id: string, value: number): void {
    this.put(id, value, true);
  }

  private put(id: string, value: number, replace: boolean): number | undefined {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError('An id digest value is a non-negative 31-bit integer.');
    const [high, low] = digest(id);
    const slot = this.find(high, low);
    if (this.values[slot] !== EMPTY) {
      const kept = this.values[slot];
      if (replace) this.values[slot] = value;
      return kept;
    }
    this.high[slot] = high;
    this.low[slot] = low;
    this.values[slot] = value;
    this.count++;
    // At most half full: probes stay short.
    if (this.count * 2 > this.values.length) this.grow();
    return undefined;
  }

  /** The slot holding the digest, or the empty slot where it would go. */
  private find(high: number, low: number): number {
    const mask = this.values.length - 1;
    let slot = low & mask;
    while (this.values[slot] !== EMPTY && (this.high[slot] !== high || this.low[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { high, low, values } = this;
    this.high = new Uint32Array(values.length * 2);
    this.low = new Uint32Array(values.length * 2);
    this.values = new Int32Array(values.length * 2).fill(EMPTY);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === EMPTY) continue;
      const slot = this.find(high[i], low[i]);
      this.high[slot] = high[i];
      this.low[slot] = low[i];
      this.values[slot] = values[i];
    }
  }
}

function digest(id: string): [number, number] {
  const bytes = createHash('sha1').update(id.toLowerCase(), 'utf8').digest();
  return [bytes.readUInt32LE(0), bytes.readUInt32LE(4)];
}
