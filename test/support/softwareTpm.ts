// A TPM in software for tests: EK and SRK key pairs, TPM2_ActivateCredential (TPM 2.0 Part 1, 24)
// and TPM2_Import of a duplicated HMAC key (Part 1, 23.3) done with node:crypto, so the emulator's
// challenge can be checked without a real TPM (swtpm tests check it against a real one).
import { constants, createDecipheriv, createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { kdfa, kdfe } from '../../src/emulator/device/makeCredential';
import { readTpmPublicKey, tpmObjectName } from '../../src/emulator/device/tpmPublicKey';
import { splitAuthenticationKey, type Tpm } from '../../src/device/tpm';
import { eccTpmtPublic, rsaTpmtPublic, tpm2b } from './attestation';

const body = (tpm2bBytes: Buffer): Buffer => tpm2bBytes.subarray(2, 2 + tpm2bBytes.readUInt16BE(0));

function cfbDecrypt(key: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv(`aes-${key.length * 8}-cfb`, key, Buffer.alloc(16));
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

export class SoftwareTpm implements Tpm {
  readonly ekPublic: Buffer;
  readonly srkPublic: Buffer;
  private readonly ekPrivate: KeyObject;
  private readonly srkPrivate: KeyObject;
  private key: Buffer | undefined;

  constructor(type: 'rsa' | 'ecc' = 'rsa') {
    if (type === 'rsa') {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.ekPrivate = pair.privateKey;
      this.ekPublic = tpm2b(rsaTpmtPublic(Buffer.from(pair.publicKey.export({ format: 'jwk' }).n ?? '', 'base64url')));
    } else {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      this.ekPrivate = pair.privateKey;
      const jwk = pair.publicKey.export({ format: 'jwk' });
      this.ekPublic = tpm2b(eccTpmtPublic(Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')));
    }
    const srk = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.srkPrivate = srk.privateKey;
    this.srkPublic = tpm2b(rsaTpmtPublic(Buffer.from(srk.publicKey.export({ format: 'jwk' }).n ?? '', 'base64url')));
  }

  getEndorsementKey(): Promise<Buffer> {
    return Promise.resolve(this.ekPublic);
  }

  getStorageRootKey(): Promise<Buffer> {
    return Promise.resolve(this.srkPublic);
  }

  /** TPM2_ActivateCredential in software; throws like a TPM would when the integrity check fails. */
  recover(credentialBlob: Buffer, encryptedSecret: Buffer): Buffer {
    const ek = readTpmPublicKey(this.ekPublic);
    const name = tpmObjectName(readTpmPublicKey(this.srkPublic));
    const secret = body(encryptedSecret);
    let seed: Buffer;
    if (ek.type === 'RSA') {
      seed = privateDecrypt({ key: this.ekPrivate, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from('IDENTITY\0') }, secret);
    } else {
      const x = body(secret);
      const y = body(secret.subarray(2 + x.length));
      const ephemeral = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
      const z = diffieHellman({ privateKey: this.ekPrivate, publicKey: ephemeral });
      seed = kdfe('sha256', z, 'IDENTITY', x, ek.eccX ?? Buffer.alloc(0), 256);
    }
    const idObject = body(credentialBlob);
    const integrity = body(idObject);
    const encIdentity = idObject.subarray(2 + integrity.length);
    const hmacKey = kdfa('sha256', seed, 'INTEGRITY', Buffer.alloc(0), Buffer.alloc(0), 256);
    const expected = createHmac('sha256', hmacKey).update(Buffer.concat([encIdentity, name])).digest();
    if (expected.length !== integrity.length || !timingSafeEqual(expected, integrity)) throw new Error('TPM_RC_INTEGRITY');
    const symKey = kdfa('sha256', seed, 'STORAGE', name, Buffer.alloc(0), 128);
    const decipher = createDecipheriv('aes-128-cfb', symKey, Buffer.alloc(16));
    return body(Buffer.concat([decipher.update(encIdentity), decipher.final()]));
  }

  /** TPM2_Import of DPS's duplicated identity key: outer wrapper (SRK seed), then inner (the activated AES key). */
  importDuplicate(duplicate: Buffer, encryptedSeed: Buffer, publicArea: Buffer, innerWrapKey: Buffer): Buffer {
    const seed = privateDecrypt({ key: this.srkPrivate, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from('DUPLICATE\0') }, body(encryptedSeed));
    const name = Buffer.concat([body(publicArea).subarray(2, 4), createHash('sha256').update(body(publicArea)).digest()]); // nameAlg || H(TPMT_PUBLIC)
    const outer = body(duplicate);
    const outerIntegrity = body(outer);
    const encrypted = outer.subarray(2 + outerIntegrity.length);
    const hmacKey = kdfa('sha256', seed, 'INTEGRITY', Buffer.alloc(0), Buffer.alloc(0), 256);
    if (!createHmac('sha256', hmacKey).update(encrypted).update(name).digest().equals(outerIntegrity)) throw new Error('TPM_RC_INTEGRITY (outer)');
    const outerKey = kdfa('sha256', seed, 'STORAGE', name, Buffer.alloc(0), 128);
    const innerBlob = cfbDecrypt(outerKey, encrypted);
    const inner = cfbDecrypt(innerWrapKey, innerBlob);
    const innerIntegrity = body(inner);
    const sensitive = inner.subarray(2 + innerIntegrity.length);
    if (!createHash('sha256').update(sensitive).update(name).digest().equals(innerIntegrity)) throw new Error('TPM_RC_INTEGRITY (inner)');
    // TPMT_SENSITIVE: type, authValue, seedValue, then the key.
    let at = 2 + 2;
    const authValue = body(sensitive.subarray(at));
    at += 2 + authValue.length;
    const seedValue = body(sensitive.subarray(at));
    at += 2 + seedValue.length;
    return body(sensitive.subarray(at));
  }

  activateCredential(authenticationKey: Buffer): Promise<void> {
    const parts = splitAuthenticationKey(authenticationKey);
    const innerWrapKey = this.recover(parts.credentialBlob, parts.encryptedSecret);
    this.key = this.importDuplicate(parts.duplicate, parts.encryptedSeed, parts.publicArea, innerWrapKey);
    return Promise.resolve();
  }

  sign(data: Buffer): Promise<Buffer> {
    if (this.key === undefined) return Promise.reject(new Error('not activated'));
    return Promise.resolve(createHmac('sha256', this.key).update(data).digest());
  }
}
