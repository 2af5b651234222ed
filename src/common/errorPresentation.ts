// Turns any error into what a person should read and the buttons that help, in one place.
// No vscode import: the wrapper in errorHandler.ts shows the result, unit tests check the mapping.
import { redact } from './redact';

/** Buttons the error wrapper knows how to perform. */
export type ErrorAction = 'updateConnection' | 'refresh' | 'retry' | 'reloadAndCompare' | 'startEmulator' | 'showLogs';

export const actionLabels: Record<ErrorAction, string> = {
  updateConnection: 'Update Connection',
  refresh: 'Refresh',
  retry: 'Retry',
  reloadAndCompare: 'Reload and Compare',
  startEmulator: 'Start Emulator',
  showLogs: 'Show Logs',
};

export interface UserFacingError {
  /** null when the error is a cancellation: say nothing. */
  message: string | null;
  actions: ErrorAction[];
  /** One line for the log: operation, status, error code, tracking id. Never a secret. */
  logLine: string;
  /** True for 401/403: the connection string is wrong or lacks rights. */
  isAuth: boolean;
  /** For a throttled request: how long the service asked to wait before a retry. */
  retryAfterMs?: number;
}

/** The fields of the client's DpsError we rely on (structural, so this module stays free of the client). */
interface DpsErrorShape {
  name: string;
  message: string;
  kind: string;
  status?: number;
  errorCode?: number;
  trackingId?: string;
  operation?: string;
  retryAfterMs?: number;
  attempts?: number;
  causeCode?: string;
  lastKind?: string;
  hostName?: string;
  authKind?: string;
}

function isDpsErrorShape(e: unknown): e is DpsErrorShape {
  return e instanceof Error && typeof (e as Partial<DpsErrorShape>).kind === 'string' && e.name === 'DpsError';
}

/** The fields of the ARM client's ArmError we rely on (structural, like DpsErrorShape). */
interface ArmErrorShape {
  name: string;
  message: string;
  kind: string;
  operation: string;
  status?: number;
  code?: string;
  requestId?: string;
  retryAfterMs?: number;
}

function isArmErrorShape(e: unknown): e is ArmErrorShape {
  return e instanceof Error && e.name === 'ArmError' && typeof (e as Partial<ArmErrorShape>).kind === 'string';
}

/** ARM errors carry their advice in the message (src/azure/armErrorAdvice.ts); here only the buttons. */
function describeArmError(e: ArmErrorShape, context: string): Omit<UserFacingError, 'logLine'> {
  const message = `${context}: ${ensureSentence(e.message)}`;
  const isAuth = e.kind === 'auth' || e.status === 401 || e.status === 403;
  const actions: ErrorAction[] =
    e.status === 429 || e.kind === 'network' || e.kind === 'timeout' || (e.status !== undefined && e.status >= 500)
      ? ['retry']
      : e.status === 404 || e.status === 412
        ? ['refresh']
        : [];
  return { message, actions: [...actions, 'showLogs'], isAuth, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
}

/** A user dismissed a picker or a dialog; every command treats it as "stop quietly". */
export class UserCancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'UserCancelledError';
  }
}

export function isCancellation(e: unknown): boolean {
  if (e instanceof UserCancelledError) return true;
  // vscode.CancellationError has name and message 'Canceled'.
  if (e instanceof Error && (e.name === 'Canceled' || e.name === 'AbortError')) return true;
  return isDpsErrorShape(e) && e.kind === 'aborted';
}

/** The local emulator's hosts: only there can "Start Emulator" help. */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

const TLS_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/^CERT_HAS_EXPIRED$/, 'its certificate has expired'],
  [/^CERT_NOT_YET_VALID$/, 'its certificate is not valid yet (check the clock)'],
  [/ALTNAME|HOSTNAME_MISMATCH/, 'its certificate was issued for another host name'],
  [/^DEPTH_ZERO_SELF_SIGNED_CERT$/, 'its certificate is self-signed and not trusted'],
  [/^SELF_SIGNED_CERT_IN_CHAIN$/, 'its certificate chain ends in a root this machine does not trust (a proxy that intercepts TLS?)'],
  [/^(UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/, 'the issuer of its certificate is not trusted'],
  [/^CERT_REVOKED$/, 'its certificate was revoked'],
];

function tlsReason(code: string | undefined): string {
  const found = code !== undefined ? TLS_REASONS.find(([pattern]) => pattern.test(code)) : undefined;
  return found ? `${found[1]} (${code})` : `its certificate could not be verified${code ? ` (${code})` : ''}`;
}

/**
 * Failures to reach the service, each with its own sentence and the buttons that help. A failure
 * that was retried arrives as retriesExhausted; its last kind and cause code still say what it was.
 */
function describeUnreachable(e: DpsErrorShape, context: string): Omit<UserFacingError, 'logLine'> | undefined {
  const kind = e.kind === 'retriesExhausted' ? e.lastKind : e.kind;
  const host = e.hostName ?? 'the service';
  const local = e.hostName !== undefined && LOOPBACK_HOST.test(e.hostName);
  const tries = e.attempts !== undefined && e.attempts > 1 ? ` (tried ${e.attempts} times)` : '';
  const result = (message: string, actions: ErrorAction[]) => ({ message, actions: [...actions, 'showLogs' as const], isAuth: false });
  if (kind === 'tls') return result(`${context}: the TLS connection to ${host} is not trusted: ${tlsReason(e.causeCode)}.`, ['updateConnection']);
  if (kind === 'timeout') return result(`${context}: ${host} did not answer in time${tries}.`, ['retry']);
  // On a loopback host, a refused or dropped connection (or retries that never got an HTTP answer)
  // means the local emulator is not running: say so, with the button that starts it.
  const noAnswer = kind === 'network' || (e.kind === 'retriesExhausted' && e.status === undefined && kind === undefined);
  if (local && noAnswer && e.causeCode !== 'ENOTFOUND' && e.causeCode !== 'EAI_AGAIN') {
    return result(`${context}: the local emulator is not running (nothing answers at ${host}).`, ['startEmulator', 'retry']);
  }
  if (kind !== 'network') return undefined;
  switch (e.causeCode) {
    case 'ECONNREFUSED':
      return result(`${context}: ${host} refused the connection; nothing is listening there.`, ['retry', 'updateConnection']);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return result(`${context}: the host name ${host} could not be found (DNS ${e.causeCode}). Check HostName in the connection string and the network.`, ['updateConnection', 'retry']);
    default:
      return result(`${context}: the service could not be reached.${e.message ? ` ${ensureSentence(e.message)}` : ''}`, ['retry']);
  }
}

function describeDpsError(e: DpsErrorShape, context: string): Omit<UserFacingError, 'logLine'> {
  const serviceText = e.message ? ` ${ensureSentence(e.message)}` : '';
  const withLogs = (actions: ErrorAction[]): ErrorAction[] => [...actions, 'showLogs'];
  const unreachable = describeUnreachable(e, context);
  if (unreachable !== undefined) return unreachable;
  switch (e.kind) {
    case 'retriesExhausted':
      if (e.status === 429) return throttled(e, context);
      return { message: `${context}: the service kept failing${e.status ? ` (${e.status})` : ''}; gave up after several attempts.`, actions: withLogs(['retry']), isAuth: false };
    default:
      break;
  }
  switch (e.status) {
    case 401:
    case 403:
      // Under Entra ID the message already leads with the role (or sign-in) that is missing; there is no key to
      // update, and once the role is granted (or the account signed in again) the same request can succeed.
      if (e.authKind === 'entra') return { message: `${context}: ${ensureSentence(e.message)}`, actions: withLogs(['retry']), isAuth: true };
      return {
        message: `${context}: the service refused the credentials (${e.status}). Check the connection's shared access policy and key.${serviceText}`,
        actions: withLogs(['updateConnection']),
        isAuth: true,
      };
    case 404:
      return { message: `${context}: it no longer exists on the service (404).`, actions: withLogs(['refresh']), isAuth: false };
    case 409:
      return { message: `${context}: it already exists (409).${serviceText}`, actions: withLogs(['refresh']), isAuth: false };
    case 412:
      return {
        message: `${context}: it was changed on the service since you loaded it (412).`,
        actions: withLogs(['reloadAndCompare']),
        isAuth: false,
      };
    case 429:
      return throttled(e, context);
    default:
      break;
  }
  if (e.status !== undefined && e.status >= 500) {
    return { message: `${context}: the service failed (${e.status}).${serviceText}`, actions: withLogs(['retry']), isAuth: false };
  }
  if (e.status !== undefined && e.status >= 400) {
    return { message: `${context}: the service rejected the request (${e.status}).${serviceText}`, actions: withLogs([]), isAuth: false };
  }
  return { message: `${context}: ${ensureSentence(e.message || 'the request failed.')}`, actions: withLogs(['retry']), isAuth: false };
}

/** Retry waits what the service asked (the error handler honours retryAfterMs). */
function throttled(e: DpsErrorShape, context: string): Omit<UserFacingError, 'logLine'> {
  const wait = e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? Math.ceil(e.retryAfterMs / 1000) : undefined;
  return {
    message: `${context}: the service is throttling requests (429). ${wait !== undefined ? `Retry waits the ${wait} s it asked for.` : 'Wait a moment and retry.'}`,
    actions: ['retry', 'showLogs'],
    isAuth: false,
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

function ensureSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Maps an error from a command or a tree load to a message and buttons.
 * `context` names what was being done, e.g. "Could not load enrollments".
 */
export function describeError(e: unknown, context: string): UserFacingError {
  const described = describeUnredacted(e, context);
  // Defence in depth: an error text from anywhere must not carry a key to the screen or the log.
  return { ...described, message: described.message === null ? null : redact(described.message), logLine: redact(described.logLine) };
}

function describeUnredacted(e: unknown, context: string): UserFacingError {
  if (isCancellation(e)) return { message: null, actions: [], logLine: `${context}: cancelled`, isAuth: false };
  if (isDpsErrorShape(e)) {
    const facts = [
      e.operation && `operation=${e.operation}`,
      e.status !== undefined && `status=${e.status}`,
      e.errorCode !== undefined && `errorCode=${e.errorCode}`,
      e.trackingId && `trackingId=${e.trackingId}`,
      `kind=${e.kind}`,
    ].filter(Boolean);
    return { ...describeDpsError(e, context), logLine: `${context}: ${e.message} (${facts.join(', ')})` };
  }
  if (isArmErrorShape(e)) {
    const facts = [`operation=${e.operation}`, e.status !== undefined && `status=${e.status}`, e.code && `code=${e.code}`, e.requestId && `requestId=${e.requestId}`, `kind=${e.kind}`].filter(Boolean);
    return { ...describeArmError(e, context), logLine: `${context}: ${e.message} (${facts.join(', ')})` };
  }
  if (e instanceof Error && e.name === 'ConnectionStringError') {
    return { message: `${context}: ${ensureSentence(e.message)}`, actions: ['showLogs'], logLine: `${context}: ${e.message}`, isAuth: false };
  }
  const text = e instanceof Error ? e.message : String(e);
  return {
    message: `${context}: ${ensureSentence(text || 'unexpected error.')}`,
    actions: ['showLogs'],
    logLine: `${context}: ${e instanceof Error ? (e.stack ?? text) : text}`,
    isAuth: false,
  };
}
