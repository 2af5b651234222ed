// Structural check of a TPM endorsement key: DPS stores base64 of a TPM2B_PUBLIC (TPM 2.0 Library
// spec Part 2, §12.2.5: a 2-byte size, then TPMT_PUBLIC) and refuses anything else with 400/400004.
// Only the layout is checked (RSA or ECC, sizes consistent, nothing left over), not the key itself.
const TPM_ALG_RSA = 0x0001;
const TPM_ALG_ECC = 0x0023;
const TPM_ALG_NULL = 0x0010;

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}
  u16(): number {
    if (this.offset + 2 > this.bytes.length) throw new RangeError('truncated');
    const v = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    if (this.offset + 4 > this.bytes.length) throw new RangeError('truncated');
    const v = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  /** A TPM2B: a 2-byte size, then that many bytes. */
  sized(): number {
    const n = this.u16();
    if (this.offset + n > this.bytes.length) throw new RangeError('truncated');
    this.offset += n;
    return n;
  }
  get atEnd(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** TPMT_SYM_DEF_OBJECT, then a scheme (alg + details unless NULL). */
function symmetricAndScheme(r: Reader): void {
  if (r.u16() !== TPM_ALG_NULL) {
    r.u16(); // keyBits
    r.u16(); // mode
  }
  if (r.u16() !== TPM_ALG_NULL) r.u16(); // scheme details (hash alg)
}

/** Why `bytes` is not a TPM2B_PUBLIC of an RSA or ECC key, or undefined when it is one. */
export function endorsementKeyProblem(bytes: Buffer): string | undefined {
  try {
    const r = new Reader(bytes);
    const size = r.u16();
    if (size !== bytes.length - 2) return 'the TPM2B size does not match the length';
    const type = r.u16();
    if (type !== TPM_ALG_RSA && type !== TPM_ALG_ECC) return 'the key is neither RSA nor ECC';
    r.u16(); // nameAlg
    r.u32(); // objectAttributes
    r.sized(); // authPolicy
    symmetricAndScheme(r);
    if (type === TPM_ALG_RSA) {
      const keyBits = r.u16();
      r.u32(); // exponent
      if (r.sized() * 8 !== keyBits) return 'the RSA modulus size does not match keyBits';
    } else {
      r.u16(); // curveID
      if (r.u16() !== TPM_ALG_NULL) r.u16(); // kdf
      if (r.sized() === 0 || r.sized() === 0) return 'the ECC point is empty';
    }
    return r.atEnd ? undefined : 'bytes are left over after the structure';
  } catch {
    return 'the structure is truncated';
  }
}
