// The one error type of the ARM client, built only from safe facts: status, ARM's error code and
// message, the operation and the request id. Never from a raw axios error (its config carries the
// Authorization header), and never with a key from a listkeys answer.
import { inspect } from 'node:util';
import { armAdvice } from './armErrorAdvice';

export type ArmErrorKind = 'http' | 'network' | 'timeout' | 'aborted' | 'invalidResponse' | 'auth';

export interface ArmErrorInit {
  kind: ArmErrorKind;
  operation: string;
  message: string;
  status?: number;
  /** ARM's `error.code`, e.g. AuthorizationFailed, ResourceNotFound, PreconditionFailed. */
  code?: string;
  requestId?: string;
  /** From a 429's Retry-After: how long ARM asked to wait. */
  retryAfterMs?: number;
}

export class ArmError extends Error {
  override readonly name = 'ArmError';
  readonly kind: ArmErrorKind;
  readonly operation: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;

  constructor(init: ArmErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, operation: this.operation, message: this.message, status: this.status, code: this.code, requestId: this.requestId, retryAfterMs: this.retryAfterMs };
  }

  [inspect.custom](): string {
    return `ArmError: ${this.message} ${JSON.stringify({ operation: this.operation, status: this.status, code: this.code, requestId: this.requestId })}`;
  }
}

const STATUS_SENTENCES: Readonly<Record<number, string>> = {
  400: 'Azure Resource Manager rejected the request as invalid',
  401: 'Azure did not accept the sign-in: sign in again',
  403: 'The signed-in account is not allowed to do this on this resource (it needs a role such as Contributor)',
  404: 'The resource was not found (it may have been deleted, or the subscription is not visible to this account)',
  409: 'The request conflicts with the current state of the resource',
  412: 'The resource changed since it was read (ETag mismatch): reload it and try again',
  429: 'Azure Resource Manager is throttling requests: wait a moment and try again',
};

const MAX_MESSAGE = 600;

export interface ArmResponseFacts {
  requestId?: string;
  /** The request path without query; names the scope when ARM's message does not. */
  path?: string;
  retryAfterMs?: number;
}

/**
 * `{error:{code,message}}` (ARM) or `{code,message}` (some resource providers) into an ArmError whose
 * message leads with what to do (armErrorAdvice.ts), then the status, code and ARM's own words.
 */
export function armErrorFromResponse(operation: string, status: number, body: unknown, facts: ArmResponseFacts = {}): ArmError {
  const { code, message: raw } = readArmError(body);
  const message = raw !== undefined && raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE)}…` : raw;
  const advice = armAdvice({ operation, status, code, message, path: facts.path, retryAfterMs: facts.retryAfterMs });
  const sentence = advice ?? STATUS_SENTENCES[status] ?? (status >= 500 ? 'Azure Resource Manager had an internal error' : 'Azure Resource Manager answered with an error');
  const detail = message !== undefined ? `: ${message}` : '';
  return new ArmError({
    kind: 'http',
    operation,
    status,
    code,
    requestId: facts.requestId,
    ...(facts.retryAfterMs !== undefined ? { retryAfterMs: facts.retryAfterMs } : {}),
    message: `${sentence} (HTTP ${status}${code ? `, ${code}` : ''})${detail}`,
  });
}

function readArmError(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : record;
  return {
    code: typeof inner.code === 'string' ? inner.code : undefined,
    message: typeof inner.message === 'string' ? inner.message : undefined,
  };
}

export function isArmError(e: unknown): e is ArmError {
  return e instanceof ArmError;
}
