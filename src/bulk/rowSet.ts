// A set of row indexes as bits (125 KB for a million rows): which rows of a file a retry sends again.
export class RowSet {
  private bits = new Uint8Array(128);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(rowIndex: number): void {
    if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= 2 ** 31) throw new RangeError('A row index is a non-negative 31-bit integer.');
    const byte = rowIndex >>> 3;
    while (byte >= this.bits.length) {
      const grown = new Uint8Array(this.bits.length * 2);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (rowIndex & 7);
    if ((this.bits[byte] & mask) === 0) this.count++;
    this.bits[byte] |= mask;
  }

  has(rowIndex: number): boolean {
    const byte = rowIndex >>> 3;
    return rowIndex >= 0 && byte < this.bits.length && (this.bits[byte] & (1 << (rowIndex & 7))) !== 0;
  }
}
