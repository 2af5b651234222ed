// When certificates run out: the earliest end of validity among an attestation's X.509 certificates
// (as the service reports them in `info.notAfterUtc`) and the words for it. Plain data, no vscode.
import type { AttestationMechanism, X509Certificates } from '../dps/models';

/** Certificates that end within this many days are flagged before they stop devices. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateExpiry {
  /** Whole days left; negative once expired. */
  daysLeft: number;
  notAfter: string;
  /** Which certificate: "primary client certificate", "secondary signing certificate", … */
  which: string;
  subjectName?: string;
}

/** Whole days from `now` to `notAfter` (rounded down); negative when it lies in the past. */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** When one certificate ends, from the service's `info.notAfterUtc`; undefined when that is no readable date. */
export function expiryOf(notAfterUtc: unknown, which: string, now: Date = new Date()): CertificateExpiry | undefined {
  const end = typeof notAfterUtc === 'string' ? new Date(notAfterUtc) : undefined;
  if (!end || Number.isNaN(end.getTime())) return undefined;
  return { daysLeft: daysUntil(end, now), notAfter: end.toISOString(), which };
}

/** The certificate of an X.509 attestation that ends first, or undefined when none has a readable date. */
export function earliestExpiry(attestation: AttestationMechanism | undefined, now: Date = new Date()): CertificateExpiry | undefined {
  const x509 = attestation?.type === 'x509' ? attestation.x509 : undefined;
  if (!x509) return undefined;
  let earliest: CertificateExpiry | undefined;
  const consider = (set: X509Certificates | undefined, role: string): void => {
    for (const slot of ['primary', 'secondary'] as const) {
      const info = set?.[slot]?.info;
      const expiry = expiryOf(info?.notAfterUtc, `${slot} ${role} certificate`, now);
      if (!expiry || (earliest && expiry.daysLeft >= earliest.daysLeft)) continue;
      earliest = { ...expiry, ...(typeof info?.subjectName === 'string' ? { subjectName: info.subjectName } : {}) };
    }
  };
  consider(x509.clientCertificates, 'client');
  consider(x509.signingCertificates, 'signing');
  return earliest;
}

/** Expired, or ending within EXPIRY_WARNING_DAYS. */
export function needsExpiryWarning(expiry: CertificateExpiry | undefined): expiry is CertificateExpiry {
  return expiry !== undefined && expiry.daysLeft < EXPIRY_WARNING_DAYS;
}

/** "expired 3 days ago", "expires today", "expires in 1 day", "expires in 26 days". */
export function expiryPhrase(daysLeft: number): string {
  if (daysLeft < 0) {
    const ago = -daysLeft;
    return ago === 1 ? 'expired 1 day ago' : `expired ${ago} days ago`;
  }
  if (daysLeft === 0) return 'expires today';
  return daysLeft === 1 ? 'expires in 1 day' : `expires in ${daysLeft} days`;
}
