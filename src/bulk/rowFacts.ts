// What a streamed dry run found per row of one array, so the run needs no id table: 4 bytes a row
// (4 MB for a million) instead of the id digests (tens of MB), which are dropped after the dry run.
const NOTHING = -1;

export type RowFact = { type: 'none' } | { type: 'duplicate'; firstIndex: number } | { type: 'exists'; etagIndex: number };

export class RowFacts {
  private facts = new Int32Array(1024).fill(NOTHING);
  private length = 0;

  /** Rows recorded, including those with nothing to note. */
  get rows(): number {
    return this.length;
  }

  set(rowIndex: number, fact: RowFact): void {
    if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= 0x7ffffffe) throw new RangeError('A row index is a non-negative 31-bit integer.');
    while (rowIndex >= this.facts.length) {
      const grown = new Int32Array(this.facts.length * 2).fill(NOTHING);
      grown.set(this.facts);
      this.facts = grown;
    }
    this.length = Math.max(this.length, rowIndex + 1);
    // exists: the etag index itself (>= 0); duplicate: -2 - the first row's index (<= -2).
    this.facts[rowIndex] = fact.type === 'none' ? NOTHING : fact.type === 'exists' ? fact.etagIndex : -2 - fact.firstIndex;
  }

  get(rowIndex: number): RowFact {
    const value = rowIndex >= 0 && rowIndex < this.length ? this.facts[rowIndex] : NOTHING;
    if (value === NOTHING) return { type: 'none' };
    return value >= 0 ? { type: 'exists', etagIndex: value } : { type: 'duplicate', firstIndex: -2 - value };
  }
}
