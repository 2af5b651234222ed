// The etags a streamed dry run read, one per existing item, kept until the run sends the updates.
// The live service's etags are base64 of a quoted GUID (`IjBhMDBi…MCI=`, 52 characters): those
// are kept as their 16 GUID bytes (16 MB for a million instead of about 70 MB of strings); any other
// etag is kept as it is, so nothing is ever changed on the way back.
const GUID_BYTES = 16;
const QUOTED_GUID = /^"([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})"$/;

export class EtagTable {
  private packed = new Uint8Array(1024 * GUID_BYTES);
  /** Etags not of the packed form, by index. */
  private readonly others = new Map<number, string>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Keeps an etag; returns its index. */
  add(etag: string): number {
    const index = this.count++;
    const guid = packedGuid(etag);
    if (guid === undefined) {
      this.others.set(index, etag);
      return index;
    }
    if ((index + 1) * GUID_BYTES > this.packed.length) {
      const grown = new Uint8Array(this.packed.length * 2);
      grown.set(this.packed);
      this.packed = grown;
    }
    this.packed.set(guid, index * GUID_BYTES);
    return index;
  }

  get(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`No etag at ${index}.`);
    const other = this.others.get(index);
    if (other !== undefined) return other;
    const hex = Buffer.from(this.packed.buffer, this.packed.byteOffset + index * GUID_BYTES, GUID_BYTES).toString('hex');
    const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return Buffer.from(`"${guid}"`, 'latin1').toString('base64');
  }
}

/** The GUID's bytes when `etag` is exactly base64 of a quoted lower-case GUID (so it re-encodes to the same text). */
function packedGuid(etag: string): Uint8Array | undefined {
  if (etag.length !== 52 || !etag.endsWith('=')) return undefined;
  const text = Buffer.from(etag, 'base64').toString('latin1');
  const m = QUOTED_GUID.exec(text);
  if (m === null) return undefined;
  const bytes = Buffer.from(m.slice(1).join(''), 'hex');
  // Only when it round-trips to the very same characters: base64 has one canonical form per byte string, but be sure.
  return Buffer.from(text, 'latin1').toString('base64') === etag ? bytes : undefined;
}
