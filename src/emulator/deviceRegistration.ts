// A small stand-in for the device API, for symmetric-key devices only, so registration states can
// come from a real flow:
//   PUT /{idScope}/registrations/{registrationId}/register?api-version=2021-06-01
//   Authorization: SharedAccessSignature sr={idScope}/registrations/{registrationId}&sig=..&se=..[&skn=registration]
// The token must be signed with the individual enrollment's primary/secondary key, or with the
// device key derived from a symmetric-key group (base64 HMAC-SHA256 of the registration id under
// the decoded group key). Any idScope is accepted. Unlike the real service, which answers 202
// "assigning" and lets the device poll, this answers at once with the final state.
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import { EmulatorError, ErrorCodes, badRequest, unauthorized } from './errors';
import { assertValidId, keyOf } from './ids';
import { parseSasToken, safeDecode, signedWith } from './sasVerifier';
import type { EmulatorStore } from './store';
import { isObject, parseJsonBody } from './validation';

export const DEVICE_API_VERSIONS = ['2021-06-01', '2019-03-31'];
export const DEFAULT_ASSIGNED_HUB = 'emulated-hub.azure-devices.net';

export interface DeviceRegistrationResult {
  operationId: string;
  status: string;
  registrationState: DeviceRegistrationState;
}

/** The device key of a group member: base64 HMAC-SHA256 of the registration id under the group key. */
export function deriveDeviceKey(groupKey: string, registrationId: string): string {
  return createHmac('sha256', Buffer.from(groupKey, 'base64')).update(registrationId, 'utf8').digest('base64');
}

function keysOf(e: IndividualEnrollment | EnrollmentGroup): string[] {
  if (e.attestation.type !== 'symmetricKey') return [];
  const k = e.attestation.symmetricKey;
  return [k?.primaryKey, k?.secondaryKey].filter((x): x is string => typeof x === 'string' && x !== '');
}

function pickHub(e: IndividualEnrollment | EnrollmentGroup, registrationId: string): string {
  const hubs = e.iotHubs ?? (e.iotHubHostName !== undefined ? [e.iotHubHostName] : []);
  if (hubs.length === 0) return DEFAULT_ASSIGNED_HUB;
  // 'hashed' allocation: a stable spread of devices over the hubs.
  const hash = createHmac('sha256', 'hub').update(keyOf(registrationId)).digest().readUInt32BE(0);
  return hubs[hash % hubs.length];
}

export function registerDevice(
  store: EmulatorStore,
  idScope: string,
  routeId: string | undefined,
  headers: IncomingHttpHeaders,
  body: Buffer,
  nowMs = Date.now(),
): DeviceRegistrationResult {
  const registrationId = assertValidId(routeId, 'registrationId');
  if (body.length > 0) {
    const parsed = parseJsonBody(body);
    if (!isObject(parsed)) throw badRequest('The registration body must be a JSON object.');
    if (typeof parsed.registrationId === 'string' && keyOf(parsed.registrationId) !== keyOf(registrationId)) {
      throw badRequest('registrationId in the body does not match the path.', ErrorCodes.idMismatch);
    }
  }
  const auth = typeof headers.authorization === 'string' ? headers.authorization.trim() : '';
  if (auth === '') throw unauthorized('Authorization header is missing.');
  const token = parseSasToken(auth, false);
  if (safeDecode(token.sr).toLowerCase() !== `${idScope}/registrations/${registrationId}`.toLowerCase()) {
    throw unauthorized('The token resource (sr) must be {idScope}/registrations/{registrationId}.');
  }
  if (token.se <= Math.floor(nowMs / 1000)) throw unauthorized('The SharedAccessSignature token has expired.');

  let source: IndividualEnrollment | EnrollmentGroup | undefined;
  let groupId: string | undefined;
  const individual = store.enrollments.get(registrationId);
  if (individual !== undefined) {
    if (keysOf(individual).some((k) => signedWith(token, k))) source = individual;
  } else {
    for (const g of store.enrollmentGroups.list()) {
      if (keysOf(g).some((k) => signedWith(token, deriveDeviceKey(k, registrationId)))) {
        source = g;
        groupId = g.enrollmentGroupId;
        break;
      }
    }
  }
  if (source === undefined) throw unauthorized('No symmetric-key enrollment or group accepts this device signature.');

  const disabled = source.provisioningStatus === 'disabled';
  const state: DeviceRegistrationState & { registrationId: string } = disabled
    ? { registrationId, status: 'disabled' }
    : {
        registrationId,
        assignedHub: pickHub(source, registrationId),
        deviceId: 'deviceId' in source && typeof source.deviceId === 'string' ? source.deviceId : registrationId,
        status: 'assigned',
        substatus: 'initialAssignment',
      };
  const record = store.upsertRegistration(state, groupId, new Date(nowMs));
  return { operationId: `4.${randomUUID()}`, status: record.state.status ?? 'assigned', registrationState: record.state };
}

export function checkDeviceApiVersion(version: string | null): void {
  if (version === null || !DEVICE_API_VERSIONS.includes(version)) {
    throw new EmulatorError(400, ErrorCodes.invalidApiVersion,
      `The device API needs api-version ${DEVICE_API_VERSIONS.join(' or ')}.`);
  }
}
