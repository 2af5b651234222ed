// The device API's paths (DPS device.json, 2021-06-01 and later):
//   PUT  /{idScope}/registrations/{registrationId}/register
//   GET  /{idScope}/registrations/{registrationId}/operations/{operationId}
//   POST /{idScope}/registrations/{registrationId}            (status lookup)
// Returns undefined for any other path, so the service API's router sees it.
import { EmulatorError, ErrorCodes } from '../errors';

export type DeviceRouteKind = 'register' | 'operationStatus' | 'registrationStatus';

export interface DeviceRoute {
  kind: DeviceRouteKind;
  idScope: string;
  registrationId: string;
  operationId?: string;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new EmulatorError(400, ErrorCodes.badRequest, 'The request path is not valid URL encoding.');
  }
}

function only(method: string, allowed: string): void {
  if (method !== allowed) {
    throw new EmulatorError(405, ErrorCodes.methodNotAllowed, `Method ${method} is not allowed on this resource.`, { allow: allowed });
  }
}

export function matchDeviceRoute(method: string, pathname: string): DeviceRoute | undefined {
  const raw = pathname.split('/').filter((s) => s.length > 0);
  const seg = raw.map((s) => s.toLowerCase());
  // The service API owns /registrations/...; the device API puts the ID scope first.
  if (seg.length < 3 || seg[1] !== 'registrations' || seg[0] === 'registrations') return undefined;
  const m = method.toUpperCase();
  const base = { idScope: decode(raw[0]), registrationId: decode(raw[2]) };
  if (seg.length === 3) {
    only(m, 'POST');
    return { kind: 'registrationStatus', ...base };
  }
  if (seg.length === 4 && seg[3] === 'register') {
    only(m, 'PUT');
    return { kind: 'register', ...base };
  }
  if (seg.length === 5 && seg[3] === 'operations') {
    only(m, 'GET');
    return { kind: 'operationStatus', ...base, operationId: decode(raw[4]) };
  }
  return undefined;
}
