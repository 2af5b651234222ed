// What a CA certificate row says: verified or not, and when it ends, with the same 30-day warning
// the enrollment rows use (attestation/expiry.ts). Plain data, no vscode.
import type { CaCertificate } from '../azure/armModels';
import { daysUntil, expiryPhrase, EXPIRY_WARNING_DAYS } from '../attestation/expiry';

export interface CaCertificateStatus {
  verified: boolean;
  /** Whole days left (negative once expired); undefined when ARM gave no readable expiry. */
  daysLeft?: number;
  /** "expires in 12 days", "expired 3 days ago", "expires 2039-12-31". */
  expiryText?: string;
  /** Expired, or ending within EXPIRY_WARNING_DAYS. */
  warn: boolean;
  icon: { id: string; color?: string };
}

export function caCertificateStatus(certificate: CaCertificate, now: Date = new Date()): CaCertificateStatus {
  const end = certificate.expiry !== undefined ? new Date(certificate.expiry) : undefined;
  const daysLeft = end && !Number.isNaN(end.getTime()) ? daysUntil(end, now) : undefined;
  const warn = daysLeft !== undefined && daysLeft < EXPIRY_WARNING_DAYS;
  const expiryText = daysLeft === undefined ? undefined : warn ? expiryPhrase(daysLeft) : `expires ${end?.toISOString().slice(0, 10) ?? ''}`;
  const icon = warn
    ? daysLeft < 0 ? { id: 'error', color: 'errorForeground' } : { id: 'warning', color: 'list.warningForeground' }
    : certificate.isVerified ? { id: 'verified-filled', color: 'testing.iconPassed' } : { id: 'unverified' };
  return { verified: certificate.isVerified, ...(daysLeft !== undefined ? { daysLeft } : {}), ...(expiryText ? { expiryText } : {}), warn, icon };
}
