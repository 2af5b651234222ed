// The key inside a TPM2B_PUBLIC (TPM 2.0 Library, Part 2, 12.2.4), as node:crypto objects, and the
// object's Name (nameAlg || H(TPMT_PUBLIC)), which MakeCredential binds a credential to.
// src/attestation/tpm.ts explains what is wrong with a bad key; this only extracts from a good one.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

const TPM_ALG_RSA = 0x0001;
const TPM_ALG_ECC = 0x0023;
const TPM_ALG_NULL = 0x0010;
const TPM_ALG_AES = 0x0006;
const TPM_ECC_NIST_P256 = 0x0003;
const HASHES: Record<number, { name: string; size: number }> = {
  0x0004: { name: 'sha1', size: 20 },
  0x000b: { name: 'sha256', size: 32 },
  0x000c: { name: 'sha384', size: 48 },
  0x000d: { name: 'sha512', size: 64 },
};

export interface TpmPublicKey {
  type: 'RSA' | 'ECC';
  /** Node hash name of the object's nameAlg, e.g. 'sha256'. */
  nameHash: string;
  nameAlgId: number;
  /** AES key bits of the object's symmetric definition (an EK's is AES-128 CFB by default). */
  symmetricKeyBits: number;
  key: KeyObject;
  /** ECC only: the public point's x coordinate (KDFe's partyVInfo). */
  eccX?: Buffer;
  /** The TPMT_PUBLIC bytes (the TPM2B_PUBLIC without its size). */
  publicArea: Buffer;
}

export class TpmPublicKeyError extends Error {}

class Cursor {
  offset = 0;
  constructor(private readonly bytes: Buffer) {}
  u16(): number {
    this.need(2);
    const v = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  sized(): Buffer {
    const n = this.u16();
    this.need(n);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new TpmPublicKeyError('The TPM2B_PUBLIC is cut short.');
  }
}

function scheme(c: Cursor): void {
  const alg = c.u16();
  if (alg === TPM_ALG_NULL) return;
  c.u16();
  if (alg === 0x001a) c.u16(); // ECDAA carries a count
}

/** Parses a TPM2B_PUBLIC holding an RSA or NIST P-256 key; throws TpmPublicKeyError otherwise. */
export function readTpmPublicKey(tpm2bPublic: Buffer): TpmPublicKey {
  if (tpm2bPublic.length < 2 || tpm2bPublic.readUInt16BE(0) !== tpm2bPublic.length - 2) {
    throw new TpmPublicKeyError('The TPM2B_PUBLIC size field does not match its length.');
  }
  const publicArea = tpm2bPublic.subarray(2);
  const c = new Cursor(publicArea);
  const type = c.u16();
  const nameAlgId = c.u16();
  const hash = HASHES[nameAlgId];
  if (hash === undefined) throw new TpmPublicKeyError(`Name algorithm 0x${nameAlgId.toString(16)} is not supported.`);
  c.u32(); // objectAttributes
  c.sized(); // authPolicy
  let symmetricKeyBits = 0;
  const sym = c.u16();
  if (sym !== TPM_ALG_NULL) {
    symmetricKeyBits = c.u16();
    c.u16(); // mode
    if (sym !== TPM_ALG_AES) throw new TpmPublicKeyError('Only AES symmetric definitions are supported.');
  }
  let key: KeyObject;
  let eccX: Buffer | undefined;
  if (type === TPM_ALG_RSA) {
    scheme(c);
    c.u16(); // keyBits
    const exponent = c.u32() || 65537;
    const modulus = c.sized();
    const e = Buffer.alloc(4);
    e.writeUInt32BE(exponent);
    key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: stripZeros(e).toString('base64url') }, format: 'jwk' });
  } else if (type === TPM_ALG_ECC) {
    scheme(c);
    const curve = c.u16();
    scheme(c); // kdf
    const x = c.sized();
    const y = c.sized();
    if (curve !== TPM_ECC_NIST_P256 || x.length !== 32 || y.length !== 32) throw new TpmPublicKeyError('Only NIST P-256 ECC keys are supported.');
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
    eccX = Buffer.from(x);
  } else {
    throw new TpmPublicKeyError(`Key type 0x${type.toString(16)} is not RSA or ECC.`);
  }
  if (c.offset !== publicArea.length) throw new TpmPublicKeyError('Bytes are left over after the key.');
  return { type: type === TPM_ALG_RSA ? 'RSA' : 'ECC', nameHash: hash.name, nameAlgId, symmetricKeyBits, key, eccX, publicArea: Buffer.from(publicArea) };
}

/** The TPM Name of an object: its nameAlg (2 bytes) then the digest of its TPMT_PUBLIC. */
export function tpmObjectName(key: TpmPublicKey): Buffer {
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(key.nameAlgId);
  return Buffer.concat([alg, createHash(key.nameHash).update(key.publicArea).digest()]);
}

export function hashSize(nodeHash: string): number {
  return createHash(nodeHash).digest().length;
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
