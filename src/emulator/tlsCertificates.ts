// The emulator's TLS identity: a CA (kept in dataDir, reused across starts so clients can keep
// trusting it) and a server certificate for localhost / 127.0.0.1 / ::1 signed by it.
// Regenerated when missing, unreadable, expiring within a day, or not signed by the CA.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, type IssuedCertificate } from './certificateFactory';
import { writeFileAtomicSync } from '../util/atomicWrite';

export interface TlsMaterial {
  caCertificatePath: string;
  caCertificatePem: string;
  serverCertificatePem: string;
  serverKeyPem: string;
}

const CA_CERT = 'emulator-ca.pem';
const CA_KEY = 'emulator-ca.key.pem';
const SERVER_CERT = 'emulator-server.pem';
const SERVER_KEY = 'emulator-server.key.pem';
const DAY_MS = 86_400_000;

function readPair(dir: string, certFile: string, keyFile: string): IssuedCertificate | undefined {
  try {
    const certificatePem = readFileSync(join(dir, certFile), 'utf8');
    const privateKeyPem = readFileSync(join(dir, keyFile), 'utf8');
    const cert = new X509Certificate(certificatePem);
    createPrivateKey(privateKeyPem);
    if (Date.parse(cert.validTo) - Date.now() < DAY_MS) return undefined;
    return { certificatePem, privateKeyPem };
  } catch {
    return undefined;
  }
}

function writePair(dir: string, certFile: string, keyFile: string, pair: IssuedCertificate): void {
  writeFileAtomicSync(join(dir, keyFile), pair.privateKeyPem, 0o600);
  writeFileAtomicSync(join(dir, certFile), pair.certificatePem, 0o644);
}

function signedBy(pair: IssuedCertificate, ca: IssuedCertificate): boolean {
  try {
    const cert = new X509Certificate(pair.certificatePem);
    const caCert = new X509Certificate(ca.certificatePem);
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey);
  } catch {
    return false;
  }
}

export function loadOrCreateTlsMaterial(dataDir: string): TlsMaterial {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let ca = readPair(dataDir, CA_CERT, CA_KEY);
  if (ca === undefined) {
    ca = issueCertificate({ commonName: 'DPS Enrollments Emulator CA', isCa: true, validDays: 3650 });
    writePair(dataDir, CA_CERT, CA_KEY, ca);
  }
  let server = readPair(dataDir, SERVER_CERT, SERVER_KEY);
  if (server === undefined || !signedBy(server, ca)) {
    server = issueCertificate({
      commonName: 'localhost',
      isCa: false,
      validDays: 825,
      issuer: ca,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      serverAuth: true,
    });
    writePair(dataDir, SERVER_CERT, SERVER_KEY, server);
  }
  return {
    caCertificatePath: join(dataDir, CA_CERT),
    caCertificatePem: ca.certificatePem,
    serverCertificatePem: server.certificatePem,
    serverKeyPem: server.privateKeyPem,
  };
}
