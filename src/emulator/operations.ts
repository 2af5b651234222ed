// The 15 service operations of api-version 2021-10-01, as functions from a parsed request to a
// status, body and headers. Authentication, quota and faults are handled before these run.
import type { IncomingHttpHeaders } from 'node:http';
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import type { ItemCollection } from '../dps/itemKind';
import { publicAttestation } from './attestation';
import { parseBulkRequest, runBulk } from './bulk';
import { EmulatorError, ErrorCodes, badRequest } from './errors';
import { assertValidId, keyOf } from './ids';
import type { PageRequest } from './paging';
import type { RouteMatch } from './routes';
import type { EmulatorStore } from './store';
import { isObject, parseJsonBody, validateEnrollmentGroup, validateIndividualEnrollment } from './validation';

export interface ServiceRequest {
  route: RouteMatch;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ServiceResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface OperationContext {
  store: EmulatorStore;
  maxPageSize: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function requireId(route: RouteMatch, label: string): string {
  return assertValidId(route.id, label);
}

export type ViewKind = 'get' | 'query' | 'put';

/**
 * An individual enrollment as a response shows it (recording test_enrollment_symmetrickey_lifecycle):
 * - PUT echoes symmetric keys; GET and query leave the `symmetricKey` member out.
 * - GET carries `registrationState`: `{registrationId, status: "unassigned"}` until a device has
 *   registered, then the real state. PUT and query responses of unregistered enrollments carry
 *   none; once registered they carry the real state (unverified: no recording shows it).
 */
export function enrollmentView(store: EmulatorStore, e: IndividualEnrollment, kind: ViewKind = 'get'): IndividualEnrollment {
  const view: IndividualEnrollment = { ...e, attestation: publicAttestation(e.attestation, { withKeys: kind === 'put' }) };
  const reg = store.individualRegistration(e.registrationId);
  if (reg !== undefined) view.registrationState = reg.state;
  else if (kind === 'get') view.registrationState = { registrationId: e.registrationId, status: 'unassigned' };
  return view;
}

/** A group as a response shows it: keys only in PUT responses (test_enrollment_group_symmetrickey_lifecycle). */
export function groupView(g: EnrollmentGroup, kind: ViewKind = 'get'): EnrollmentGroup {
  return { ...g, attestation: publicAttestation(g.attestation, { withKeys: kind === 'put' }) };
}

function requireQuerySpecification(body: Buffer): void {
  const spec = parseJsonBody(body);
  if (!isObject(spec) || typeof spec.query !== 'string' || spec.query.trim() === '') {
    throw badRequest('The body must be a QuerySpecification: {"query": "*"}.');
  }
}

/** The page a query asks for: its size and continuation headers, within the emulator's largest page. */
function pageRequest(ctx: OperationContext, req: ServiceRequest, scope: string): PageRequest {
  return { scope, maxItemCount: header(req.headers, 'x-ms-max-item-count'), continuation: header(req.headers, 'x-ms-continuation'), maxPageSize: ctx.maxPageSize };
}

/** Query answers carry x-ms-item-type and, except on the last page, x-ms-continuation; they do not
 * echo x-ms-max-item-count (recordings test_individual_enrollment_paging, test_device_registration_lifecycle). */
function pageResponse<T>(page: { items: T[]; continuation?: string }, itemType: string): ServiceResponse {
  const headers: Record<string, string> = { 'x-ms-item-type': itemType };
  if (page.continuation !== undefined) headers['x-ms-continuation'] = page.continuation;
  return { status: 200, body: page.items, headers };
}

function bulk(ctx: OperationContext, req: ServiceRequest, collection: ItemCollection): ServiceResponse {
  const parsed = parseBulkRequest(parseJsonBody(req.body), collection);
  const errors = runBulk(ctx.store, collection, parsed);
  const field = collection === 'enrollments' ? 'registrationId' : 'enrollmentGroupId';
  return {
    status: 200,
    body: {
      isSuccessful: errors.length === 0,
      errors: errors.map((e) => ({ [field]: e.id, errorCode: e.errorCode, errorStatus: e.errorStatus })),
    },
  };
}

type Handler = (ctx: OperationContext, req: ServiceRequest) => ServiceResponse;

const ifMatchOf = (req: ServiceRequest) => header(req.headers, 'if-match');

export const operations: Record<Exclude<RouteMatch['operationId'], 'Device_Register'>, Handler> = {
  IndividualEnrollment_Get: (ctx, req) => ({
    status: 200,
    body: enrollmentView(ctx.store, ctx.store.enrollments.require(requireId(req.route, 'registrationId'))),
  }),
  IndividualEnrollment_CreateOrUpdate: (ctx, req) => {
    const id = requireId(req.route, 'registrationId');
    const record = validateIndividualEnrollment(parseJsonBody(req.body), id, ctx.store.enrollments.get(id));
    const stored = ctx.store.enrollments.put(record, { ifMatch: ifMatchOf(req) });
    return { status: 200, body: enrollmentView(ctx.store, stored, 'put') };
  },
  IndividualEnrollment_Delete: (ctx, req) => {
    ctx.store.deleteEnrollment(requireId(req.route, 'registrationId'), ifMatchOf(req));
    return { status: 204 };
  },
  IndividualEnrollment_GetAttestationMechanism: (ctx, req) => ({
    status: 200,
    body: ctx.store.enrollments.require(requireId(req.route, 'registrationId')).attestation,
  }),
  IndividualEnrollment_Query: (ctx, req) => {
    requireQuerySpecification(req.body);
    const page = ctx.store.enrollments.page(pageRequest(ctx, req, 'enrollments'));
    return pageResponse({ ...page, items: page.items.map((e) => enrollmentView(ctx.store, e, 'query')) }, 'Enrollment');
  },
  IndividualEnrollment_RunBulkOperation: (ctx, req) => bulk(ctx, req, 'enrollments'),

  EnrollmentGroup_Get: (ctx, req) => ({
    status: 200,
    body: groupView(ctx.store.enrollmentGroups.require(requireId(req.route, 'enrollmentGroupId'))),
  }),
  EnrollmentGroup_CreateOrUpdate: (ctx, req) => {
    const id = requireId(req.route, 'enrollmentGroupId');
    const record = validateEnrollmentGroup(parseJsonBody(req.body), id, ctx.store.enrollmentGroups.get(id));
    return { status: 200, body: groupView(ctx.store.enrollmentGroups.put(record, { ifMatch: ifMatchOf(req) }), 'put') };
  },
  EnrollmentGroup_Delete: (ctx, req) => {
    ctx.store.enrollmentGroups.delete(requireId(req.route, 'enrollmentGroupId'), ifMatchOf(req));
    return { status: 204 };
  },
  EnrollmentGroup_GetAttestationMechanism: (ctx, req) => ({
    status: 200,
    body: ctx.store.enrollmentGroups.require(requireId(req.route, 'enrollmentGroupId')).attestation,
  }),
  EnrollmentGroup_Query: (ctx, req) => {
    requireQuerySpecification(req.body);
    const page = ctx.store.enrollmentGroups.page(pageRequest(ctx, req, 'enrollmentGroups'));
    return pageResponse({ ...page, items: page.items.map((g) => groupView(g, 'query')) }, 'EnrollmentGroup');
  },
  EnrollmentGroup_RunBulkOperation: (ctx, req) => bulk(ctx, req, 'enrollmentGroups'),

  DeviceRegistrationState_Get: (ctx, req) => ({
    status: 200,
    body: ctx.store.requireRegistration(requireId(req.route, 'registrationId')).state,
  }),
  DeviceRegistrationState_Delete: (ctx, req) => {
    ctx.store.deleteRegistration(requireId(req.route, 'registrationId'), ifMatchOf(req));
    return { status: 204 };
  },
  DeviceRegistrationState_Query: (ctx, req) => {
    const groupId = requireId(req.route, 'enrollmentGroupId');
    // The spec defines no body; the Node SDK sends a QuerySpecification. Accept both, but not garbage.
    if (req.body.length > 0) parseJsonBody(req.body);
    if (ctx.store.registrationCountOfGroup(groupId) === 0 && ctx.store.enrollmentGroups.get(groupId) === undefined) {
      throw new EmulatorError(404, ErrorCodes.enrollmentGroupNotFound, `Enrollment group '${groupId}' does not exist.`);
    }
    const page = ctx.store.registrationPageOfGroup(groupId, pageRequest(ctx, req, `registrations:${keyOf(groupId)}`));
    const items: DeviceRegistrationState[] = page.items.map((r) => r.state);
    return pageResponse({ ...page, items }, 'DeviceRegistration');
  },
};
