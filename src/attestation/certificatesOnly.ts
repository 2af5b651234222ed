// What goes to the service for an X.509 attestation is the certificate actually used, never the
// other blocks of the input: a PEM file that also holds its private key (as `openssl pkcs12 -nodes`
// writes it) must not carry the key along. Reading and the chain rule are those of the checks.
import { checkedCertificate } from './certificateInput';
import type { ItemKind } from './checks';
import { readCertificates } from './read';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const SLOTS = ['clientCertificates', 'signingCertificates'] as const;

/**
 * The PEM of the certificate the checks would use (a device chain gives its leaf), or of every
 * certificate block when the checks reject the input; '' when there is none. Never a key.
 */
export function certificatePemOnly(input: string | Uint8Array, kind: ItemKind, now: Date = new Date()): string {
  const used = checkedCertificate(input, kind, undefined, now).certificate;
  if (used !== undefined) return used.pem;
  return readCertificates(input).certificates.map((c) => c.pem).join('');
}

/**
 * A copy of an attestation mechanism whose certificate texts hold only certificates. Anything
 * else (type, caReferences, info, unknown fields) is kept as it is.
 */
export function withCertificatesOnly<T>(attestation: T, kind: ItemKind, now: Date = new Date()): T {
  if (!isObject(attestation) || !isObject(attestation.x509)) return attestation;
  const x509: Json = { ...attestation.x509 };
  for (const slot of SLOTS) {
    const certificates = x509[slot];
    if (!isObject(certificates)) continue;
    const cleaned: Json = { ...certificates };
    for (const which of ['primary', 'secondary'] as const) {
      const entry = cleaned[which];
      if (isObject(entry) && typeof entry.certificate === 'string') {
        cleaned[which] = { ...entry, certificate: certificatePemOnly(entry.certificate, kind, now) };
      }
    }
    x509[slot] = cleaned;
  }
  return { ...attestation, x509 };
}
