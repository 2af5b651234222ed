// A set of row indexes kept in index order, for paging one outcome's rows without sorting: adding
// or removing an index and finding the k-th smallest are O(log n) (a Fenwick tree of 0/1 counts).

export class RankedSet {
  /** 1-based Fenwick tree: tree[i] counts the members in (i - lowbit(i), i]. */
  private readonly tree: Int32Array;
  private members = 0;
  private readonly topStep: number;

  /** A set of indexes below `capacity`; `isMember(i)` gives the first members in O(capacity). */
  constructor(readonly capacity: number, isMember?: (index: number) => boolean) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`A ranked set needs a whole capacity, not ${capacity}.`);
    this.tree = new Int32Array(capacity + 1);
    let step = 1;
    while (step * 2 <= capacity) step *= 2;
    this.topStep = step;
    if (isMember === undefined) return;
    for (let i = 1; i <= capacity; i++) {
      if (isMember(i - 1)) {
        this.tree[i]++;
        this.members++;
      }
      const parent = i + (i & -i);
      if (parent <= capacity) this.tree[parent] += this.tree[i];
    }
  }

  get size(): number {
    return this.members;
  }

  /** Adds an index the set does not hold (the caller knows which set holds each index). */
  add(index: number): void {
    this.change(index, 1);
  }

  /** Removes an index the set holds. */
  delete(index: number): void {
    this.change(index, -1);
  }

  /** The k-th smallest member, counting from 0. */
  select(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.members) throw new RangeError(`No member ${k}: the set holds ${this.members}.`);
    let position = 0;
    let remaining = k + 1;
    for (let step = this.topStep; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.capacity && this.tree[next] < remaining) {
        position = next;
        remaining -= this.tree[next];
      }
    }
    return position; // the 1-based position after `position` is index `position`
  }

  private change(index: number, delta: 1 | -1): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) throw new RangeError(`Index ${index} is outside 0..${this.capacity - 1}.`);
    this.members += delta;
    for (let i = index + 1; i <= this.capacity; i += i & -i) this.tree[i] += delta;
  }
}
