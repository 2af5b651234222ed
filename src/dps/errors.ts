// The one error type of the DPS client. It is built only from safe facts (status, codes, the
// service's message, our own sentences): never from a raw axios error, whose config holds the
// Authorization header with the SAS token.
import { inspect } from 'node:util';

export type DpsErrorKind =
  | 'http'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'tls'
  | 'invalidResponse'
  | 'retriesExhausted';

export interface DpsErrorInit {
  kind: DpsErrorKind;
  message: string;
  operation: string;
  attempts?: number;
  status?: number;
  errorCode?: number;
  trackingId?: string;
  retryAfterMs?: number;
  /** Node/OpenSSL error code of a network or TLS failure, e.g. ECONNRESET. */
  causeCode?: string;
  /** For retriesExhausted: the kind of the last failure. */
  lastKind?: DpsErrorKind;
  /** Host of a network, TLS or timeout failure, so the message and its buttons can name it. */
  hostName?: string;
  /** Set on a 401/403 of a Microsoft Entra client: the fix is a role or a sign-in, not a key. */
  authKind?: 'sas' | 'entra';
}

/** HTTP statuses that mean "try again later" rather than "this request is wrong". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Socket-level failures worth retrying (the peer or the path was briefly unavailable). */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export class DpsError extends Error {
  override readonly name = 'DpsError';
  readonly kind: DpsErrorKind;
  readonly status?: number;
  readonly errorCode?: number;
  readonly trackingId?: string;
  readonly operation: string;
  readonly retryAfterMs?: number;
  readonly attempts: number;
  readonly causeCode?: string;
  readonly lastKind?: DpsErrorKind;
  readonly hostName?: string;
  readonly authKind?: 'sas' | 'entra';

  constructor(init: DpsErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.operation = init.operation;
    this.attempts = init.attempts ?? 1;
    if (init.status !== undefined) this.status = init.status;
    if (init.errorCode !== undefined) this.errorCode = init.errorCode;
    if (init.trackingId !== undefined) this.trackingId = init.trackingId;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.causeCode !== undefined) this.causeCode = init.causeCode;
    if (init.lastKind !== undefined) this.lastKind = init.lastKind;
    if (init.hostName !== undefined) this.hostName = init.hostName;
    if (init.authKind !== undefined) this.authKind = init.authKind;
  }

  /** Worth trying again later: throttling, server errors, resets and timeouts. */
  get isTransient(): boolean {
    switch (this.kind) {
      case 'http':
        return this.status !== undefined && TRANSIENT_STATUSES.has(this.status);
      case 'network':
        return this.causeCode === undefined || TRANSIENT_NETWORK_CODES.has(this.causeCode);
      case 'timeout':
      case 'retriesExhausted':
        return true;
      default:
        return false;
    }
  }

  /** The same failure after `attempts` tries (the retry loop counts; the error stays immutable). */
  withAttempts(attempts: number): DpsError {
    return new DpsError({ ...this.toInit(), attempts });
  }

  toInit(): DpsErrorInit {
    return {
      kind: this.kind,
      message: this.message,
      operation: this.operation,
      attempts: this.attempts,
      status: this.status,
      errorCode: this.errorCode,
      trackingId: this.trackingId,
      retryAfterMs: this.retryAfterMs,
      causeCode: this.causeCode,
      lastKind: this.lastKind,
      hostName: this.hostName,
      authKind: this.authKind,
    };
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, ...this.toInit() };
  }

  [inspect.custom](): string {
    const facts = Object.entries(this.toInit())
      .filter(([key, value]) => value !== undefined && key !== 'message')
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
    return `DpsError: ${this.message} { ${facts.join(', ')} }`;
  }
}

export function isDpsError(e: unknown): e is DpsError {
  return e instanceof DpsError;
}
