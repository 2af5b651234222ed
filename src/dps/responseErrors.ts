// Turns what came back (an HTTP error response, or a failure to get one) into a DpsError.
// Inputs are reduced to safe facts first: status, headers we know, the service's error body,
// and the Node error code. Raw transport errors are never kept, since their config carries
// the Authorization header.
import { DpsError } from './errors';
import { parseRetryAfter } from './retryPolicy';
import { fieldsNewerThan, newerFieldsProblem, type ApiVersion } from './apiVersion';

export interface ErrorResponse {
  operation: string;
  status: number;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body, or the raw text when it was not JSON, or undefined. */
  body: unknown;
  nowMs?: number;
}

const MAX_MESSAGE_LENGTH = 1000;

const STATUS_SENTENCES: Readonly<Record<number, string>> = {
  400: 'The service rejected the request as invalid',
  401: 'The service did not accept the credentials: check the connection string and that the key is current',
  403: 'The shared access policy does not allow this operation',
  404: 'The requested item was not found',
  405: 'The service does not allow this method on this path',
  408: 'The service timed out waiting for the request',
  409: 'The request conflicts with the current state (for example, the item already exists)',
  412: 'The item was changed by someone else since it was read (ETag mismatch)',
  413: 'The request is too large for the service',
  415: 'The service does not accept the request content type',
  429: 'The service is throttling requests: too many operations in a short time',
  500: 'The service had an internal error',
  502: 'A gateway in front of the service failed',
  503: 'The service is temporarily unavailable',
  504: 'A gateway in front of the service timed out',
};

export function errorFromResponse(response: ErrorResponse): DpsError {
  const details = readErrorDetails(response.body);
  const headerCode = response.headers['x-ms-error-code'];
  const errorCode = details.errorCode ?? (headerCode !== undefined && /^\d+$/.test(headerCode) ? Number(headerCode) : undefined);
  const message =
    details.message ?? `${STATUS_SENTENCES[response.status] ?? 'The service answered with an error'} (HTTP ${response.status}).`;
  return new DpsError({
    kind: 'http',
    operation: response.operation,
    message: truncate(message),
    status: response.status,
    errorCode,
    trackingId: details.trackingId,
    retryAfterMs: parseRetryAfter(response.headers['retry-after'], response.nowMs),
  });
}

interface ErrorDetails {
  message?: string;
  errorCode?: number;
  trackingId?: string;
}

/** Reads ProvisioningServiceErrorDetails, tolerating the PascalCase variant some gateways send. */
export function readErrorDetails(body: unknown): ErrorDetails {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const message = firstString(record.message, record.Message);
  const code = record.errorCode ?? record.ErrorCode;
  const errorCode =
    typeof code === 'number' && Number.isInteger(code)
      ? code
      : typeof code === 'string' && /^\d+$/.test(code)
        ? Number(code)
        : undefined;
  const trackingId = firstString(record.trackingId, record.TrackingId);
  return { message, errorCode, trackingId };
}

export interface TransportFailure {
  operation: string;
  hostName: string;
  /** Our own timer fired. */
  timedOut: boolean;
  timeoutMs: number;
  /** The caller's signal aborted. */
  aborted: boolean;
  /** Node / OpenSSL error code if the failure had one (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
  code?: string;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;

const NETWORK_SENTENCES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (is the service or emulator running?)',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name was not found (check HostName in the connection string)',
  EAI_AGAIN: 'the host name could not be looked up right now',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
};

export function errorFromTransportFailure(failure: TransportFailure): DpsError {
  const base = { operation: failure.operation, causeCode: failure.code, hostName: failure.hostName };
  if (failure.aborted) {
    return new DpsError({ ...base, kind: 'aborted', message: `${failure.operation} was cancelled.` });
  }
  if (failure.timedOut) {
    return new DpsError({
      ...base,
      kind: 'timeout',
      message: `No answer from ${failure.hostName} within ${Math.round(failure.timeoutMs / 1000)} s.`,
    });
  }
  if (failure.code !== undefined && TLS_CODE.test(failure.code)) {
    return new DpsError({
      ...base,
      kind: 'tls',
      message:
        `The TLS certificate of ${failure.hostName} could not be verified (${failure.code}). ` +
        'For the local emulator, trust its CA certificate; for Azure, check for a proxy that intercepts TLS.',
    });
  }
  const sentence = (failure.code !== undefined && NETWORK_SENTENCES[failure.code]) || 'the request failed';
  return new DpsError({
    ...base,
    kind: 'network',
    message: `Could not reach ${failure.hostName}: ${sentence}${failure.code !== undefined ? ` (${failure.code})` : ''}.`,
  });
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.trim() !== '');
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/**
 * A 400 for a body that carries fields the connection's api-version does not know (or that the
 * service's message names as belonging to another version) gets a sentence naming the field and
 * both versions, so the user knows to change the connection's API version rather than the item.
 */
export function withFieldVersionHint(error: DpsError, apiVersion: ApiVersion, body: unknown): DpsError {
  const fields = new Set<string>();
  for (const item of bodyItems(body)) for (const field of fieldsNewerThan(apiVersion, item)) fields.add(field);
  const hint = newerFieldsProblem(apiVersion, [...fields]);
  if (hint === undefined || error.message.includes(hint)) return error;
  return new DpsError({
    kind: error.kind,
    operation: error.operation,
    message: truncate(`${hint} Service: ${error.message}`),
    status: error.status,
    errorCode: error.errorCode,
    trackingId: error.trackingId,
    retryAfterMs: error.retryAfterMs,
  });
}

/** The enrollments or groups a request body holds: itself, or the items of a bulk operation. */
function bodyItems(body: unknown): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  const list = Array.isArray(record.enrollments) ? record.enrollments : Array.isArray(record.enrollmentGroups) ? record.enrollmentGroups : [record];
  return list.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
}
