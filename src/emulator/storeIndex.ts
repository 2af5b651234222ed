// The listing order of one collection, kept up to date per write: listing keys (listingOrder.ts) in a
// sorted list of small sorted buckets (a flat B-tree). An insert or delete is a binary search plus a
// splice of at most MAX_BUCKET entries, and a page after a continuation key is a binary search, so
// no query ever re-sorts the collection.
const MAX_BUCKET = 1024;

/** Index of the first element of `sorted` that is > key (after = true) or >= key. */
function bound(sorted: readonly string[], key: string, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = sorted[mid];
    if (k < key || (after && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeyIndex {
  private buckets: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the first bucket whose last key is > key (after) or >= key; buckets.length if none. */
  private bucketOf(key: string, after: boolean): number {
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const bucket = this.buckets[mid];
      const last = bucket[bucket.length - 1];
      if (last < key || (after && last === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a key; false when it was there already. */
  insert(key: string): boolean {
    if (this.buckets.length === 0) {
      this.buckets.push([key]);
      this.count = 1;
      return true;
    }
    const last = this.buckets.length - 1;
    // Loading a data file inserts in listing order: appending after the last key needs no search.
    const appending = key > this.buckets[last][this.buckets[last].length - 1];
    const b = appending ? last : Math.min(this.bucketOf(key, false), last);
    const bucket = this.buckets[b];
    const i = appending ? bucket.length : bound(bucket, key, false);
    if (bucket[i] === key) return false;
    if (i === bucket.length) bucket.push(key);
    else bucket.splice(i, 0, key);
    this.count += 1;
    if (bucket.length > MAX_BUCKET) this.buckets.splice(b + 1, 0, bucket.splice(bucket.length >>> 1));
    return true;
  }

  /** Removes a key; false when it was not there. */
  delete(key: string): boolean {
    const b = this.bucketOf(key, false);
    const bucket = this.buckets[b];
    if (bucket === undefined) return false;
    const i = bound(bucket, key, false);
    if (bucket[i] !== key) return false;
    bucket.splice(i, 1);
    this.count -= 1;
    if (bucket.length === 0) this.buckets.splice(b, 1);
    return true;
  }

  has(key: string): boolean {
    const bucket = this.buckets[this.bucketOf(key, false)];
    return bucket !== undefined && bucket[bound(bucket, key, false)] === key;
  }

  /** Up to `limit` keys greater than `after` (from the first when undefined), in order. */
  keysAfter(after: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let b = after === undefined ? 0 : this.bucketOf(after, true);
    let i = after === undefined || b >= this.buckets.length ? 0 : bound(this.buckets[b], after, true);
    while (out.length < limit && b < this.buckets.length) {
      const bucket = this.buckets[b];
      const take = Math.min(bucket.length - i, limit - out.length);
      for (let n = 0; n < take; n++) out.push(bucket[i + n]);
      b += 1;
      i = 0;
    }
    return out;
  }

  *keys(): Generator<string> {
    for (const bucket of this.buckets) yield* bucket;
  }

  clear(): void {
    this.buckets = [];
    this.count = 0;
  }
}
