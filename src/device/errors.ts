// The one error of the device client: HTTP status, DPS errorCode, message and trackingId, plus a
// kind a UI can act on. It never carries a key, token or certificate.
export type DeviceErrorKind =
  | 'unauthorized' // 401: wrong key, certificate, ID scope, or TPM answer
  | 'notFound'
  | 'badRequest'
  | 'throttled'
  | 'service' // 5xx
  | 'failed' // the registration settled as 'failed'
  | 'disabled' // the enrollment or group is disabled
  | 'timeout'
  | 'cancelled'
  | 'network'
  | 'protocol' // an answer the client cannot use
  | 'credential'; // the local credential is unusable (bad key, unreadable certificate, TPM error)

export class DeviceProvisioningError extends Error {
  constructor(
    readonly kind: DeviceErrorKind,
    message: string,
    readonly details: { status?: number; errorCode?: number; trackingId?: string; registrationId?: string } = {},
  ) {
    super(message);
    this.name = 'DeviceProvisioningError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get errorCode(): number | undefined {
    return this.details.errorCode;
  }

  get trackingId(): string | undefined {
    return this.details.trackingId;
  }
}

export function kindOfStatus(status: number): DeviceErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'notFound';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'service';
  return 'badRequest';
}
