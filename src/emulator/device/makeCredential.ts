// TPM2_MakeCredential done in software (TPM 2.0 Library, Part 1, 24 "Credential Protection";
// KDFa and KDFe from 11.4.10): protects a small secret (the credential) so that only the TPM
// holding the EK's private key, with the object whose Name it is bound to loaded, can recover it
// with TPM2_ActivateCredential. The output is the credentialBlob (TPM2B_ID_OBJECT) and the
// secret (TPM2B_ENCRYPTED_SECRET) that tpm2_activatecredential and every TSS take.
import { constants, createCipheriv, createHash, createHmac, diffieHellman, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { hashSize, type TpmPublicKey } from './tpmPublicKey';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A TPM2B: 2-byte big-endian size then the bytes. */
export function tpm2b(bytes: Buffer): Buffer {
  const size = Buffer.alloc(2);
  size.writeUInt16BE(bytes.length);
  return Buffer.concat([size, bytes]);
}

/** The label as the TPM uses it: its bytes followed by one zero octet. */
function labelBytes(label: string): Buffer {
  return Buffer.concat([Buffer.from(label, 'ascii'), Buffer.alloc(1)]);
}

/** KDFa (SP 800-108 counter mode with HMAC): HMAC(key, [i]32 || label || 0 || contextU || contextV || [bits]32). */
export function kdfa(hash: string, key: Buffer, label: string, contextU: Buffer, contextV: Buffer, bits: number): Buffer {
  const out: Buffer[] = [];
  const bytes = Math.ceil(bits / 8);
  for (let i = 1, got = 0; got < bytes; i++) {
    const block = createHmac(hash, key).update(Buffer.concat([u32(i), labelBytes(label), contextU, contextV, u32(bits)])).digest();
    out.push(block);
    got += block.length;
  }
  return Buffer.concat(out).subarray(0, bytes);
}

/** KDFe (SP 800-56A concatenation KDF): H([i]32 || Z || label || 0 || partyUInfo || partyVInfo). */
export function kdfe(hash: string, z: Buffer, label: string, partyU: Buffer, partyV: Buffer, bits: number): Buffer {
  const out: Buffer[] = [];
  const bytes = Math.ceil(bits / 8);
  for (let i = 1, got = 0; got < bytes; i++) {
    const block = createHash(hash).update(Buffer.concat([u32(i), z, labelBytes(label), partyU, partyV])).digest();
    out.push(block);
    got += block.length;
  }
  return Buffer.concat(out).subarray(0, bytes);
}

export interface MadeCredential {
  /** TPM2B_ID_OBJECT: TPM2B_DIGEST integrity HMAC, then the encrypted credential. */
  credentialBlob: Buffer;
  /** TPM2B_ENCRYPTED_SECRET: the seed, OAEP-encrypted (RSA) or an ephemeral ECDH point (ECC). */
  encryptedSecret: Buffer;
}

/**
 * Makes a seed only the holder of `key`'s private part can recover (TPM 2.0 Part 1, 11.4.10.2 and
 * CryptSecretEncrypt): RSA OAEP or an ephemeral ECDH point. 'IDENTITY' for MakeCredential,
 * 'DUPLICATE' for the outer wrapper of a duplicated object.
 */
export function protectSeed(key: TpmPublicKey, label: 'IDENTITY' | 'DUPLICATE'): { seed: Buffer; encrypted: Buffer } {
  const seedBits = hashSize(key.nameHash) * 8;
  if (key.type === 'RSA') {
    const seed = randomBytes(seedBits / 8);
    const encrypted = publicEncrypt(
      { key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: key.nameHash, oaepLabel: labelBytes(label) },
      seed,
    );
    return { seed, encrypted };
  }
  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: key.key });
  const jwk = ephemeral.publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const seed = kdfe(key.nameHash, z, label, x, key.eccX ?? Buffer.alloc(0), seedBits);
  return { seed, encrypted: Buffer.concat([tpm2b(x), tpm2b(y)]) };
}

/**
 * Wraps `credential` (at most the nameAlg digest size) for the TPM holding `ek`, bound to the
 * object named `objectName` (the key the device passes as activateHandle, here its SRK).
 */
export function makeCredential(ek: TpmPublicKey, objectName: Buffer, credential: Buffer): MadeCredential {
  if (credential.length === 0 || credential.length > hashSize(ek.nameHash)) {
    throw new RangeError(`A credential is 1 to ${hashSize(ek.nameHash)} bytes.`);
  }
  const symBits = ek.symmetricKeyBits || 128;
  const { seed, encrypted } = protectSeed(ek, 'IDENTITY');
  const symKey = kdfa(ek.nameHash, seed, 'STORAGE', objectName, Buffer.alloc(0), symBits);
  const cipher = createCipheriv(`aes-${symBits}-cfb`, symKey, Buffer.alloc(16));
  const encIdentity = Buffer.concat([cipher.update(tpm2b(credential)), cipher.final()]);
  const hmacKey = kdfa(ek.nameHash, seed, 'INTEGRITY', Buffer.alloc(0), Buffer.alloc(0), hashSize(ek.nameHash) * 8);
  const integrity = createHmac(ek.nameHash, hmacKey).update(Buffer.concat([encIdentity, objectName])).digest();
  return {
    credentialBlob: tpm2b(Buffer.concat([tpm2b(integrity), encIdentity])),
    encryptedSecret: tpm2b(encrypted),
  };
}
