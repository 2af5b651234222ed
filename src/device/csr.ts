// An operational certificate requested at registration (device api-version 2026-11-01): a fresh
// EC P-384 key and a PKCS#10 CSR with CN = registration id; the issued chain and the key are
// written as PEM files (key mode 0600). The private key is never logged or serialised.
import { webcrypto } from 'node:crypto';
import { writeFile, chmod } from 'node:fs/promises';
import { x509 } from '../attestation/x509Provider';

const P384 = { name: 'ECDSA', namedCurve: 'P-384' } as const;

export interface CsrRequest {
  /** base64 DER PKCS#10, as the register body's `csr` wants it. */
  csrBase64: string;
  /** PKCS#8 PEM of the new key. */
  privateKeyPem: string;
}

export async function createCsr(registrationId: string): Promise<CsrRequest> {
  const keys = await webcrypto.subtle.generateKey(P384, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${registrationId}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { csrBase64: Buffer.from(csr.rawData).toString('base64'), privateKeyPem: pem('PRIVATE KEY', pkcs8) };
}

/** The issued certificate: chain as DER base64 (leaf first, root last) and the key, hidden from JSON and inspection. */
export interface IssuedCertificate {
  chain: string[];
  readonly privateKeyPem: string;
}

export function issuedCertificate(chain: string[], privateKeyPem: string): IssuedCertificate {
  const result = { chain } as IssuedCertificate;
  // Not enumerable: JSON.stringify, util.inspect and spreads of a result never carry the key.
  Object.defineProperty(result, 'privateKeyPem', { value: privateKeyPem, enumerable: false });
  return result;
}

export function chainPem(chain: readonly string[]): string {
  return chain.map((der) => pem('CERTIFICATE', Buffer.from(der, 'base64'))).join('');
}

/** Writes `<base>.cert.pem` (the chain) and `<base>.key.pem` (mode 0600); returns both paths. */
export async function writeIssuedCertificate(base: string, issued: IssuedCertificate): Promise<{ certificatePath: string; keyPath: string }> {
  const certificatePath = `${base}.cert.pem`;
  const keyPath = `${base}.key.pem`;
  await writeFile(certificatePath, chainPem(issued.chain), { mode: 0o644 });
  await writeFile(keyPath, issued.privateKeyPem, { mode: 0o600 });
  await chmod(keyPath, 0o600); // an existing file keeps its mode on write
  return { certificatePath, keyPath };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
