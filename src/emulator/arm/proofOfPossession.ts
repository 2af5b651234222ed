// The proof-of-possession check DPS makes on `verify`: the verification certificate must be signed by
// the CA's key (its signature verifies with the CA certificate's public key and its issuer is the CA),
// its CN must equal the current verification code, and it must be within its validity period.
import { X509Certificate } from 'node:crypto';

export class ProofRejection extends Error {
  override readonly name = 'ProofRejection';
}

export function checkProofOfPossession(ca: X509Certificate, proofDer: Buffer, verificationCode: string, now = new Date()): void {
  let proof: X509Certificate;
  try {
    proof = new X509Certificate(proofDer);
  } catch {
    throw new ProofRejection('The verification certificate is not a readable X.509 certificate.');
  }
  if (!proof.checkIssued(ca) || !proof.verify(ca.publicKey)) {
    throw new ProofRejection('The verification certificate was not signed by this CA certificate\'s private key.');
  }
  const cn = /^CN=(.*)$/m.exec(proof.subject)?.[1];
  if (cn !== verificationCode) throw new ProofRejection('The verification certificate\'s subject CN does not match the current verification code.');
  if (now < new Date(proof.validFrom) || now > new Date(proof.validTo)) throw new ProofRejection('The verification certificate is not within its validity period.');
}
