// CA certificates of the emulator's instance, as ARM keeps them: name, certificate, etag (new on
// every change), verification code and verified flag. `verifiedCaCertificates()` is what the device
// side uses to accept X.509 chains that end at a verified CA (caReferences of groups).
import { X509Certificate, randomBytes, randomUUID } from 'node:crypto';
import { checkProofOfPossession } from './proofOfPossession';

export interface StoredCaCertificate {
  name: string;
  x509: X509Certificate;
  /** base64 DER, as ARM returns it. */
  certificate: string;
  etag: string;
  isVerified: boolean;
  verificationCode?: string;
  created: Date;
  updated: Date;
}

export class CaStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_CA_CERTIFICATES = 25;

export class CaStore {
  private readonly byName = new Map<string, StoredCaCertificate>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  list(): StoredCaCertificate[] {
    return [...this.byName.values()];
  }

  get(name: string): StoredCaCertificate {
    const found = this.byName.get(name.toLowerCase());
    if (found === undefined) throw new CaStoreError(404, 'NotFound', `Certificate '${name}' was not found.`);
    return found;
  }

  /** Create, or replace when `ifMatch` is absent or matches. Replacing clears verification. */
  put(name: string, der: Buffer, ifMatch?: string): StoredCaCertificate {
    const existing = this.byName.get(name.toLowerCase());
    if (existing !== undefined && ifMatch !== undefined && ifMatch !== '*' && ifMatch !== existing.etag) throw preconditionFailed();
    if (existing === undefined && this.byName.size >= MAX_CA_CERTIFICATES) throw new CaStoreError(400, 'CertificateLimitExceeded', `At most ${MAX_CA_CERTIFICATES} certificates per instance.`);
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(der);
    } catch {
      throw new CaStoreError(400, 'InvalidCertificate', 'The certificate is not a readable X.509 certificate (send base64 DER or PEM).');
    }
    const time = this.now();
    const stored: StoredCaCertificate = { name, x509, certificate: der.toString('base64'), etag: newEtag(), isVerified: false, created: existing?.created ?? time, updated: time };
    this.byName.set(name.toLowerCase(), stored);
    return stored;
  }

  delete(name: string, ifMatch: string | undefined): void {
    const found = this.get(name);
    if (ifMatch === undefined || ifMatch === '') throw new CaStoreError(400, 'IfMatchRequired', 'Deleting a certificate needs its etag in If-Match.');
    if (ifMatch !== '*' && ifMatch !== found.etag) throw preconditionFailed();
    this.byName.delete(name.toLowerCase());
  }

  generateVerificationCode(name: string, ifMatch: string | undefined): StoredCaCertificate {
    const found = this.requireEtag(name, ifMatch);
    found.verificationCode = randomBytes(24).toString('hex').toUpperCase();
    found.etag = newEtag();
    found.updated = this.now();
    return found;
  }

  verify(name: string, ifMatch: string | undefined, proofDer: Buffer): StoredCaCertificate {
    const found = this.requireEtag(name, ifMatch);
    if (found.verificationCode === undefined) throw new CaStoreError(400, 'VerificationCodeMissing', 'Generate a verification code before verifying.');
    const now = this.now();
    if (now > new Date(found.x509.validTo)) throw new CaStoreError(400, 'CertificateExpired', 'The CA certificate has expired and cannot be verified.');
    try {
      checkProofOfPossession(found.x509, proofDer, found.verificationCode, now);
    } catch (error) {
      throw new CaStoreError(400, 'CertificateVerificationFailed', error instanceof Error ? error.message : 'Proof of possession failed.');
    }
    found.isVerified = true;
    found.verificationCode = undefined;
    found.etag = newEtag();
    found.updated = now;
    return found;
  }

  /** Verified CA certificates, for X.509 device registration through a group's caReferences. */
  verifiedCaCertificates(): { name: string; certificate: X509Certificate }[] {
    return this.list().filter((c) => c.isVerified).map((c) => ({ name: c.name, certificate: c.x509 }));
  }

  private requireEtag(name: string, ifMatch: string | undefined): StoredCaCertificate {
    const found = this.get(name);
    if (ifMatch === undefined || ifMatch === '') throw new CaStoreError(400, 'IfMatchRequired', 'This operation needs the certificate\'s etag in If-Match.');
    if (ifMatch !== '*' && ifMatch !== found.etag) throw preconditionFailed();
    return found;
  }
}

function preconditionFailed(): CaStoreError {
  return new CaStoreError(412, 'PreconditionFailed', 'The etag in If-Match does not match the certificate\'s current etag.');
}

function newEtag(): string {
  // ARM etags look like base64 of 8 bytes ("AAAAAAExpNs="); any opaque value will do.
  return Buffer.from(randomUUID().replace(/-/g, '').slice(0, 16), 'hex').toString('base64');
}
