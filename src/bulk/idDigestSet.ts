// Ids by a 64-bit digest of their lower-cased form (DPS ids are case-insensitive), in an
// open-addressing table: 8 bytes a slot plus 4 a lane instead of a string and a Map entry (50-100
// bytes), so a job over a million ids keeps its id index in tens of megabytes. Each id carries one
// non-negative integer per lane (a row number in one, an index into a list of etags in another:
// one table for both, not one each). Two different ids share a digest with a chance of about
// n²/2^65 (3 in 100 million for a million ids).
import { createHash } from 'node:crypto';

const EMPTY = -1;
const INITIAL_SLOTS = 1024;

export class IdDigestSet {
  private high = new Uint32Array(INITIAL_SLOTS);
  private low = new Uint32Array(INITIAL_SLOTS);
  private values: Int32Array;
  private count = 0;

  constructor(private readonly lanes = 1) {
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 4) throw new RangeError('An id digest set has 1 to 4 lanes.');
    this.values = new Int32Array(INITIAL_SLOTS * lanes).fill(EMPTY);
  }

  /** Distinct ids, whatever lanes they have values in. */
  get size(): number {
    return this.count;
  }

  /** The value `id` has in `lane`, or undefined when it has none. */
  get(id: string, lane = 0): number | undefined {
    const [high, low] = digest(id);
    const value = this.values[this.find(high, low) * this.lanes + this.lane(lane)];
    return value === EMPTY ? undefined : value;
  }

  has(id: string, lane = 0): boolean {
    return this.get(id, lane) !== undefined;
  }

  /** Gives `id` `value` in `lane` unless it has one there; returns the value already kept, or undefined when set. */
  add(id: string, value: number, lane = 0): number | undefined {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError('An id digest value is a non-negative 31-bit integer.');
    const at = this.lane(lane);
    const [high, low] = digest(id);
    const slot = this.find(high, low);
    const kept = this.values[slot * this.lanes + at];
    if (kept !== EMPTY) return kept;
    if (!this.occupied(slot)) {
      this.high[slot] = high;
      this.low[slot] = low;
      this.count++;
    }
    this.values[slot * this.lanes + at] = value;
    // At most half full: probes stay short.
    if (this.count * 2 > this.high.length) this.grow();
    return undefined;
  }

  private lane(lane: number): number {
    if (!Number.isInteger(lane) || lane < 0 || lane >= this.lanes) throw new RangeError(`Lane ${lane} is not one of this set's ${this.lanes}.`);
    return lane;
  }

  private occupied(slot: number): boolean {
    for (let lane = 0; lane < this.lanes; lane++) if (this.values[slot * this.lanes + lane] !== EMPTY) return true;
    return false;
  }

  /** The slot holding the digest, or the empty slot where it would go. */
  private find(high: number, low: number): number {
    const mask = this.high.length - 1;
    let slot = low & mask;
    while (this.occupied(slot) && (this.high[slot] !== high || this.low[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { high, low, values, lanes } = this;
    this.high = new Uint32Array(high.length * 2);
    this.low = new Uint32Array(high.length * 2);
    this.values = new Int32Array(values.length * 2).fill(EMPTY);
    for (let i = 0; i < high.length; i++) {
      let used = false;
      for (let lane = 0; lane < lanes; lane++) used ||= values[i * lanes + lane] !== EMPTY;
      if (!used) continue;
      const slot = this.find(high[i], low[i]);
      this.high[slot] = high[i];
      this.low[slot] = low[i];
      for (let lane = 0; lane < lanes; lane++) this.values[slot * lanes + lane] = values[i * lanes + lane];
    }
  }
}

function digest(id: string): [number, number] {
  const bytes = createHash('sha1').update(id.toLowerCase(), 'utf8').digest();
  return [bytes.readUInt32LE(0), bytes.readUInt32LE(4)];
}
