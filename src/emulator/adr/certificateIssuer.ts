// Issues device certificates from a CSR for the linked ADR namespace: one emulator-held root per
// certificate authority, generated on first use and kept in memory only (a restart means new roots;
// devices then re-register for a new chain). Leaves are EC P-384, CN = registration id.
import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from '../../attestation/x509Provider';
import { DeviceErrorCodes } from '../device/deviceErrors';
import { EmulatorError } from '../errors';
import type { AdrLink } from './adrLink';

const SIGNING = { name: 'ECDSA', hash: 'SHA-384' } as const;
const P384 = { name: 'ECDSA', namedCurve: 'P-384' } as const;
/** Largest CSR accepted (base64 text); a P-384 CSR is well under 1 KB. */
const MAX_CSR_CHARS = 8 * 1024;
const LEAF_DAYS = 30;

interface IssuingCa {
  certificate: x509.X509Certificate;
  privateKey: webcrypto.CryptoKey;
}

export class CsrError extends EmulatorError {
  constructor(message: string) {
    super(400, DeviceErrorCodes.invalidCsr, message);
  }
}

export class CertificateIssuer {
  private readonly cas = new Map<string, Promise<IssuingCa>>();

  constructor(readonly link: AdrLink) {}

  /** PEM of the root that signs leaves for this certificate authority (created on first use). */
  async rootPem(certificateAuthority: string): Promise<string> {
    return (await this.ca(certificateAuthority)).certificate.toString('pem');
  }

  /** Parses and checks a base64 DER PKCS#10 CSR: signature, CN = registration id, EC P-384 key. */
  static async readCsr(csrBase64: unknown, registrationId: string): Promise<x509.Pkcs10CertificateRequest> {
    if (typeof csrBase64 !== 'string' || csrBase64.trim() === '' || csrBase64.length > MAX_CSR_CHARS || !/^[A-Za-z0-9+/\s]+={0,2}\s*$/.test(csrBase64)) {
      throw new CsrError('csr must be a base64-encoded DER PKCS#10 certificate signing request without PEM headers.');
    }
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(Buffer.from(csrBase64, 'base64'));
    } catch {
      throw new CsrError('csr is not a DER PKCS#10 certificate signing request.');
    }
    const commonNames = csr.subjectName.getField('CN');
    if (commonNames.length !== 1 || commonNames[0] !== registrationId) {
      throw new CsrError(`The CSR's common name (CN=${(commonNames[0] ?? '').slice(0, 128)}) must be the registration id '${registrationId}'.`);
    }
    const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
    if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-384') {
      throw new CsrError(`The CSR's key must be EC P-384; got ${algorithm.name ?? 'unknown'}${algorithm.namedCurve ? ` ${algorithm.namedCurve}` : ''}.`);
    }
    let verified: boolean;
    try {
      verified = await csr.verify();
    } catch {
      verified = false;
    }
    if (!verified) throw new CsrError("The CSR's signature does not verify with its own public key.");
    return csr;
  }

  /** The issued chain as base64 DER, leaf first and the root last (device.json issuedCertificateChain). */
  async issue(certificateAuthority: string, csr: x509.Pkcs10CertificateRequest, registrationId: string): Promise<string[]> {
    const ca = await this.ca(certificateAuthority);
    const now = Date.now();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${escapeDn(registrationId)}`,
      issuer: ca.certificate.subjectName,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + LEAF_DAYS * 86_400_000),
      publicKey: csr.publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
      ],
    });
    return [Buffer.from(leaf.rawData).toString('base64'), Buffer.from(ca.certificate.rawData).toString('base64')];
  }

  private ca(name: string): Promise<IssuingCa> {
    const key = name.toLowerCase();
    let ca = this.cas.get(key);
    if (ca === undefined) {
      ca = this.createCa(name);
      this.cas.set(key, ca);
    }
    return ca;
  }

  private async createCa(name: string): Promise<IssuingCa> {
    const keys = await webcrypto.subtle.generateKey(P384, false, ['sign', 'verify']);
    const subject = `CN=${escapeDn(`${this.link.namespace} ${name} (DPS emulator)`)}`;
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: subject,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + 3650 * 86_400_000),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { certificate, privateKey: keys.privateKey };
  }
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  return bytes.toString('hex');
}

/** Registration ids allow only [a-z0-9.:_-]; escaping keeps a DN from being split by anything else. */
function escapeDn(value: string): string {
  return value.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`);
}
