// The device identity key as DPS hands it to a TPM: an HMAC-SHA256 key "duplicated" to the
// device's SRK (TPM 2.0 Library, Part 1, 23.3 "Duplication"), with an inner wrapper whose AES key is
// the credential MakeCredential protects, and an outer wrapper whose seed only the SRK can
// recover. The device runs TPM2_Import + TPM2_Load and signs its SAS tokens with TPM2_HMAC: the
// key never exists outside the TPM.
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { kdfa, protectSeed, tpm2b } from './makeCredential';
import { hashSize, type TpmPublicKey } from './tpmPublicKey';

const TPM_ALG_KEYEDHASH = 0x0008;
const TPM_ALG_SHA256 = 0x000b;
const TPM_ALG_HMAC = 0x0005;
/** userWithAuth | noDA | sign: usable with an empty password, never locked out, signs (HMAC) only. */
const ID_KEY_ATTRIBUTES = (1 << 6) | (1 << 10) | (1 << 18);

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export interface DuplicatedKey {
  /** TPM2B_PUBLIC of the HMAC key (keyedHash, SHA-256). */
  publicArea: Buffer;
  /** TPM2B_PRIVATE: outer integrity and the doubly wrapped TPMT_SENSITIVE. */
  duplicate: Buffer;
  /** TPM2B_ENCRYPTED_SECRET: the outer wrapper's seed, for the SRK. */
  encryptedSeed: Buffer;
}

function aesCfb(key: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv(`aes-${key.length * 8}-cfb`, key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * Duplicates `hmacKey` to `srk`. `innerWrapKey` (16 or 32 bytes) is the AES-CFB key of the inner
 * wrapper: the device learns it from TPM2_ActivateCredential.
 */
export function duplicateHmacKey(srk: TpmPublicKey, hmacKey: Buffer, innerWrapKey: Buffer): DuplicatedKey {
  const obfuscation = randomBytes(32);
  const publicArea = Buffer.concat([
    u16(TPM_ALG_KEYEDHASH), u16(TPM_ALG_SHA256), u32(ID_KEY_ATTRIBUTES),
    tpm2b(Buffer.alloc(0)), // no authPolicy
    u16(TPM_ALG_HMAC), u16(TPM_ALG_SHA256), // TPMT_KEYEDHASH_SCHEME
    tpm2b(createHash('sha256').update(obfuscation).update(hmacKey).digest()), // unique = H(seedValue || key)
  ]);
  const name = Buffer.concat([u16(TPM_ALG_SHA256), createHash('sha256').update(publicArea).digest()]);
  const sensitive = tpm2b(Buffer.concat([u16(TPM_ALG_KEYEDHASH), tpm2b(Buffer.alloc(0)), tpm2b(obfuscation), tpm2b(hmacKey)]));
  // Inner wrapper: integrity is the object's nameAlg hash over the sized sensitive area and the Name.
  const innerIntegrity = createHash('sha256').update(sensitive).update(name).digest();
  const inner = aesCfb(innerWrapKey, Buffer.concat([tpm2b(innerIntegrity), sensitive]));
  // Outer wrapper: keys derived from a seed for the new parent (the SRK), with its nameAlg.
  const { seed, encrypted } = protectSeed(srk, 'DUPLICATE');
  const symKey = kdfa(srk.nameHash, seed, 'STORAGE', name, Buffer.alloc(0), srk.symmetricKeyBits || 128);
  const outer = aesCfb(symKey, inner);
  const hmacKeyOuter = kdfa(srk.nameHash, seed, 'INTEGRITY', Buffer.alloc(0), Buffer.alloc(0), hashSize(srk.nameHash) * 8);
  const outerIntegrity = createHmac(srk.nameHash, hmacKeyOuter).update(outer).update(name).digest();
  return { publicArea: tpm2b(publicArea), duplicate: tpm2b(Buffer.concat([tpm2b(outerIntegrity), outer])), encryptedSeed: tpm2b(encrypted) };
}
