// What each service api-version accepts of the ADR certificate-policy reference on enrollments and
// groups, and what it shows: 2026-11-01 checks all-or-none, the spec's name rules and that the
// instance is linked to that namespace with that policy; 2021-10-01 refuses the fields by name.
import { CERTIFICATE_POLICY_FIELDS, fieldsNewerThan, isApiVersion, type ApiVersion } from '../../dps/apiVersion';
import { EmulatorError, ErrorCodes, badRequest } from '../errors';
import { isObject } from '../validation';
import { certificatePolicyNameProblem as nameProblem } from '../../dps/certificatePolicy';
import { findPolicy, type AdrLink } from './adrLink';

/** Unverified text: no public source quotes the live message (see src/emulator/README.md). */
export const NAMESPACE_REQUIRED_MESSAGE =
  'A Device Registry Namespace is required to reference a certificate policy: link this provisioning service to an Azure Device Registry namespace first.';

export function requireServiceApiVersion(apiVersion: string | null): ApiVersion {
  const supported = 'use 2021-10-01 or 2026-11-01';
  if (apiVersion === null) throw new EmulatorError(400, ErrorCodes.invalidApiVersion, `The api-version query parameter is required (${supported}).`);
  if (!isApiVersion(apiVersion)) throw new EmulatorError(400, ErrorCodes.invalidApiVersion, `api-version '${apiVersion.slice(0, 40)}' is not supported; ${supported}.`);
  return apiVersion;
}

/** Checks each enrollment or group of a write body (single or bulk) against the version and the link. */
export function checkCertificatePolicyReferences(body: unknown, apiVersion: ApiVersion, link: AdrLink | undefined): void {
  for (const item of itemsOf(body)) checkItem(item, apiVersion, link);
}

function checkItem(item: Record<string, unknown>, apiVersion: ApiVersion, link: AdrLink | undefined): void {
  const newer = fieldsNewerThan(apiVersion, item);
  if (newer.length > 0) {
    throw badRequest(`${newer.join(', ')} ${newer.length > 1 ? 'are' : 'is'} not part of api-version ${apiVersion}; send ${newer.length > 1 ? 'them' : 'it'} with api-version 2026-11-01.`);
  }
  if (apiVersion !== '2026-11-01') return;
  const given = CERTIFICATE_POLICY_FIELDS.filter((f) => item[f] !== undefined && item[f] !== null);
  if (given.length === 0) return;
  if (given.length < CERTIFICATE_POLICY_FIELDS.length) {
    const missing = CERTIFICATE_POLICY_FIELDS.filter((f) => !given.includes(f));
    throw badRequest(`A certificate policy reference needs namespaceName, certificateAuthorityName and certificatePolicyName together; ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`);
  }
  for (const f of CERTIFICATE_POLICY_FIELDS) {
    const problem = nameProblem(f, item[f]);
    if (problem !== undefined) throw badRequest(problem);
  }
  if (link === undefined) throw badRequest(NAMESPACE_REQUIRED_MESSAGE);
  const ns = item.namespaceName as string;
  if (ns.toLowerCase() !== link.namespace.toLowerCase()) {
    throw badRequest(`namespaceName '${ns}' is not the Device Registry namespace this provisioning service is linked to ('${link.namespace}').`);
  }
  const ca = item.certificateAuthorityName as string;
  const policy = item.certificatePolicyName as string;
  if (findPolicy(link, ca, policy) === undefined) {
    throw badRequest(`Namespace '${link.namespace}' has no certificate policy '${policy}' under certificate authority '${ca}'.`);
  }
}

/** 2021-10-01 callers do not see fields of later versions (so their read-modify-write is not refused). */
export function viewForApiVersion(body: unknown, apiVersion: ApiVersion): unknown {
  if (apiVersion === '2026-11-01') return body;
  if (Array.isArray(body)) return body.map((b) => viewForApiVersion(b, apiVersion));
  if (!isObject(body) || !CERTIFICATE_POLICY_FIELDS.some((f) => f in body)) return body;
  const copy = { ...body };
  for (const f of CERTIFICATE_POLICY_FIELDS) delete copy[f];
  return copy;
}

function itemsOf(body: unknown): Record<string, unknown>[] {
  if (!isObject(body)) return [];
  const list = Array.isArray(body.enrollments) ? body.enrollments : Array.isArray(body.enrollmentGroups) ? body.enrollmentGroups : [body];
  return list.filter(isObject);
}
