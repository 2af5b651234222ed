// The CA reference picker's list: the instance's CA certificates, read through ARM by the host (the
// page never talks to Azure). A group may only reference a verified CA, so an unverified or expired
// one is listed with the reason it cannot be picked. A connection without ARM ids, or a failed read,
// gives no list and a note; the page then takes typed names as before.
import type { CaCertificate } from '../azure/armModels';
import { caCertificateStatus } from '../tree/caCertificateStatus';
import type { CaCertificateChoice, CaCertificatesMessage } from './protocol';

/** undefined: the connection has no Azure link, so there is nothing to read. */
export type CaCertificateSource = () => Promise<readonly CaCertificate[] | undefined>;

export const NO_ARM_CA_NOTE = 'Type the CA names: this connection was not added from Azure, so its CA certificates are not known here.';
export const NOT_VERIFIED = 'not verified: verify it first';
export const EXPIRED = 'expired: upload and verify its renewal';

/** What the picker shows of one certificate: no body, no thumbprint, nothing the page does not show. */
export function caCertificateChoice(certificate: CaCertificate, now: Date = new Date()): CaCertificateChoice {
  const status = caCertificateStatus(certificate, now);
  const expired = status.daysLeft !== undefined && status.daysLeft < 0;
  const unavailable = expired ? EXPIRED : status.verified ? undefined : NOT_VERIFIED;
  return {
    name: certificate.name,
    ...(certificate.subject ? { subject: certificate.subject } : {}),
    ...(status.expiryText ? { expiryText: status.expiryText } : {}),
    verified: status.verified,
    expired,
    warn: status.warn,
    ...(unavailable ? { unavailable } : {}),
  };
}

/** Pickable certificates first, each part by name. */
export function caCertificateChoices(certificates: readonly CaCertificate[], now: Date = new Date()): CaCertificateChoice[] {
  const byName = (a: CaCertificateChoice, b: CaCertificateChoice): number => a.name.localeCompare(b.name);
  const choices = certificates.map((c) => caCertificateChoice(c, now));
  return [...choices.filter((c) => !c.unavailable).sort(byName), ...choices.filter((c) => c.unavailable).sort(byName)];
}

export async function caCertificatesAnswer(requestId: string, source: CaCertificateSource | undefined, log: { warn(message: string): void }, now: () => Date = () => new Date()): Promise<CaCertificatesMessage> {
  const none = (note: string): CaCertificatesMessage => ({ type: 'caCertificates', requestId, certificates: [], note });
  if (!source) return none(NO_ARM_CA_NOTE);
  let certificates: readonly CaCertificate[] | undefined;
  try {
    certificates = await source();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn(`Enrollment form: could not read the CA certificates: ${reason}`);
    return none(`Could not read the CA certificates (${reason.replace(/[.\s]+$/, '')}). Type the CA names.`);
  }
  if (certificates === undefined) return none(NO_ARM_CA_NOTE);
  if (certificates.length === 0) return none('This instance has no CA certificate yet: upload one and verify it (CA Certificates in the tree), or type a name.');
  const choices = caCertificateChoices(certificates, now());
  const answer: CaCertificatesMessage = { type: 'caCertificates', requestId, certificates: choices };
  if (choices.every((c) => c.unavailable)) answer.note = 'No CA certificate of this instance can be referenced yet: a group needs a verified, unexpired one.';
  return answer;
}

/** Why a group cannot be created with this CA (the "with This CA" command), or undefined when it can. */
export function caReferenceRefusal(certificate: CaCertificate, now: Date = new Date()): string | undefined {
  const choice = caCertificateChoice(certificate, now);
  if (choice.expired) return `The CA certificate "${certificate.name}" ${choice.expiryText ?? 'has expired'}: upload its renewal and verify that, then create the group with it.`;
  if (!choice.verified) return `The CA certificate "${certificate.name}" is not verified: verify it first (Verify CA Certificate (Proof of Possession)… on its row), then create the group with it.`;
  return undefined;
}
