// One HTTP exchange with the DPS service: URL, headers, a fresh SAS token, TLS trust, timeout and
// cancellation, straight over node:https (axios only for a proxy or a test adapter). It returns every HTTP status as a response (status handling belongs
// to the caller) and turns every failure to get a response into a DpsError, never leaking the
// axios error (its config carries the Authorization header).
import * as http from 'node:http';
import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { AxiosAdapter, AxiosInstance } from 'axios';
import { version as packageVersion } from '../../package.json';
import type { DpsConnectionString } from './connectionString';
import { isLoopbackHost } from './connectionString';
import { DpsError } from './errors';
import { errorFromTransportFailure } from './responseErrors';
import { DEFAULT_API_VERSION, isApiVersion, type ApiVersion } from './apiVersion';
import { sasAuth, type DpsAuth } from './auth';
import { loopbackLookup } from './loopbackLookup';
import { directOrigin, directRequest, mayUseProxy, RequestTimedOut } from './directHttp';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface TransportRequest {
  /** Spec operation id, e.g. IndividualEnrollment_Get: used in errors and events. */
  operation: string;
  method: HttpMethod;
  /** Path with ids already encoded, starting with '/'. */
  path: string;
  /** Extra request headers (If-Match, paging headers). */
  headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON when present. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  /** True when the body was present but not valid JSON. */
  bodyIsText: boolean;
  requestId: string;
}

/** Sends one request. Resolves for any HTTP status; rejects only with a DpsError. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = `dps-enrollments/${packageVersion}`;

export interface HttpTransportOptions {
  /** SAS from a connection string; or give hostName and auth (e.g. a bearer token). */
  connection?: DpsConnectionString;
  hostName?: string;
  auth?: DpsAuth;
  /** 'http' is accepted only for loopback hosts (a local emulator). Default 'https'. */
  protocol?: 'https' | 'http';
  /** PEM CA trusted for a loopback host only (the emulator's own CA); ignored for any other host. */
  ca?: string | Buffer;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** Replaces axios' network adapter; for unit tests. */
  adapter?: AxiosAdapter;
  /** Sent as api-version on every request. Default 2021-10-01. */
  apiVersion?: ApiVersion;
}

export interface HttpTransport {
  send: Transport;
  hostName: string;
  baseUrl: string;
  apiVersion: ApiVersion;
  /** Closes idle keep-alive sockets. */
  dispose: () => void;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const hostName = options.connection?.hostName ?? options.hostName;
  if (hostName === undefined || hostName === '') throw new TypeError('A host name (or a connection string) is required.');
  const auth = options.auth ?? (options.connection ? sasAuth(options.connection) : undefined);
  if (auth === undefined) throw new TypeError('An authentication strategy (or a connection string) is required.');
  const loopback = isLoopbackHost(hostName);
  const protocol = options.protocol ?? 'https';
  if (protocol !== 'https' && !(protocol === 'http' && loopback)) {
    throw new RangeError(`Only HTTPS is allowed for ${hostName}; plain HTTP is accepted only for a local emulator on a loopback host.`);
  }
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (!isApiVersion(apiVersion)) throw new RangeError(`api-version '${String(apiVersion)}' is not one this extension speaks.`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('timeoutMs must be a positive number of milliseconds.');
  }
  // The private CA only ever reaches a per-client agent for a loopback host: no global trust change,
  // and certificate verification stays on everywhere.
  const lookup = loopback ? { lookup: loopbackLookup } : {};
  // The CA goes in as a secure context made once: given as `ca`, the whole PEM would be appended to
  // the agent's pool key (https.Agent.getName) and hashed on every request. It still replaces the
  // default roots: only the emulator's CA is trusted.
  const trust = loopback && options.ca !== undefined ? { secureContext: createSecureContext({ ca: options.ca }) } : {};
  const agent =
    protocol === 'https'
      ? new https.Agent({ keepAlive: true, ...lookup, ...trust })
      : new http.Agent({ keepAlive: true, ...lookup });
  const baseUrl = `${protocol}://${hostName}`;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;

  // Made on the first request that needs it: most clients never load axios.
  let instance: Promise<AxiosInstance> | undefined;
  const axiosInstance = (): Promise<AxiosInstance> =>
    (instance ??= import('./axiosHttp.js').then(({ createRawHttp }) => createRawHttp({ baseURL: baseUrl, agent, loopback, adapter: options.adapter })));
  // Straight to node:https unless a test adapter or a proxy from the environment needs axios (directHttp.ts says why).
  const direct = options.adapter === undefined && !mayUseProxy(loopback);
  const origin = directOrigin(new URL(baseUrl));

  const send: Transport = async (request) => {
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': userAgent,
      'Request-Id': requestId,
      ...request.headers,
      // Per request (and per retry): a fresh SAS token, or the cached bearer token while it is valid.
      Authorization: await auth.authorization(request.signal),
    };
    let data: string | undefined;
    if (request.body !== undefined) {
      data = JSON.stringify(request.body);
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }

    const separator = request.path.includes('?') ? '&' : '?';
    const path = `${request.path}${separator}api-version=${apiVersion}`;
    try {
      const response = direct
        ? await directRequest({ method: request.method, origin, path, headers, body: data, agent, signal: request.signal, timeoutMs })
        : await viaAxios(request.method, path, headers, data, request.signal);
      const parsed = parseBody(response.text);
      return {
        status: response.status,
        headers: normalizeHeaders(response.headers),
        body: parsed.body,
        bodyIsText: parsed.isText,
        requestId,
      };
    } catch (error: unknown) {
      if (error instanceof DpsError) throw error;
      const timedOut = error instanceof RequestTimedOut;
      throw errorFromTransportFailure({
        operation: request.operation,
        hostName,
        timedOut,
        timeoutMs,
        aborted: !timedOut && request.signal?.aborted === true,
        code: timedOut ? undefined : errorCode(error),
      });
    }
  };

  /** The axios path (a test adapter or a proxy), under the same whole-request timer as the direct path. */
  const viaAxios = async (method: HttpMethod, url: string, headers: Record<string, string>, data: string | undefined, signal: AbortSignal | undefined): Promise<{ status: number; headers: unknown; text: string }> => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await (await axiosInstance()).request<string>({ method, url, headers, data, signal: controller.signal });
      return { status: response.status, headers: response.headers, text: typeof response.data === 'string' ? response.data : '' };
    } catch (error: unknown) {
      throw timedOut ? new RequestTimedOut(timeoutMs) : error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  return { send, hostName, baseUrl, apiVersion, dispose: () => agent.destroy() };
}

function parseBody(text: string): { body: unknown; isText: boolean } {
  // A test for any non-blank character, not trim(): a page of 100 items is not copied for it.
  if (!/\S/.test(text)) return { body: undefined, isText: false };
  try {
    return { body: JSON.parse(text) as unknown, isText: false };
  } catch {
    return { body: text, isText: true };
  }
}

function hasToJson(value: unknown): value is { toJSON(): Record<string, unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function normalizeHeaders(raw: unknown): Record<string, string | undefined> {
  // axios' headers object (the axios path) has toJSON; node's are a plain object.
  const source = hasToJson(raw) ? raw.toJSON() : (raw as Record<string, unknown> | undefined) ?? {};
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
    else if (typeof value === 'number') result[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) result[name.toLowerCase()] = value.map(String).join(', ');
  }
  return result;
}

/** Only the error's code string is kept: the error object itself may reference request headers. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  const causeCode = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  // axios wraps socket errors; the socket's own code is the more specific one.
  if (typeof causeCode === 'string') return causeCode;
  if (typeof code === 'string' && code !== 'ERR_CANCELED' && code !== 'ERR_NETWORK' && code !== 'ERR_BAD_RESPONSE') return code;
  return undefined;
}
