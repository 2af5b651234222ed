// The DPS service client: one method per service operation, speaking the api-version the
// connection chose (2021-10-01 by default, or 2026-11-01).
// Service objects pass through untouched (no re-mapping), so fields from newer API versions
// survive a read-modify-write.
import { formatConnectionString, parseConnectionString, type DpsConnectionString } from './connectionString';
import { BearerTokenAuth, withEntraRoleHint, type AuthKind, type TokenProvider } from './auth';
import { DpsError } from './errors';
import { errorFromResponse, withFieldVersionHint } from './responseErrors';
import { DEFAULT_API_VERSION, type ApiVersion } from './apiVersion';
import { holdsPrivateKey, KeyMaterialError } from './keyMaterialGuard';
import type {
  AttestationMechanism,
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
  DeviceRegistrationState,
  EnrollmentGroup,
  IndividualEnrollment,
  QueryPage,
} from './models';
import { withRetries } from './retry';
import {
  provesNotProcessed,
  resolveRetryOptions,
  type ResolvedRetryOptions,
  type RetryMode,
  type RetryOptions,
} from './retryPolicy';
import { realSleep, type Sleep } from './sleep';
import { createHttpTransport, type HttpMethod, type Transport, type TransportResponse } from './transport';
import type { DpsApi, IfMatchOptions, PageOptions, RequestOptions } from './api';
import { idFieldOf, ITEM_KIND_FACTS, type Item, type ItemKind } from './itemKind';
export type { IfMatchOptions, PageOptions, RequestOptions } from './api';

/** The service takes at most this many items in one bulk request. */
export const MAX_BULK_ITEMS = 10;
const BULK_MODES: readonly BulkMode[] = ['create', 'update', 'updateIfMatchETag', 'delete'];

export interface QueryOptions extends PageOptions {
  /** Query text; default '*'. */
  query?: string;
}

export interface ListOptions {
  pageSize?: number;
  query?: string;
}

/** One try of one operation, for logging. Holds no secret. */
export interface RequestEvent {
  operation: string;
  method: HttpMethod;
  path: string;
  status?: number;
  durationMs: number;
  attempt: number;
  trackingId?: string;
  requestId?: string;
  /** Set when no HTTP response came back. */
  errorKind?: DpsError['kind'];
}

export interface DpsClientOptions {
  /** The emulator's CA (PEM), trusted only when the host is loopback. */
  ca?: string | Buffer;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Replaces the default `dps-enrollments/<version>`. */
  userAgent?: string;
  onRequest?: (event: RequestEvent) => void;
  /** 'http' only for a loopback emulator; default 'https'. */
  protocol?: 'https' | 'http';
  /** Wait used between retries; tests inject an instant one. */
  sleep?: Sleep;
  /** Jitter source in [0, 1); tests inject a fixed one. */
  random?: () => number;
  /** The service api-version to send; default 2021-10-01. */
  apiVersion?: ApiVersion;
}

/** What the client needs below it; `fromConnectionString` builds the axios one, tests build fakes. */
export interface DpsClientInit {
  hostName: string;
  keyName: string;
  send: Transport;
  dispose?: () => void;
  retry?: RetryOptions;
  sleep?: Sleep;
  random?: () => number;
  onRequest?: (event: RequestEvent) => void;
  /** 'entra': 401/403 name the data-plane role; default 'sas'. */
  authKind?: AuthKind;
  /** Called when the service refused the credentials (401), so a cached token is dropped. */
  onAuthRejected?: () => void;
  /** The api-version `send` puts on requests; used to explain refused fields. Default 2021-10-01. */
  apiVersion?: ApiVersion;
}

interface Call {
  operation: string;
  method: HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  mode: RetryMode;
}

export class DpsClient implements DpsApi {
  readonly hostName: string;
  readonly keyName: string;
  private readonly send: Transport;
  private readonly disposeTransport: () => void;
  private readonly retry: ResolvedRetryOptions;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly onRequest?: (event: RequestEvent) => void;
  readonly authKind: AuthKind;
  readonly apiVersion: ApiVersion;
  private readonly onAuthRejected?: () => void;

  constructor(init: DpsClientInit) {
    this.apiVersion = init.apiVersion ?? DEFAULT_API_VERSION;
    this.hostName = init.hostName;
    this.keyName = init.keyName;
    this.send = init.send;
    this.disposeTransport = init.dispose ?? (() => undefined);
    this.retry = resolveRetryOptions(init.retry);
    this.sleep = init.sleep ?? realSleep;
    this.random = init.random ?? Math.random;
    this.onRequest = init.onRequest;
    this.authKind = init.authKind ?? 'sas';
    this.onAuthRejected = init.onAuthRejected;
  }

  /** A client that sends Microsoft Entra bearer tokens (scope https://azure-devices-provisioning.net/.default). */
  static withTokenProvider(hostName: string, provider: TokenProvider, options: DpsClientOptions & { refreshMarginMs?: number; now?: () => number } = {}): DpsClient {
    const auth = new BearerTokenAuth(provider, { refreshMarginMs: options.refreshMarginMs, now: options.now });
    const transport = createHttpTransport({ hostName, auth, protocol: options.protocol, ca: options.ca, timeoutMs: options.timeoutMs, userAgent: options.userAgent, apiVersion: options.apiVersion });
    return new DpsClient({
      apiVersion: transport.apiVersion,
      hostName,
      keyName: '',
      send: transport.send,
      dispose: transport.dispose,
      retry: options.retry,
      sleep: options.sleep,
      random: options.random,
      onRequest: options.onRequest,
      authKind: 'entra',
      onAuthRejected: () => auth.invalidate(),
    });
  }

  /** Throws ConnectionStringError for a bad string, RangeError for bad options. */
  static fromConnectionString(cs: string | DpsConnectionString, options: DpsClientOptions = {}): DpsClient {
    // A parsed object gets the same checks as a string (it may have been built by hand).
    const connection = parseConnectionString(typeof cs === 'string' ? cs : formatConnectionString(cs));
    const transport = createHttpTransport({
      connection,
      protocol: options.protocol,
      ca: options.ca,
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      apiVersion: options.apiVersion,
    });
    return new DpsClient({
      apiVersion: transport.apiVersion,
      hostName: connection.hostName,
      keyName: connection.sharedAccessKeyName,
      send: transport.send,
      dispose: transport.dispose,
      retry: options.retry,
      sleep: options.sleep,
      random: options.random,
      onRequest: options.onRequest,
    });
  }

  /** Closes idle keep-alive connections. The client must not be used afterwards. */
  dispose(): void {
    this.disposeTransport();
  }

  // ---- individual enrollments and enrollment groups: the same operations, one path per kind

  getEnrollment(registrationId: string, options: RequestOptions = {}): Promise<IndividualEnrollment> {
    return this.getItemOf<IndividualEnrollment>('enrollment', registrationId, options);
  }

  createOrUpdateEnrollment(enrollment: IndividualEnrollment, options: IfMatchOptions = {}): Promise<IndividualEnrollment> {
    return this.putItemOf('enrollment', enrollment, options);
  }

  deleteEnrollment(registrationId: string, options: IfMatchOptions = {}): Promise<void> {
    return this.deleteItemOf('enrollment', registrationId, options);
  }

  /** The attestation with its key material (query and GET results carry no keys). */
  getEnrollmentAttestation(registrationId: string, options: RequestOptions = {}): Promise<AttestationMechanism> {
    return this.attestationOf('enrollment', registrationId, options);
  }

  queryEnrollments(query: QueryOptions = {}, options: RequestOptions = {}): Promise<QueryPage<IndividualEnrollment>> {
    return this.queryItemsOf<IndividualEnrollment>('enrollment', query, options);
  }

  listEnrollments(list: ListOptions = {}, options: RequestOptions = {}): AsyncIterable<QueryPage<IndividualEnrollment>> {
    return this.pages((token) => this.queryEnrollments({ ...list, continuationToken: token }, options), KIND_CALLS.enrollment.query);
  }

  /** One bulk request of at most 10 enrollments; use runBulk for longer lists. */
  runEnrollmentBulk(mode: BulkMode, enrollments: IndividualEnrollment[], options: RequestOptions = {}): Promise<BulkEnrollmentOperationResult> {
    return this.bulkOf<BulkEnrollmentOperationResult>('enrollment', mode, enrollments, options);
  }

  getEnrollmentGroup(enrollmentGroupId: string, options: RequestOptions = {}): Promise<EnrollmentGroup> {
    return this.getItemOf<EnrollmentGroup>('group', enrollmentGroupId, options);
  }

  createOrUpdateEnrollmentGroup(group: EnrollmentGroup, options: IfMatchOptions = {}): Promise<EnrollmentGroup> {
    return this.putItemOf('group', group, options);
  }

  deleteEnrollmentGroup(enrollmentGroupId: string, options: IfMatchOptions = {}): Promise<void> {
    return this.deleteItemOf('group', enrollmentGroupId, options);
  }

  getEnrollmentGroupAttestation(enrollmentGroupId: string, options: RequestOptions = {}): Promise<AttestationMechanism> {
    return this.attestationOf('group', enrollmentGroupId, options);
  }

  queryEnrollmentGroups(query: QueryOptions = {}, options: RequestOptions = {}): Promise<QueryPage<EnrollmentGroup>> {
    return this.queryItemsOf<EnrollmentGroup>('group', query, options);
  }

  listEnrollmentGroups(list: ListOptions = {}, options: RequestOptions = {}): AsyncIterable<QueryPage<EnrollmentGroup>> {
    return this.pages((token) => this.queryEnrollmentGroups({ ...list, continuationToken: token }, options), KIND_CALLS.group.query);
  }

  /** One bulk request of at most 10 groups; use runBulk for longer lists. */
  runEnrollmentGroupBulk(mode: BulkMode, groups: EnrollmentGroup[], options: RequestOptions = {}): Promise<BulkEnrollmentGroupOperationResult> {
    return this.bulkOf<BulkEnrollmentGroupOperationResult>('group', mode, groups, options);
  }

  private async getItemOf<T>(kind: ItemKind, id: string, options: RequestOptions): Promise<T> {
    const calls = KIND_CALLS[kind];
    return await this.object<T>({ operation: calls.get, method: 'GET', path: itemPath(kind, id), mode: 'idempotent' }, options);
  }

  private async putItemOf<T extends Item>(kind: ItemKind, item: T, options: IfMatchOptions): Promise<T> {
    const calls = KIND_CALLS[kind];
    const id = requireObjectId(item, idFieldOf(kind));
    return await this.object<T>(
      { operation: calls.put, method: 'PUT', path: itemPath(kind, id), headers: ifMatchHeader(options), body: item, mode: writeRetryMode(options) },
      options,
    );
  }

  private async deleteItemOf(kind: ItemKind, id: string, options: IfMatchOptions): Promise<void> {
    const calls = KIND_CALLS[kind];
    return await this.noContent(
      { operation: calls.delete, method: 'DELETE', path: itemPath(kind, id), headers: ifMatchHeader(options), mode: 'idempotent' },
      options,
    );
  }

  private async attestationOf(kind: ItemKind, id: string, options: RequestOptions): Promise<AttestationMechanism> {
    const calls = KIND_CALLS[kind];
    return await this.object<AttestationMechanism>(
      { operation: calls.attestation, method: 'POST', path: `${itemPath(kind, id)}/attestationmechanism`, mode: 'idempotent' },
      options,
    );
  }

  private async queryItemsOf<T>(kind: ItemKind, query: QueryOptions, options: RequestOptions): Promise<QueryPage<T>> {
    return await this.page<T>(KIND_CALLS[kind].query, `/${ITEM_KIND_FACTS[kind].collection}/query`, query, true, options);
  }

  private async bulkOf<R>(kind: ItemKind, mode: BulkMode, items: Item[], options: RequestOptions): Promise<R> {
    const { collection } = ITEM_KIND_FACTS[kind];
    checkBulk(mode, items, idFieldOf(kind));
    return await this.bulk<R>(
      { operation: KIND_CALLS[kind].bulk, method: 'POST', path: `/${collection}`, body: { mode, [collection]: items }, mode: 'ifNotProcessed' },
      options,
    );
  }

  // ---- device registration states

  async getRegistrationState(registrationId: string, options: RequestOptions = {}): Promise<DeviceRegistrationState> {
    return await this.object<DeviceRegistrationState>(
      { operation: 'DeviceRegistrationState_Get', method: 'GET', path: registrationPath(registrationId), mode: 'idempotent' },
      options,
    );
  }

  async deleteRegistrationState(registrationId: string, options: IfMatchOptions = {}): Promise<void> {
    return await this.noContent(
      {
        operation: 'DeviceRegistrationState_Delete',
        method: 'DELETE',
        path: registrationPath(registrationId),
        headers: ifMatchHeader(options),
        mode: 'idempotent',
      },
      options,
    );
  }

  /** Registrations made through one enrollment group (the spec defines no body for this query). */
  async queryRegistrationStates(
    enrollmentGroupId: string,
    paging: PageOptions = {},
    options: RequestOptions = {},
  ): Promise<QueryPage<DeviceRegistrationState>> {
    return await this.page<DeviceRegistrationState>(
      'DeviceRegistrationState_Query',
      `${registrationPath(enrollmentGroupId, 'enrollmentGroupId')}/query`,
      paging,
      false,
      options,
    );
  }

  listRegistrationStates(
    enrollmentGroupId: string,
    list: { pageSize?: number } = {},
    options: RequestOptions = {},
  ): AsyncIterable<QueryPage<DeviceRegistrationState>> {
    return this.pages(
      (token) => this.queryRegistrationStates(enrollmentGroupId, { ...list, continuationToken: token }, options),
      'DeviceRegistrationState_Query',
    );
  }

  // ---- plumbing

  private async object<T>(call: Call, options: RequestOptions): Promise<T> {
    const response = await this.exchange(call, options);
    if (!isPlainObject(response.body)) throw invalidResponse(call, 'a JSON object', response);
    return response.body as T;
  }

  private async noContent(call: Call, options: RequestOptions): Promise<void> {
    await this.exchange(call, options);
  }

  private async bulk<T>(call: Call, options: RequestOptions): Promise<T> {
    const response = await this.exchange(call, options);
    const body = response.body;
    if (!isPlainObject(body) || typeof body.isSuccessful !== 'boolean' || (body.errors !== undefined && !Array.isArray(body.errors))) {
      throw invalidResponse(call, 'a bulk operation result', response);
    }
    return body as T;
  }

  private async page<T>(
    operation: string,
    path: string,
    query: QueryOptions,
    withBody: boolean,
    options: RequestOptions,
  ): Promise<QueryPage<T>> {
    const headers: Record<string, string> = {};
    if (query.pageSize !== undefined) {
      if (!Number.isInteger(query.pageSize) || query.pageSize < 1 || query.pageSize > 2 ** 31 - 1) {
        throw new RangeError('pageSize must be a positive integer.');
      }
      headers['x-ms-max-item-count'] = String(query.pageSize);
    }
    if (query.continuationToken !== undefined) headers['x-ms-continuation'] = query.continuationToken;
    const call: Call = {
      operation,
      method: 'POST',
      path,
      headers,
      body: withBody ? { query: query.query ?? '*' } : undefined,
      mode: 'idempotent',
    };
    const response = await this.exchange(call, options);
    if (!Array.isArray(response.body)) throw invalidResponse(call, 'a JSON array', response);
    const token = response.headers['x-ms-continuation'];
    return token !== undefined && token !== '' ? { items: response.body as T[], continuationToken: token } : { items: response.body as T[] };
  }

  private async *pages<T>(
    fetchPage: (token: string | undefined) => Promise<QueryPage<T>>,
    operation: string,
  ): AsyncGenerator<QueryPage<T>, void, undefined> {
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await fetchPage(token);
      yield page;
      token = page.continuationToken;
      // A token that comes back again would loop forever.
      if (token !== undefined && seen.has(token)) {
        throw new DpsError({ kind: 'invalidResponse', operation, message: 'The service returned the same continuation token twice.' });
      }
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
  }

  /** One operation with retries; resolves with a 2xx response, rejects with DpsError. */
  private exchange(call: Call, options: RequestOptions): Promise<TransportResponse> {
    // Whatever path built the body, a private key never leaves the process.
    if (call.body !== undefined && holdsPrivateKey(JSON.stringify(call.body))) return Promise.reject(new KeyMaterialError(call.operation));
    const retry = options.retry ? resolveRetryOptions({ ...this.retry, ...options.retry }) : this.retry;
    // Set once a try failed in a way that may still have been applied (reset, timeout, 500).
    let mayHaveApplied = false;
    return withRetries(
      async (attempt) => {
        const started = performance.now();
        let response: TransportResponse;
        try {
          response = await this.send({
            operation: call.operation,
            method: call.method,
            path: call.path,
            headers: call.headers,
            body: call.body,
            signal: options.signal,
          });
        } catch (error: unknown) {
          this.emit(call, attempt, started, { errorKind: error instanceof DpsError ? error.kind : 'network' });
          if (error instanceof DpsError && error.isTransient && !provesNotProcessed(error)) mayHaveApplied = true;
          throw error;
        }
        if (response.status >= 200 && response.status < 300) {
          this.emit(call, attempt, started, { status: response.status, requestId: response.requestId });
          return response;
        }
        let error = errorFromResponse({ operation: call.operation, status: response.status, headers: response.headers, body: response.body });
        if (response.status === 401) this.onAuthRejected?.();
        if (this.authKind === 'entra') error = withEntraRoleHint(error);
        if (response.status === 400) error = withFieldVersionHint(error, this.apiVersion, call.body);
        this.emit(call, attempt, started, { status: response.status, requestId: response.requestId, trackingId: error.trackingId });
        // A DELETE replayed after an earlier try removed the item finds nothing: the goal is reached.
        if (call.method === 'DELETE' && response.status === 404 && mayHaveApplied) return response;
        if (error.isTransient && !provesNotProcessed(error)) mayHaveApplied = true;
        throw error;
      },
      { operation: call.operation, mode: call.mode, options: retry, sleep: this.sleep, random: this.random, signal: options.signal },
    );
  }

  private emit(call: Call, attempt: number, started: number, facts: Partial<RequestEvent>): void {
    if (!this.onRequest) return;
    try {
      this.onRequest({
        operation: call.operation,
        method: call.method,
        path: call.path,
        durationMs: Math.round(performance.now() - started),
        attempt,
        ...facts,
      });
    } catch {
      // A failing logger must not fail the request.
    }
  }
}

/** encodeURIComponent plus ! ' ( ) *, as the official SDK encodes ids in paths. */
export function encodePathSegment(id: string): string {
  return encodeURIComponent(id).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function requireId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.trim() === '') throw new TypeError(`${what} is required (a non-empty string).`);
  return id;
}

function requireObjectId(item: object, field: 'registrationId' | 'enrollmentGroupId'): string {
  return requireId((item as Record<string, unknown>)[field], field);
}

const itemPath = (kind: ItemKind, id: string): string =>
  `/${ITEM_KIND_FACTS[kind].collection}/${encodePathSegment(requireId(id, idFieldOf(kind)))}`;

/** The spec's operation ids per kind, for logs and request events. */
const KIND_CALLS = {
  enrollment: {
    get: 'IndividualEnrollment_Get', put: 'IndividualEnrollment_CreateOrUpdate', delete: 'IndividualEnrollment_Delete',
    attestation: 'IndividualEnrollment_GetAttestationMechanism', query: 'IndividualEnrollment_Query', bulk: 'IndividualEnrollment_RunBulkOperation',
  },
  group: {
    get: 'EnrollmentGroup_Get', put: 'EnrollmentGroup_CreateOrUpdate', delete: 'EnrollmentGroup_Delete',
    attestation: 'EnrollmentGroup_GetAttestationMechanism', query: 'EnrollmentGroup_Query', bulk: 'EnrollmentGroup_RunBulkOperation',
  },
} as const satisfies Record<ItemKind, Record<string, string>>;
const registrationPath = (id: string, what = 'registrationId'): string => `/registrations/${encodePathSegment(requireId(id, what))}`;

/** A conditional write replayed after it was applied would fail with 412: retry it only when it provably was not processed. */
function writeRetryMode(options: IfMatchOptions): RetryMode {
  return options.ifMatch === undefined ? 'idempotent' : 'ifNotProcessed';
}

function ifMatchHeader(options: IfMatchOptions): Record<string, string> | undefined {
  if (options.ifMatch === undefined) return undefined;
  if (options.ifMatch === '') throw new TypeError('ifMatch must be a non-empty ETag when given.');
  return { 'If-Match': options.ifMatch };
}

function checkBulk(mode: BulkMode, items: object[], idField: 'registrationId' | 'enrollmentGroupId'): void {
  if (!BULK_MODES.includes(mode)) {
    throw new RangeError(`Bulk mode must be one of ${BULK_MODES.join(', ')}.`);
  }
  if (!Array.isArray(items) || items.length === 0) throw new RangeError('A bulk request needs at least one item.');
  if (items.length > MAX_BULK_ITEMS) {
    throw new RangeError(
      `A bulk request takes at most ${MAX_BULK_ITEMS} items; got ${items.length}. Use runBulk to split a longer list.`,
    );
  }
  for (const item of items) requireObjectId(item, idField);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidResponse(call: Call, expected: string, response: TransportResponse): DpsError {
  const got = response.bodyIsText ? 'text that is not JSON' : response.body === undefined ? 'an empty body' : 'JSON of another shape';
  return new DpsError({
    kind: 'invalidResponse',
    operation: call.operation,
    status: response.status,
    message: `The service answered ${call.operation} with ${got} where ${expected} was expected (HTTP ${response.status}).`,
  });
}
