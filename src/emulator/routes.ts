// Maps method + path to one of the 15 service operations (the device API routes itself: device/deviceRoutes.ts).
// Path segments match case-insensitively, as the service does (the Node SDK sends /enrollmentgroups/).
import { EmulatorError, ErrorCodes } from './errors';

export type OperationId =
  | 'IndividualEnrollment_Get'
  | 'IndividualEnrollment_CreateOrUpdate'
  | 'IndividualEnrollment_Delete'
  | 'IndividualEnrollment_GetAttestationMechanism'
  | 'IndividualEnrollment_Query'
  | 'IndividualEnrollment_RunBulkOperation'
  | 'EnrollmentGroup_Get'
  | 'EnrollmentGroup_CreateOrUpdate'
  | 'EnrollmentGroup_Delete'
  | 'EnrollmentGroup_GetAttestationMechanism'
  | 'EnrollmentGroup_Query'
  | 'EnrollmentGroup_RunBulkOperation'
  | 'DeviceRegistrationState_Get'
  | 'DeviceRegistrationState_Delete'
  | 'DeviceRegistrationState_Query';

export interface RouteMatch {
  operationId: OperationId;
  /** The decoded `{id}` path parameter, when the route has one. */
  id?: string;
}

type Table = Record<string, OperationId>;

const COLLECTIONS: Record<string, { prefix: 'IndividualEnrollment' | 'EnrollmentGroup' }> = {
  enrollments: { prefix: 'IndividualEnrollment' },
  enrollmentgroups: { prefix: 'EnrollmentGroup' },
};

function pick(table: Table, method: string): OperationId {
  const op = table[method];
  if (op === undefined) {
    throw new EmulatorError(405, ErrorCodes.methodNotAllowed, `Method ${method} is not allowed on this resource.`, {
      allow: Object.keys(table).join(', '),
    });
  }
  return op;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new EmulatorError(400, ErrorCodes.badRequest, 'The request path is not valid URL encoding.');
  }
}

export function matchRoute(method: string, pathname: string): RouteMatch {
  const raw = pathname.split('/').filter((s) => s.length > 0);
  const seg = raw.map((s) => s.toLowerCase());
  const notFound = (): never => {
    throw new EmulatorError(404, ErrorCodes.routeNotFound, `No operation exists at ${method} ${pathname}.`);
  };
  const m = method.toUpperCase();

  const collection = seg[0] === undefined ? undefined : COLLECTIONS[seg[0]];
  if (collection !== undefined) {
    const p = collection.prefix;
    if (seg.length === 1) return { operationId: pick({ POST: `${p}_RunBulkOperation` }, m) };
    if (seg.length === 2 && seg[1] === 'query' && m === 'POST') return { operationId: `${p}_Query` };
    const id = decodeSegment(raw[1]);
    if (seg.length === 2) {
      return { operationId: pick({ GET: `${p}_Get`, PUT: `${p}_CreateOrUpdate`, DELETE: `${p}_Delete` }, m), id };
    }
    if (seg.length === 3 && seg[2] === 'attestationmechanism') {
      return { operationId: pick({ POST: `${p}_GetAttestationMechanism` }, m), id };
    }
    return notFound();
  }
  if (seg[0] === 'registrations' && seg.length >= 2) {
    const id = decodeSegment(raw[1]);
    if (seg.length === 2) {
      return { operationId: pick({ GET: 'DeviceRegistrationState_Get', DELETE: 'DeviceRegistrationState_Delete' }, m), id };
    }
    if (seg.length === 3 && seg[2] === 'query') return { operationId: pick({ POST: 'DeviceRegistrationState_Query' }, m), id };
    return notFound();
  }
  return notFound();
}
