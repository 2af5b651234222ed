// Request-body checks for enrollments and groups: specific 400s for wrong shapes; read-only fields
// dropped; unknown fields kept (newer API versions add fields).
import type { EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import type { ItemKind } from '../dps/itemKind';
import { normalizeAttestation } from './attestation';
import { ErrorCodes, badRequest } from './errors';
import { assertValidId, keyOf } from './ids';

const PROVISIONING_STATUS = ['enabled', 'disabled'];
const ALLOCATION_POLICY = ['hashed', 'geoLatency', 'static', 'custom'];
const READ_ONLY = ['createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState'];

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('A JSON request body is required.', ErrorCodes.malformedJson);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw badRequest('The request body is not valid JSON.', ErrorCodes.malformedJson);
  }
}

function checkEnum(body: Record<string, unknown>, field: string, allowed: string[]): void {
  const v = body[field];
  if (v !== undefined && v !== null && (typeof v !== 'string' || !allowed.includes(v))) {
    throw badRequest(`${field} must be one of ${allowed.join(', ')}.`);
  }
}

function checkBooleans(body: Record<string, unknown>, field: string, members: string[]): void {
  const v = body[field];
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw badRequest(`${field} must be an object.`);
  for (const m of members) {
    if (typeof v[m] !== 'boolean') throw badRequest(`${field}.${m} is required and must be true or false.`);
  }
}

function checkCommonFields(body: Record<string, unknown>): void {
  checkEnum(body, 'provisioningStatus', PROVISIONING_STATUS);
  checkEnum(body, 'allocationPolicy', ALLOCATION_POLICY);
  checkBooleans(body, 'capabilities', ['iotEdge']);
  checkBooleans(body, 'reprovisionPolicy', ['updateHubAssignment', 'migrateDeviceData']);
  const hubs = body.iotHubs;
  if (hubs !== undefined && hubs !== null && (!Array.isArray(hubs) || hubs.some((h) => typeof h !== 'string' || h === ''))) {
    throw badRequest('iotHubs must be an array of IoT hub host names.');
  }
  for (const f of ['iotHubHostName', 'deviceId', 'etag']) {
    if (body[f] !== undefined && body[f] !== null && typeof body[f] !== 'string') throw badRequest(`${f} must be a string.`);
  }
  const custom = body.customAllocationDefinition;
  if (custom !== undefined && custom !== null) {
    if (!isObject(custom) || typeof custom.webhookUrl !== 'string' || typeof custom.apiVersion !== 'string') {
      throw badRequest('customAllocationDefinition needs webhookUrl and apiVersion strings.');
    }
  }
  if (body.allocationPolicy === 'custom' && !isObject(custom)) {
    throw badRequest("allocationPolicy 'custom' needs a customAllocationDefinition.");
  }
  for (const f of ['initialTwin', 'optionalDeviceInformation']) {
    if (body[f] !== undefined && body[f] !== null && !isObject(body[f])) throw badRequest(`${f} must be an object.`);
  }
}

/** Fields sent as null come back as null (recorded for provisioningStatus in
 * test_enrollment_symmetrickey_lifecycle); every other null field is left out, as recorded there. */
const KEPT_WHEN_NULL = ['provisioningStatus'];

function withoutReadOnly(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!READ_ONLY.includes(k) && (v !== null || KEPT_WHEN_NULL.includes(k))) out[k] = v;
  }
  return out;
}

function checkPathId(pathId: string | undefined, bodyId: string, label: string): void {
  if (pathId !== undefined && keyOf(pathId) !== keyOf(bodyId)) {
    throw badRequest(`The ${label} in the body ('${bodyId}') does not match the one in the path ('${pathId}').`, ErrorCodes.idMismatch);
  }
}

/**
 * Validates an individual enrollment body. `pathId` is the id from the URL (absent in bulk);
 * `existing` is the stored record, whose keys/certificates are kept when the update omits them.
 * The result still lacks server-set fields (etag, timestamps).
 */
export function validateIndividualEnrollment(body: unknown, pathId?: string, existing?: IndividualEnrollment): IndividualEnrollment {
  return validateEnrollment(body, 'enrollment', pathId, existing?.attestation) as IndividualEnrollment;
}

export function validateEnrollmentGroup(body: unknown, pathId?: string, existing?: EnrollmentGroup): EnrollmentGroup {
  return validateEnrollment(body, 'group', pathId, existing?.attestation) as EnrollmentGroup;
}

function validateEnrollment(
  body: unknown,
  kind: ItemKind,
  pathId: string | undefined,
  existingAttestation: IndividualEnrollment['attestation'] | undefined,
): IndividualEnrollment | EnrollmentGroup {
  const label = kind === 'enrollment' ? 'registrationId' : 'enrollmentGroupId';
  const noun = kind === 'enrollment' ? 'individual enrollment' : 'enrollment group';
  if (!isObject(body)) throw badRequest(`The body must be a JSON object describing an ${noun}.`);
  const id = assertValidId(body[label], label);
  checkPathId(pathId, id, label);
  if (kind === 'group' && body.registrationId !== undefined) {
    throw badRequest('An enrollment group has enrollmentGroupId, not registrationId.');
  }
  checkCommonFields(body);
  const attestation = normalizeAttestation(body.attestation, kind, existingAttestation);
  return { ...withoutReadOnly(body), [label]: id, attestation } as unknown as IndividualEnrollment | EnrollmentGroup;
}
