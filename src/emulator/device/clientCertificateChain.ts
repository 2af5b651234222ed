// X.509 device authentication from the TLS client certificate. The server requests a certificate
// but does not require one (so service-API clients are unaffected) and checks it here, per request:
// the device sends its chain up to, but not including, the CA registered with DPS.
import { X509Certificate, createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

const MAX_CHAIN = 10;

/** The certificates the client presented, leaf first; empty when it sent none (or on plain HTTP). */
export function presentedChain(socket: Socket): X509Certificate[] {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return [];
  let current: DetailedPeerCertificate | undefined = tls.getPeerCertificate(true);
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  while (current?.raw !== undefined && chain.length < MAX_CHAIN) {
    const fp = current.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    chain.push(new X509Certificate(current.raw));
    if (current.issuerCertificate === current) break;
    current = current.issuerCertificate;
  }
  return chain;
}

export function sha256Thumbprint(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('hex').toUpperCase();
}

/** Why a certificate is outside its validity period, or undefined when it is valid at `now`. */
export function validityProblem(certificate: X509Certificate, now: Date): string | undefined {
  if (Date.parse(certificate.validTo) < now.getTime()) return `expired on ${new Date(certificate.validTo).toISOString()}`;
  if (Date.parse(certificate.validFrom) > now.getTime()) return `not valid before ${new Date(certificate.validFrom).toISOString()}`;
  return undefined;
}

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * True when the presented chain leads from its leaf to one of `anchors`: each step is signed by
 * the next certificate the device sent (which must be a CA), and the last one by an anchor (or is
 * an anchor itself). Every certificate used must be valid at `now`.
 */
export function chainLeadsTo(chain: readonly X509Certificate[], anchors: readonly X509Certificate[], now: Date): boolean {
  const leaf = chain[0];
  if (leaf === undefined || anchors.length === 0) return false;
  const anchorPrints = new Set(anchors.map(sha256Thumbprint));
  let current = leaf;
  const used = new Set<X509Certificate>([leaf]);
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (validityProblem(current, now) !== undefined) return false;
    if (current !== leaf && anchorPrints.has(sha256Thumbprint(current))) return true;
    const anchor = anchors.find((a) => issued(current, a));
    if (anchor !== undefined) return validityProblem(anchor, now) === undefined;
    const next = chain.find((c) => !used.has(c) && c.ca && issued(current, c));
    if (next === undefined) return false;
    used.add(next);
    current = next;
  }
  return false;
}

/** The leaf's subject CN: DPS requires it to equal the registration id. */
export function commonName(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}
