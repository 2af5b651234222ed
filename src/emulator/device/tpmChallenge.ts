// The TPM nonce challenge. A device's first PUT carries its EK and SRK and no Authorization; the
// answer is 401 with `authenticationKey`, laid out as the SDKs parse the live service's
// (azure-iot-sdk-node azure-iot-security-tpm `_activateIdentityKey`; the Java SDK's TPM providers
// alike): TPM2B_ID_OBJECT || TPM2B_ENCRYPTED_SECRET (MakeCredential for the EK, bound to the SRK's
// Name, wrapping an AES key) || TPM2B_PRIVATE || TPM2B_ENCRYPTED_SECRET || TPM2B_PUBLIC (an HMAC key
// duplicated to the SRK, its inner wrapper under that AES key) || TPM2B_DATA (empty). The device
// activates the credential, imports and loads the HMAC key, and retries with a SAS token it signs
// (skn=registration).
import { randomBytes } from 'node:crypto';
import type { IndividualEnrollment } from '../../dps/models';
import { keyOf } from '../ids';
import { duplicateHmacKey } from './duplicateKey';
import { makeCredential, tpm2b } from './makeCredential';
import { readTpmPublicKey, tpmObjectName, TpmPublicKeyError } from './tpmPublicKey';
import { deviceUnauthorized } from './deviceErrors';

const CHALLENGE_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

export interface TpmRegistrationBody {
  endorsementKey: string;
  storageRootKey?: string;
}

export class TpmChallenges {
  /** Keys handed out, by registration id: pending until used, then kept so polls can be signed with them. */
  private readonly keys = new Map<string, { key: Buffer; expiresMs: number }>();

  /** Builds the challenge for an enrollment whose EK the device presented; throws 401 when they differ. */
  challenge(enrollment: IndividualEnrollment, tpm: TpmRegistrationBody, nowMs: number): string {
    const enrolledEk = enrollment.attestation.tpm?.endorsementKey;
    const sentEk = decode(tpm.endorsementKey);
    if (enrolledEk === undefined || sentEk === undefined || !decode(enrolledEk)?.equals(sentEk)) {
      throw deviceUnauthorized('The endorsement key does not match the enrollment.');
    }
    const srkText = tpm.storageRootKey ?? enrollment.attestation.tpm?.storageRootKey;
    const srk = srkText === undefined ? undefined : decode(srkText);
    if (srk === undefined) throw deviceUnauthorized('The registration must carry tpm.storageRootKey (base64 TPM2B_PUBLIC of the SRK).');
    let blob: Buffer;
    const key = randomBytes(32);
    try {
      const srkKey = readTpmPublicKey(srk);
      const innerWrapKey = randomBytes(16); // AES-128: every TPM has it
      const made = makeCredential(readTpmPublicKey(sentEk), tpmObjectName(srkKey), innerWrapKey);
      const idKey = duplicateHmacKey(srkKey, key, innerWrapKey);
      // Then an empty TPM2B_DATA (encUriData), which the Java SDK reads.
      blob = Buffer.concat([made.credentialBlob, made.encryptedSecret, idKey.duplicate, idKey.encryptedSeed, idKey.publicArea, tpm2b(Buffer.alloc(0))]);
    } catch (error) {
      if (error instanceof TpmPublicKeyError) throw deviceUnauthorized(`The TPM key is not usable: ${error.message}`);
      throw error;
    }
    this.evict(nowMs);
    this.keys.set(keyOf(enrollment.registrationId), { key, expiresMs: nowMs + CHALLENGE_TTL_MS });
    return blob.toString('base64');
  }

  /** The base64 key a TPM device signs its SAS tokens with, while it is valid. */
  keyFor(registrationId: string, nowMs: number): string | undefined {
    const entry = this.keys.get(keyOf(registrationId));
    return entry !== undefined && entry.expiresMs > nowMs ? entry.key.toString('base64') : undefined;
  }

  private evict(nowMs: number): void {
    for (const [id, entry] of this.keys) {
      if (entry.expiresMs <= nowMs || this.keys.size >= MAX_PENDING) this.keys.delete(id);
      else break;
    }
  }
}

function decode(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}
