// One certificate input checked for the kind of enrollment it is meant for: read, exactly one
// certificate (or a device's leaf-first chain, for individual enrollments), then the kind checks.
// Shared by the builders and the checks of whole attestation mechanisms.
import { checkCertificateFor, checkChainOrder } from './checks';
import { CertificateFacts, certificateFacts } from './facts';
import { AttestationProblem, forField, hasErrors, problem, warning } from './problems';
import { readCertificates, ReadCertificate } from './read';
import { ItemKind } from '../dps/items';

export interface CheckedCertificate {
  certificate: ReadCertificate | undefined;
  facts: CertificateFacts | undefined;
  problems: AttestationProblem[];
}

/** Reads exactly one certificate and checks it for the enrollment kind. */
export function checkedCertificate(input: string | Uint8Array, kind: ItemKind, field: string | undefined, now: Date): CheckedCertificate {
  const read = readCertificates(input);
  const problems = [...read.problems];
  const what = field === undefined ? 'The input' : `The ${field} input`;
  const tagged = (): AttestationProblem[] => (field === undefined ? problems : forField(problems, field));
  let certificates = read.certificates;
  if (certificates.length > 1 && kind === 'enrollment' && isLeafFirstChain(certificates, now)) {
    // A device's full-chain file (leaf first, then its issuers) is common; DPS wants only the leaf.
    problems.push(warning('multipleCertificates', `${what} holds a chain of ${certificates.length} certificates; only the first, the device certificate, is used.`));
    certificates = certificates.slice(0, 1);
  }
  if (certificates.length > 1) {
    const names = certificates.map((c) => certificateFacts(c.x509, now).commonName ?? '(no CN)').join('", "');
    const wanted = kind === 'group' ? 'the one root or intermediate CA certificate for this group' : "only the device's own certificate";
    problems.push(problem('multipleCertificates', `${what} holds ${certificates.length} certificates ("${names}"). Give ${wanted}.`));
    problems.push(...checkChainOrder(certificates.map((c) => c.x509)).problems);
    return { certificate: undefined, facts: undefined, problems: tagged() };
  }
  const certificate = certificates[0];
  if (certificate === undefined) {
    if (!hasErrors(problems)) problems.push(problem('noCertificate', `${what} contains no certificate.`));
    return { certificate, facts: undefined, problems: tagged() };
  }
  const facts = certificateFacts(certificate.x509, now);
  problems.push(...checkCertificateFor(kind, facts));
  return { certificate, facts, problems: tagged() };
}

function isLeafFirstChain(certificates: readonly ReadCertificate[], now: Date): boolean {
  const first = certificates[0];
  return first !== undefined && !certificateFacts(first.x509, now).isCA && checkChainOrder(certificates.map((c) => c.x509)).problems.length === 0;
}

