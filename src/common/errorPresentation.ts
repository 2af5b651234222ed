// Turns any error into what a person should read and the buttons that help, in one place.
// No vscode import: the wrapper in errorHandler.ts shows the result, unit tests check the mapping.
import { redact } from './redact';

/** Buttons the error wrapper knows how to perform. */
export type ErrorAction = 'updateConnection' | 'refresh' | 'retry' | 'reloadAndCompare' | 'showLogs';

export const actionLabels: Record<ErrorAction, string> = {
  updateConnection: 'Update Connection',
  refresh: 'Refresh',
  retry: 'Retry',
  reloadAndCompare: 'Reload and Compare',
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
}

function isDpsErrorShape(e: unknown): e is DpsErrorShape {
  return e instanceof Error && typeof (e as Partial<DpsErrorShape>).kind === 'string' && e.name === 'DpsError';
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

function describeDpsError(e: DpsErrorShape, context: string): Omit<UserFacingError, 'logLine'> {
  const serviceText = e.message ? ` ${ensureSentence(e.message)}` : '';
  const withLogs = (actions: ErrorAction[]): ErrorAction[] => [...actions, 'showLogs'];
  switch (e.kind) {
    case 'network':
      return { message: `${context}: the service could not be reached.${serviceText}`, actions: withLogs(['retry']), isAuth: false };
    case 'timeout':
      return { message: `${context}: the service did not answer in time.`, actions: withLogs(['retry']), isAuth: false };
    case 'tls':
      return { message: `${context}: the service's TLS certificate is not trusted.${serviceText}`, actions: withLogs(['updateConnection']), isAuth: false };
    case 'retriesExhausted':
      if (e.status === 429) {
        return { message: `${context}: the service is throttling requests (429). Wait a moment and retry.`, actions: withLogs(['retry']), isAuth: false };
      }
      return { message: `${context}: the service kept failing${e.status ? ` (${e.status})` : ''}; gave up after several attempts.`, actions: withLogs(['retry']), isAuth: false };
    default:
      break;
  }
  switch (e.status) {
    case 401:
    case 403:
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
      return { message: `${context}: the service is throttling requests (429). Wait a moment and retry.`, actions: withLogs(['retry']), isAuth: false };
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
