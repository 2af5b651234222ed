// A device's CSR on register (device api-version 2026-11-01): the enrollment (or its group) must
// reference a certificate policy of the linked ADR namespace; then the CSR is checked and a chain
// issued from that certificate authority.
import { CertificateIssuer, CsrError } from '../adr/certificateIssuer';
import { findPolicy, type AdrLink } from '../adr/adrLink';
import type { AuthenticatedDevice } from './authenticate';

export async function issueForCsr(device: AuthenticatedDevice, csr: unknown, link: AdrLink | undefined, issuer: CertificateIssuer | undefined): Promise<string[]> {
  const { enrollment, registrationId } = device;
  const what = device.enrollmentGroupId === undefined ? `Enrollment '${registrationId}'` : `Enrollment group '${device.enrollmentGroupId}'`;
  const ca = enrollment.certificateAuthorityName;
  const policy = enrollment.certificatePolicyName;
  if (typeof ca !== 'string' || typeof policy !== 'string' || typeof enrollment.namespaceName !== 'string') {
    throw new CsrError(`${what} references no certificate policy, so no certificate can be issued for a CSR; register without csr or set the enrollment's certificate policy.`);
  }
  if (link === undefined || issuer === undefined || enrollment.namespaceName.toLowerCase() !== link.namespace.toLowerCase() || findPolicy(link, ca, policy) === undefined) {
    throw new CsrError(`${what} references certificate policy '${enrollment.namespaceName}/${ca}/${policy}', which this provisioning service's linked Device Registry namespace does not have.`);
  }
  const request = await CertificateIssuer.readCsr(csr, registrationId);
  return await issuer.issue(ca, request, registrationId);
}
