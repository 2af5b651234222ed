// Errors of the device API: the same body as the service API ({errorCode, trackingId, message,
// timestampUtc}) with codes seen from the live service where known (401002 unauthorized).
import { EmulatorError, ErrorCodes } from '../errors';

export const DeviceErrorCodes = {
  unauthorized: ErrorCodes.unauthorized,
  operationNotFound: 404204,
  registrationNotFound: 404202,
  // Registration-state error codes (unverified: the service publishes no table).
  enrollmentDisabled: 401003,
  customAllocationFailed: 400209,
  noLinkedHub: 400208,
  /** A CSR that cannot be issued (bad encoding, CN, key or signature, or no policy): unverified code. */
  invalidCsr: ErrorCodes.invalidArgument,
} as const;

export const deviceUnauthorized = (message: string): EmulatorError =>
  new EmulatorError(401, DeviceErrorCodes.unauthorized, message);
