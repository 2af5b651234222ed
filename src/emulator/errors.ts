// The service's error shape: an HTTP status plus a ProvisioningServiceErrorDetails body whose
// errorCode is six digits starting with the status (e.g. 404201), mirrored in `x-ms-error-code`.
import { randomUUID } from 'node:crypto';
import type { ProvisioningServiceErrorDetails } from '../dps/models';

/** Error codes the emulator uses. The service publishes no table; these follow the observed pattern. */
export const ErrorCodes = {
  badRequest: 400001,
  invalidApiVersion: 400002,
  malformedJson: 400003,
  invalidArgument: 400004,
  /** The live code for an EK that is not a TPM2B_PUBLIC (Azure/azure-iot-sdk-c issues 937, 1955). */
  invalidEndorsementKey: 400004,
  invalidId: 400005,
  idMismatch: 400006,
  invalidAttestation: 400007,
  invalidCertificate: 400008,
  invalidContinuation: 400009,
  bulkTooLarge: 400010,
  bulkDuplicateIds: 400011,
  jsonTooDeep: 400012,
  unauthorized: 401002,
  enrollmentNotFound: 404201,
  registrationNotFound: 404202,
  enrollmentGroupNotFound: 404203,
  routeNotFound: 404001,
  methodNotAllowed: 405001,
  /** Recorded per-item bulk codes: 409201 "Enrollment already exists.", 409202 "EnrollmentGroup already exists.". */
  conflict: 409201,
  enrollmentGroupConflict: 409202,
  preconditionFailed: 412002,
  payloadTooLarge: 413001,
  unsupportedMediaType: 415001,
  throttled: 429001,
  internal: 500001,
  unavailable: 503001,
} as const;

export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'EmulatorError';
  }
}

export const badRequest = (message: string, code: number = ErrorCodes.invalidArgument): EmulatorError =>
  new EmulatorError(400, code, message);

export const unauthorized = (message: string): EmulatorError =>
  new EmulatorError(401, ErrorCodes.unauthorized, message);

export function errorBody(error: EmulatorError, now = new Date()): ProvisioningServiceErrorDetails {
  return {
    errorCode: error.errorCode,
    trackingId: randomUUID(),
    message: error.message,
    timestampUtc: now.toISOString(),
  };
}
