// Checks that turn certificate facts into reasons a person understands: the wrong kind of
// certificate for the enrollment, a chain in the wrong order, a CN DPS will not accept, a date range
// that has passed.
import { X509Certificate } from 'node:crypto';
import { CertificateFacts } from './facts';
import { AttestationProblem, problem, warning } from './problems';
import { checkRegistrationId } from './registrationId';
import { daysUntil, EXPIRY_WARNING_DAYS, expiryPhrase } from './expiry';

/** Which kind of item a certificate or attestation is meant for; see src/dps/items.ts. */
export type { ItemKind } from '../dps/items';
import type { ItemKind } from '../dps/items';

export function checkValidity(facts: CertificateFacts, now: Date = new Date()): AttestationProblem[] {
  if (facts.validity === 'expired') {
    return [problem('expired', `The certificate "${label(facts)}" expired on ${facts.notAfter}. Devices cannot authenticate with it; issue a new one.`)];
  }
  if (facts.validity === 'notYetValid') {
    return [warning('notYetValid', `The certificate "${label(facts)}" is not valid until ${facts.notBefore}; devices cannot use it before then. Check the clock of the machine that issued it.`)];
  }
  const days = daysUntil(new Date(facts.notAfter), now);
  if (days < EXPIRY_WARNING_DAYS) {
    return [warning('expiringSoon', `The certificate "${label(facts)}" ${expiryPhrase(days)} (${facts.notAfter}). Devices stop authenticating then; plan a new one.`)];
  }
  return [];
}

export function checkKeyStrength(facts: CertificateFacts): AttestationProblem[] {
  if (facts.keyAlgorithm === 'RSA' && facts.keySize !== null && facts.keySize < 2048) {
    return [warning('weakKey', `The certificate "${label(facts)}" has a ${facts.keySize}-bit RSA key; use at least 2048 bits.`)];
  }
  return [];
}

/** A group enrollment needs the root or intermediate CA that signed the device certificates. */
export function checkGroupCertificate(facts: CertificateFacts): AttestationProblem[] {
  const problems: AttestationProblem[] = [];
  if (!facts.isCA) {
    problems.push(problem('leafForGroup', `"${label(facts)}" is a device (leaf) certificate, not a CA. An enrollment group needs the root or intermediate CA certificate that signed your device certificates; for one device, create an individual enrollment instead.`));
  }
  return [...problems, ...checkValidity(facts), ...checkKeyStrength(facts)];
}

/** An individual enrollment needs the device's own certificate; its CN is the registration id. */
export function checkIndividualCertificate(facts: CertificateFacts): AttestationProblem[] {
  const problems: AttestationProblem[] = [];
  if (facts.isCA) {
    problems.push(problem('caForIndividual', `"${label(facts)}" is a CA certificate. An individual enrollment needs the device's own (leaf) certificate; to enroll every device a CA signed, create an enrollment group with this CA instead.`));
  }
  if (facts.commonName === null) {
    problems.push(problem('missingCommonName', 'The certificate has no common name (CN). DPS uses the CN as the registration id, so the device certificate must have one.'));
  } else if (!facts.isCA) {
    problems.push(...checkRegistrationId(facts.commonName, { fromCommonName: true }));
  }
  return [...problems, ...checkValidity(facts), ...checkKeyStrength(facts)];
}

export function checkCertificateFor(kind: ItemKind, facts: CertificateFacts): AttestationProblem[] {
  return kind === 'group' ? checkGroupCertificate(facts) : checkIndividualCertificate(facts);
}

export interface ChainOrderResult {
  problems: AttestationProblem[];
  /** Indexes of the given certificates from leaf to root, when they form one chain. */
  order: number[] | null;
}

/**
 * A chain file lists the device certificate first and each issuer after the certificate it
 * signed (RFC 8446 §4.4.2, as DPS and TLS clients expect). Reports a chain given in another order
 * with the order that would work, and a chain with a missing link.
 */
export function checkChainOrder(certificates: readonly X509Certificate[]): ChainOrderResult {
  if (certificates.length < 2) return { problems: [], order: certificates.length === 1 ? [0] : null };
  const order = linkChain(certificates);
  if (order === null) {
    return {
      problems: [problem('chainBroken', 'The certificates do not form one chain: at least one certificate was not issued by any other in the file. Include every intermediate between the device certificate and the root.')],
      order: null,
    };
  }
  if (order.every((position, i) => position === i)) return { problems: [], order };
  const reversed = order.every((position, i) => position === certificates.length - 1 - i);
  const message = reversed
    ? 'The chain is in reverse order (root first). Put the device certificate first, then each intermediate, and the root last.'
    : `The chain is out of order. Put the certificates in this order: ${order.map((i) => `#${i + 1}`).join(', ')} (device certificate first, root last).`;
  return { problems: [problem('chainOrder', message)], order };
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Finds the leaf (issues nothing else in the set) and follows issuers; null if that fails. */
function linkChain(certificates: readonly X509Certificate[]): number[] | null {
  const n = certificates.length;
  const issuerOf = certificates.map((cert, i) =>
    certificates.findIndex((candidate, j) => j !== i && issued(candidate, cert)));
  const leaves = certificates.map((_, i) => i).filter((i) => !issuerOf.includes(i));
  if (leaves.length !== 1) return null;
  const order = [leaves[0] ?? 0];
  while (order.length < n) {
    const next = issuerOf[order[order.length - 1] ?? 0] ?? -1;
    if (next < 0 || order.includes(next)) return null;
    order.push(next);
  }
  return order;
}

function label(facts: CertificateFacts): string {
  return facts.commonName ?? facts.subject;
}
