// View-wide filter over what is already loaded: no page is fetched again when it changes.
import type { AttestationType, EnrollmentGroup, IndividualEnrollment, ProvisioningStatus } from '../dps/models';

export interface EnrollmentFilter {
  idPrefix?: string;
  attestationTypes?: AttestationType[];
  status?: ProvisioningStatus;
}

export function isFilterActive(filter: EnrollmentFilter): boolean {
  return Boolean(filter.idPrefix) || (filter.attestationTypes?.length ?? 0) > 0 || filter.status !== undefined;
}

export function enrollmentId(item: IndividualEnrollment | EnrollmentGroup): string {
  return typeof item.registrationId === 'string' ? item.registrationId : String(item.enrollmentGroupId);
}

export function matchesFilter(item: IndividualEnrollment | EnrollmentGroup, filter: EnrollmentFilter): boolean {
  if (filter.idPrefix && !enrollmentId(item).toLowerCase().startsWith(filter.idPrefix.toLowerCase())) return false;
  if (filter.attestationTypes && filter.attestationTypes.length > 0 && !filter.attestationTypes.includes(item.attestation?.type)) {
    return false;
  }
  if (filter.status !== undefined) {
    const status: ProvisioningStatus = item.provisioningStatus === 'disabled' ? 'disabled' : 'enabled';
    if (status !== filter.status) return false;
  }
  return true;
}

/** Short text for the view's description, e.g. "id: dev-* · x509 · disabled". */
export function describeFilter(filter: EnrollmentFilter): string {
  const parts: string[] = [];
  if (filter.idPrefix) parts.push(`id: ${filter.idPrefix}*`);
  if (filter.attestationTypes && filter.attestationTypes.length > 0) parts.push(filter.attestationTypes.join(', '));
  if (filter.status) parts.push(filter.status);
  return parts.length > 0 ? `Filter: ${parts.join(' · ')}` : '';
}
