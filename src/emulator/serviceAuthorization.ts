// Authorization of service-API requests: a SharedAccessSignature (checked by sasVerifier) or a
// Microsoft Entra bearer token from the emulator's issuer, whose role must allow the operation:
// Data Reader reads, Data Contributor reads and writes.
import { EmulatorError } from './errors';
import type { OperationId } from './routes';
import { verifyServiceAuthorization, type ServiceSasPolicy } from './sasVerifier';
import { DATA_CONTRIBUTOR, DATA_READER, DPS_AUDIENCE, TokenRejection, type TokenIssuer } from './tokenIssuer';

/** No live recording shows the RBAC refusal body; the code follows the emulator's status+3-digit pattern (unverified). */
export const FORBIDDEN_ERROR_CODE = 403002;
const UNAUTHORIZED_ERROR_CODE = 401002;

const WRITES: ReadonlySet<OperationId> = new Set<OperationId>([
  'IndividualEnrollment_CreateOrUpdate',
  'IndividualEnrollment_Delete',
  'IndividualEnrollment_RunBulkOperation',
  'EnrollmentGroup_CreateOrUpdate',
  'EnrollmentGroup_Delete',
  'EnrollmentGroup_RunBulkOperation',
  'DeviceRegistrationState_Delete',
]);

export function authorizeServiceRequest(header: string | undefined, operationId: OperationId, sas: ServiceSasPolicy, issuer: TokenIssuer): void {
  if (header === undefined || !/^Bearer\s/i.test(header)) {
    verifyServiceAuthorization(header, sas);
    return;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer === null) throw new EmulatorError(401, UNAUTHORIZED_ERROR_CODE, 'Microsoft Entra authentication failed: the Authorization header is not "Bearer <token>".');
  let roles: string[];
  try {
    roles = issuer.verify(bearer[1], DPS_AUDIENCE).roles;
  } catch (error) {
    const reason = error instanceof TokenRejection ? error.message : 'The bearer token is not valid.';
    throw new EmulatorError(401, UNAUTHORIZED_ERROR_CODE, `Microsoft Entra authentication failed: ${reason}`);
  }
  const write = WRITES.has(operationId);
  const allowed = roles.includes(DATA_CONTRIBUTOR) || (!write && roles.includes(DATA_READER));
  if (!allowed) {
    throw new EmulatorError(403, FORBIDDEN_ERROR_CODE, `The principal does not have the role needed for ${operationId}: ${write ? DATA_CONTRIBUTOR : `${DATA_READER} or ${DATA_CONTRIBUTOR}`}.`);
  }
}
