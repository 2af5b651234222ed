// "Verify (proof of possession)" in one step: read the uploaded CA certificate, check that the local
// CA file is that certificate and is usable, get a verification code, sign a verification certificate
// (CN = code) with the CA's private key, and send it. The key and its passphrase stay in memory for
// this call only.
import { X509Certificate } from 'node:crypto';
import { certificateFacts, readCertificates } from '../attestation';
import { generateVerificationCertificate } from '../attestation/generate';
import type { ArmClient, DpsRef } from './armClient';
import type { CaCertificate } from './armModels';

export interface ProofOfPossessionInput {
  /** The CA certificate file's content (PEM or DER): must be the certificate uploaded under `name`. */
  caCertificate: string | Uint8Array;
  caPrivateKey: string | Uint8Array;
  passphrase?: string;
}

export interface VerificationOutcome {
  certificate: CaCertificate;
  /** False when the certificate was verified before this call (nothing was sent). */
  changed: boolean;
}

export class CaVerificationError extends Error {
  override readonly name = 'CaVerificationError';
}

export async function verifyCaCertificate(arm: Pick<ArmClient, 'getCertificate' | 'generateVerificationCode' | 'verifyCertificate'>, ref: DpsRef, name: string, input: ProofOfPossessionInput, now = new Date()): Promise<VerificationOutcome> {
  const local = readOneCertificate(input.caCertificate);
  const facts = certificateFacts(local, now);
  if (facts.validity === 'expired') throw new CaVerificationError(`The CA certificate "${facts.commonName ?? facts.subject}" expired on ${facts.notAfter}; devices it signed cannot authenticate. Upload a current CA instead.`);
  if (!facts.isCA) throw new CaVerificationError(`"${facts.commonName ?? facts.subject}" is not a CA certificate (no CA basic constraint); only a CA can sign device certificates for a group.`);
  const uploaded = await arm.getCertificate(ref, name);
  if (uploaded.thumbprint !== undefined && uploaded.thumbprint.toUpperCase() !== facts.sha1Thumbprint) {
    throw new CaVerificationError(`The chosen CA file (thumbprint ${facts.sha1Thumbprint}) is not the certificate uploaded as "${name}" (thumbprint ${uploaded.thumbprint}). Choose the matching file.`);
  }
  if (uploaded.isVerified) return { certificate: uploaded, changed: false };
  if (uploaded.etag === undefined) throw new CaVerificationError(`Azure returned the certificate "${name}" without an etag; refresh and try again.`);
  const withCode = await arm.generateVerificationCode(ref, name, uploaded.etag);
  // Signing happens only after the code exists; a wrong key or passphrase fails here with its own sentence.
  const proof = await generateVerificationCertificate({
    verificationCode: withCode.verificationCode,
    caCertificate: input.caCertificate,
    caPrivateKey: input.caPrivateKey,
    passphrase: input.passphrase,
  });
  const verified = await arm.verifyCertificate(ref, name, withCode.etag ?? uploaded.etag, proof.certificatePem);
  if (!verified.isVerified) throw new CaVerificationError(`Azure accepted the proof for "${name}" but does not report it verified; refresh to see its state.`);
  return { certificate: verified, changed: true };
}

function readOneCertificate(input: string | Uint8Array): X509Certificate {
  const read = readCertificates(input);
  const first = read.certificates[0];
  if (first === undefined) {
    const reason = read.problems.find((p) => p.severity === 'error')?.message ?? 'No certificate found.';
    throw new CaVerificationError(`The CA file holds no usable certificate: ${reason}`);
  }
  return first.x509;
}
