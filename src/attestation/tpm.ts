// TPM endorsement keys: DPS wants base64 of a TPM2B_PUBLIC (TPM 2.0 Library spec, Part 2: a
// 2-byte size, then TPMT_PUBLIC). We parse the structure field by field so each mistake gets its
// own message, and accept the EK types DPS supports: RSA 2048 and ECC NIST P-256.
import { createHash } from 'node:crypto';
import { AttestationError, AttestationProblem, problem } from './problems';

export const TPM_ALG_RSA = 0x0001;
export const TPM_ALG_ECC = 0x0023;
export const TPM_ALG_NULL = 0x0010;
export const TPM_ECC_NIST_P256 = 0x0003;

const HASH_NAMES: Record<number, string> = { 0x0004: 'SHA1', 0x000b: 'SHA256', 0x000c: 'SHA384', 0x000d: 'SHA512', 0x0012: 'SM3_256' };
const CURVE_NAMES: Record<number, string> = { 0x0001: 'NIST P-192', 0x0002: 'NIST P-224', 0x0003: 'NIST P-256', 0x0004: 'NIST P-384', 0x0005: 'NIST P-521', 0x0010: 'BN P-256', 0x0011: 'BN P-638', 0x0020: 'SM2 P-256' };

export interface TpmPublicInfo {
  type: 'RSA' | 'ECC';
  nameAlg: string;
  objectAttributes: number;
  /** RSA modulus bits, or the curve's field size. */
  keyBits: number;
  /** RSA public exponent (65537 when the structure says 0). */
  exponent?: number;
  /** ECC curve name, e.g. "NIST P-256". */
  curve?: string;
  /** Length of the decoded TPM2B_PUBLIC in bytes. */
  byteLength: number;
}

export interface TpmKeyOptions {
  /** Which key this is, for messages: the EK must be RSA-2048 or P-256, an SRK need only be well formed. */
  role: 'endorsementKey' | 'storageRootKey';
}

const ROLE_NAMES = { endorsementKey: 'endorsement key (EK)', storageRootKey: 'storage root key (SRK)' } as const;

/** Decodes and parses a base64 TPM2B_PUBLIC; throws AttestationError with a specific code. */
export function parseTpmPublic(input: string, options: TpmKeyOptions = { role: 'endorsementKey' }): TpmPublicInfo {
  const bytes = decodeTpmBase64(input, options.role);
  const info = parseTpm2bPublic(bytes, options.role);
  if (options.role === 'endorsementKey') requireSupportedEk(info);
  return info;
}

/** The same check as parseTpmPublic, as a problem list (empty when the key is fine). */
export function checkTpmPublic(input: string, options: TpmKeyOptions = { role: 'endorsementKey' }): AttestationProblem[] {
  try {
    parseTpmPublic(input, options);
    return [];
  } catch (error) {
    if (error instanceof AttestationError) return [{ ...error.problem, field: options.role }];
    throw error;
  }
}

export function checkEndorsementKey(input: string): AttestationProblem[] {
  return checkTpmPublic(input, { role: 'endorsementKey' });
}

/**
 * The registration id the Azure IoT device SDKs derive from a TPM: SHA-256 over the EK bytes
 * (the decoded TPM2B_PUBLIC, the same bytes that are base64-encoded into the enrollment), then
 * base32 (RFC 4648 alphabet) in lower case with the "=" padding removed. This is what
 * azure-iot-sdk-c provisioning_client/src/prov_auth_client.c (load_registration_id/encode_value,
 * whose base32 from azure-c-shared-utility uses the lower-case alphabet) and the Java SDK's
 * SecurityProviderTpm.getRegistrationId() (which lower-cases and strips "=") do.
 */
export function registrationIdFromEndorsementKey(endorsementKey: string): string {
  parseTpmPublic(endorsementKey, { role: 'endorsementKey' });
  const digest = createHash('sha256').update(Buffer.from(compactBase64(endorsementKey), 'base64')).digest();
  return base32Lower(digest);
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding. */
export function base32Lower(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function compactBase64(input: string): string {
  return input.replace(/\s+/g, '');
}

function decodeTpmBase64(input: string, role: TpmKeyOptions['role']): Buffer {
  const name = ROLE_NAMES[role];
  const text = compactBase64(input);
  if (text === '') throw new AttestationError(problem('tpmEmpty', `The ${name} is empty. Paste the base64 value your TPM tool printed (e.g. tpm2_readpublic -o ek.pub, then base64 ek.pub).`));
  if (text.includes('-----BEGIN')) {
    throw new AttestationError(problem('tpmDerGiven', `The ${name} is a PEM block. DPS wants the base64 of the TPM2B_PUBLIC structure, not a PEM public key or certificate: export it with tpm2_readpublic (-f tss) and base64-encode that file.`));
  }
  if (/^[0-9a-fA-F]+$/.test(text) && text.length >= 16) {
    throw new AttestationError(problem('tpmHexGiven', `The ${name} is hexadecimal. DPS wants the same bytes base64-encoded (e.g. xxd -r -p ek.hex | base64 -w0).`));
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new AttestationError(problem('tpmNotBase64', `The ${name} is not base64: it contains characters outside A-Z a-z 0-9 + / =. Copy the whole value your TPM tool printed.`));
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes[0] === 0x30) {
    throw new AttestationError(problem('tpmDerGiven', `The ${name} is a DER structure (an X.509 public key or certificate), not a TPM2B_PUBLIC. Export the key with your TPM tool in TPM format (tpm2_readpublic -f tss) and base64-encode that.`));
  }
  return bytes;
}

/** Reads big-endian fields and turns running out of bytes into one clear error. */
class Reader {
  offset = 0;
  constructor(private readonly bytes: Buffer, private readonly name: string) {}

  u16(field: string): number {
    this.need(2, field);
    const v = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A TPM2B: 2-byte size then that many bytes. */
  sized(field: string): Buffer {
    const size = this.u16(`${field} size`);
    this.need(size, field);
    const v = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return v;
  }

  private need(n: number, field: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new AttestationError(problem('tpmTruncated', `The ${this.name} is cut short: it ends inside the ${field} field (${this.bytes.length} bytes in all). Copy the whole base64 value.`));
    }
  }
}

function parseTpm2bPublic(bytes: Buffer, role: TpmKeyOptions['role']): TpmPublicInfo {
  const name = ROLE_NAMES[role];
  if (bytes.length < 2) throw new AttestationError(problem('tpmTruncated', `The ${name} is only ${bytes.length} byte long; a TPM2B_PUBLIC is a few hundred bytes.`));
  const declared = bytes.readUInt16BE(0);
  const actual = bytes.length - 2;
  if (declared !== actual) {
    // TPMT_PUBLIC without its size prefix starts with the key type, then a hash algorithm.
    const type = bytes.readUInt16BE(0);
    if ((type === TPM_ALG_RSA || type === TPM_ALG_ECC) && bytes.length >= 4 && HASH_NAMES[bytes.readUInt16BE(2)] !== undefined) {
      throw new AttestationError(problem('tpmMissingSizePrefix', `The ${name} is a TPMT_PUBLIC without the 2-byte size in front. DPS wants the TPM2B_PUBLIC: the same bytes preceded by their length (${bytes.length}) as a big-endian 16-bit number.`));
    }
    if (declared > actual) {
      throw new AttestationError(problem('tpmTruncated', `The ${name} is cut short: its size field says ${declared} bytes follow but only ${actual} do. Copy the whole base64 value.`));
    }
    throw new AttestationError(problem('tpmSizeMismatch', `The ${name} has the wrong size field: it says ${declared} bytes but ${actual} follow. This is not a TPM2B_PUBLIC, or extra data was appended.`));
  }
  const r = new Reader(bytes, name);
  r.offset = 2;
  const type = r.u16('type');
  if (type !== TPM_ALG_RSA && type !== TPM_ALG_ECC) {
    throw new AttestationError(problem('tpmUnsupportedType', `The ${name} has key type 0x${hex4(type)}; DPS accepts RSA (0x0001) and ECC (0x0023) keys only.`));
  }
  const nameAlgId = r.u16('nameAlg');
  const nameAlg = HASH_NAMES[nameAlgId];
  if (nameAlg === undefined) throw malformed(name, `its name algorithm 0x${hex4(nameAlgId)} is not a TPM hash algorithm`);
  const objectAttributes = r.u32('objectAttributes');
  r.sized('authPolicy');
  readSymmetric(r);
  let info: TpmPublicInfo;
  if (type === TPM_ALG_RSA) {
    readScheme(r, 'scheme');
    const keyBits = r.u16('keyBits');
    const exponent = r.u32('exponent');
    const modulus = r.sized('unique (modulus)');
    if (modulus.length * 8 !== keyBits) throw malformed(name, `its modulus has ${modulus.length * 8} bits but keyBits says ${keyBits}`);
    info = { type: 'RSA', nameAlg, objectAttributes, keyBits, exponent: exponent === 0 ? 65537 : exponent, byteLength: bytes.length };
  } else {
    readScheme(r, 'scheme');
    const curveId = r.u16('curveID');
    readScheme(r, 'kdf');
    const x = r.sized('unique x');
    const y = r.sized('unique y');
    const curve = CURVE_NAMES[curveId] ?? `curve 0x${hex4(curveId)}`;
    if (curveId === TPM_ECC_NIST_P256 && (x.length !== 32 || y.length !== 32)) {
      throw malformed(name, `its P-256 point has ${x.length}- and ${y.length}-byte coordinates instead of 32`);
    }
    info = { type: 'ECC', nameAlg, objectAttributes, keyBits: curveId === TPM_ECC_NIST_P256 ? 256 : x.length * 8, curve, byteLength: bytes.length };
  }
  if (r.offset !== bytes.length) throw malformed(name, `${bytes.length - r.offset} bytes are left over after the key`);
  return info;
}

/** TPMT_SYM_DEF_OBJECT: algorithm, then key bits and mode unless the algorithm is NULL. */
function readSymmetric(r: Reader): void {
  if (r.u16('symmetric algorithm') !== TPM_ALG_NULL) {
    r.u16('symmetric keyBits');
    r.u16('symmetric mode');
  }
}

/** TPMT_*_SCHEME / TPMT_KDF_SCHEME: scheme, then a hash algorithm unless NULL (ECDAA adds a count). */
function readScheme(r: Reader, field: string): void {
  const scheme = r.u16(field);
  if (scheme === TPM_ALG_NULL) return;
  r.u16(`${field} hashAlg`);
  if (scheme === 0x001a) r.u16(`${field} count`); // TPM_ALG_ECDAA
}

function requireSupportedEk(info: TpmPublicInfo): void {
  if (info.type === 'RSA' && info.keyBits !== 2048) {
    throw new AttestationError(problem('tpmUnsupportedKey', `The endorsement key is RSA-${info.keyBits}; DPS accepts RSA-2048 or ECC NIST P-256 endorsement keys.`));
  }
  if (info.type === 'ECC' && info.curve !== 'NIST P-256') {
    throw new AttestationError(problem('tpmUnsupportedKey', `The endorsement key uses ${info.curve ?? 'an unknown curve'}; DPS accepts ECC NIST P-256 or RSA-2048 endorsement keys.`));
  }
}

function malformed(name: string, detail: string): AttestationError {
  return new AttestationError(problem('tpmMalformed', `The ${name} is not a valid TPM2B_PUBLIC: ${detail}.`));
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
