// What the device client needs from a TPM. The identity key DPS sends stays behind this interface
// (inside the TPM, for a real one): the client only asks it to sign.
export interface Tpm {
  /** The EK as a TPM2B_PUBLIC. */
  getEndorsementKey(): Promise<Buffer>;
  /** The SRK as a TPM2B_PUBLIC: the object the DPS credential is bound to. */
  getStorageRootKey(): Promise<Buffer>;
  /**
   * Takes DPS's authenticationKey: TPM2_ActivateCredential recovers the inner wrap key, then
   * TPM2_Import and TPM2_Load bring in the device identity (HMAC) key it protects.
   */
  activateCredential(authenticationKey: Buffer): Promise<void>;
  /** HMAC-SHA256 with the identity key; fails before activateCredential. */
  sign(data: Buffer): Promise<Buffer>;
}

/** The parts of DPS's authenticationKey, each a marshalled TPM2B as TPM commands and tpm2-tools take them. */
export interface AuthenticationKeyParts {
  /** TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET for TPM2_ActivateCredential: they yield the inner wrap key. */
  credentialBlob: Buffer;
  encryptedSecret: Buffer;
  /** TPM2B_PRIVATE, TPM2B_ENCRYPTED_SECRET (seed) and TPM2B_PUBLIC of the device identity key, for TPM2_Import. */
  duplicate: Buffer;
  encryptedSeed: Buffer;
  publicArea: Buffer;
}

/**
 * Splits DPS's authenticationKey (the order the SDKs read: ID object, secret, duplicate, seed,
 * public, then a TPM2B_DATA the Java SDK reads and ignores, which may be absent).
 */
export function splitAuthenticationKey(blob: Buffer): AuthenticationKeyParts {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    if (offset + 2 > blob.length) throw new RangeError('The authentication key is cut short.');
    const end = offset + 2 + blob.readUInt16BE(offset);
    if (end > blob.length) throw new RangeError('The authentication key is cut short.');
    parts.push(blob.subarray(offset, end));
    offset = end;
  }
  if (parts.length < 5) throw new RangeError(`The authentication key has ${parts.length} of the 5 parts a TPM needs (credential, secret, duplicate, seed, public).`);
  if (parts.length > 6) throw new RangeError('The authentication key has bytes left over.');
  const [credentialBlob, encryptedSecret, duplicate, encryptedSeed, publicArea] = parts as [Buffer, Buffer, Buffer, Buffer, Buffer];
  return { credentialBlob, encryptedSecret, duplicate, encryptedSeed, publicArea };
}
