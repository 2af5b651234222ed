// What the device client needs from a TPM. The key recovered by ActivateCredential stays behind
// this interface: the client only asks it to sign.
export interface Tpm {
  /** The EK as a TPM2B_PUBLIC. */
  getEndorsementKey(): Promise<Buffer>;
  /** The SRK as a TPM2B_PUBLIC: the object the DPS credential is bound to. */
  getStorageRootKey(): Promise<Buffer>;
  /** Runs TPM2_ActivateCredential on DPS's authenticationKey (TPM2B_ID_OBJECT || TPM2B_ENCRYPTED_SECRET). */
  activateCredential(authenticationKey: Buffer): Promise<void>;
  /** HMAC-SHA256 with the activated key; fails before activateCredential. */
  sign(data: Buffer): Promise<Buffer>;
}

/** Splits DPS's authenticationKey into the two TPM2B structures TPM2_ActivateCredential takes. */
export function splitAuthenticationKey(blob: Buffer): { credentialBlob: Buffer; encryptedSecret: Buffer } {
  const take = (offset: number): Buffer => {
    if (offset + 2 > blob.length) throw new RangeError('The authentication key is cut short.');
    const end = offset + 2 + blob.readUInt16BE(offset);
    if (end > blob.length) throw new RangeError('The authentication key is cut short.');
    return blob.subarray(offset, end);
  };
  const credentialBlob = take(0);
  const encryptedSecret = take(credentialBlob.length);
  if (credentialBlob.length + encryptedSecret.length !== blob.length) throw new RangeError('The authentication key has bytes left over.');
  return { credentialBlob, encryptedSecret };
}
