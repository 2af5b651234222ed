// Azure Resource Manager over plain REST for what the extension needs of Microsoft.Devices/
// provisioningServices: subscriptions, instances (ID scope, hosts, linked hubs), a policy's keys and
// CA certificates. The same axios setup as src/dps/transport.ts: TLS verification stays on, a private
// CA is trusted only for a loopback endpoint (the emulator), no redirects, and the bearer token is sent
// only to the configured endpoint (a nextLink to another origin is refused).
import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import { AxiosHeaders, type AxiosAdapter, type AxiosInstance } from 'axios';
import { BearerTokenAuth, type TokenProvider } from '../dps/auth';
import { isLoopbackHost } from '../dps/connectionString';
import { createRawHttp } from '../dps/axiosHttp';
import { DpsError } from '../dps/errors';
import { parseRetryAfter } from '../dps/retryPolicy';
import { ArmError, armErrorFromResponse } from './armErrors';
import {
  ArmShapeError,
  parseCertificate,
  parsePage,
  parseProvisioningService,
  parseSharedAccessKeys,
  parseSubscription,
  type AzureSubscription,
  type CaCertificate,
  type ProvisioningServiceInfo,
  type SharedAccessKeys,
} from './armModels';
import { dpsPath, parseDpsResourceId, type DpsResourceId } from './resourceId';

/** Newest stable api-version of Microsoft.Devices/provisioningServices in azure-rest-api-specs. */
export const DPS_ARM_API_VERSION = '2026-08-01';
/** Microsoft.Resources subscriptions. */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
const MAX_PAGES = 1000;

export interface ArmRequestEvent {
  operation: string;
  method: string;
  /** Path without query; holds no secret. */
  path: string;
  status?: number;
  durationMs: number;
  requestId?: string;
}

export interface ArmClientOptions {
  /** ARM endpoint, e.g. https://management.azure.com or the emulator's https://localhost:PORT. */
  endpoint: string;
  tokenProvider: TokenProvider;
  /** PEM CA trusted only when the endpoint is a loopback host (the emulator). */
  ca?: string | Buffer;
  timeoutMs?: number;
  onRequest?: (event: ArmRequestEvent) => void;
  /** Replaces axios' network adapter; for unit tests. */
  adapter?: AxiosAdapter;
  now?: () => number;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

interface ArmCall {
  operation: string;
  method: Method;
  /** Path (with api-version added here) or a nextLink URL on the same origin. */
  path: string;
  apiVersion?: string;
  body?: unknown;
  ifMatch?: string;
}

export type DpsRef = DpsResourceId | string;

export class ArmClient {
  readonly endpoint: string;
  private readonly http: AxiosInstance;
  private readonly auth: BearerTokenAuth;
  private readonly agent: https.Agent;
  private readonly onRequest?: (event: ArmRequestEvent) => void;
  private readonly timeoutMs: number;

  constructor(options: ArmClientOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== 'https:') throw new RangeError(`Azure Resource Manager must be reached over HTTPS; got ${url.protocol}`);
    this.endpoint = url.origin;
    const loopback = isLoopbackHost(url.host);
    this.agent = new https.Agent({ keepAlive: true, ...(loopback && options.ca !== undefined ? { ca: options.ca } : {}) });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.auth = new BearerTokenAuth(options.tokenProvider, { now: options.now });
    this.onRequest = options.onRequest;
    this.http = createRawHttp({ baseURL: this.endpoint, agent: this.agent, loopback, adapter: options.adapter });
  }

  dispose(): void {
    this.agent.destroy();
  }

  // ---- subscriptions and instances

  async listSubscriptions(): Promise<AzureSubscription[]> {
    return await this.list({ operation: 'Subscriptions_List', method: 'GET', path: '/subscriptions', apiVersion: SUBSCRIPTIONS_API_VERSION }, 'subscriptions', parseSubscription);
  }

  /** Directories the signed-in account belongs to, for the tenant choice. */
  async listTenants(): Promise<{ tenantId: string; displayName?: string }[]> {
    return await this.list({ operation: 'Tenants_List', method: 'GET', path: '/tenants', apiVersion: SUBSCRIPTIONS_API_VERSION }, 'tenants', (value) => {
      const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      if (typeof record.tenantId !== 'string' || record.tenantId === '') throw new ArmShapeError('Azure returned a tenant without "tenantId".');
      return { tenantId: record.tenantId, ...(typeof record.displayName === 'string' ? { displayName: record.displayName } : {}) };
    });
  }

  async listProvisioningServices(subscriptionId: string): Promise<ProvisioningServiceInfo[]> {
    const path = `/subscriptions/${encodeURIComponent(requireText(subscriptionId, 'subscriptionId'))}/providers/Microsoft.Devices/provisioningServices`;
    return await this.list({ operation: 'IotDpsResource_ListBySubscription', method: 'GET', path }, 'provisioning services', parseProvisioningService);
  }

  async getProvisioningService(ref: DpsRef): Promise<ProvisioningServiceInfo> {
    return parseProvisioningService(await this.json({ operation: 'IotDpsResource_Get', method: 'GET', path: pathOf(ref) }));
  }

  /** The keys of one shared access policy. The answer holds secrets: the caller stores them, never logs them. */
  async listKeysForKeyName(ref: DpsRef, keyName: string): Promise<SharedAccessKeys> {
    const path = `${pathOf(ref)}/keys/${encodeURIComponent(requireText(keyName, 'keyName'))}/listkeys`;
    return parseSharedAccessKeys(await this.json({ operation: 'IotDpsResource_ListKeysForKeyName', method: 'POST', path }));
  }

  // ---- CA certificates

  async listCertificates(ref: DpsRef): Promise<CaCertificate[]> {
    return await this.list({ operation: 'DpsCertificate_List', method: 'GET', path: `${pathOf(ref)}/certificates` }, 'certificates', parseCertificate);
  }

  async getCertificate(ref: DpsRef, name: string): Promise<CaCertificate> {
    return parseCertificate(await this.json({ operation: 'DpsCertificate_Get', method: 'GET', path: certificatePath(ref, name) }));
  }

  /** Uploads (or replaces, with the etag) a CA certificate; `certificate` is PEM or base64 DER. */
  async createOrUpdateCertificate(ref: DpsRef, name: string, certificate: string, options: { ifMatch?: string } = {}): Promise<CaCertificate> {
    return parseCertificate(
      await this.json({
        operation: 'DpsCertificate_CreateOrUpdate',
        method: 'PUT',
        path: certificatePath(ref, name),
        body: { properties: { certificate: base64Der(certificate) } },
        ifMatch: options.ifMatch,
      }),
    );
  }

  async deleteCertificate(ref: DpsRef, name: string, etag: string): Promise<void> {
    await this.exchange({ operation: 'DpsCertificate_Delete', method: 'DELETE', path: certificatePath(ref, name), ifMatch: requireText(etag, 'etag') });
  }

  /** A fresh verification code (the certificate's etag changes with it). */
  async generateVerificationCode(ref: DpsRef, name: string, etag: string): Promise<CaCertificate & { verificationCode: string }> {
    const certificate = parseCertificate(
      await this.json({ operation: 'DpsCertificate_GenerateVerificationCode', method: 'POST', path: `${certificatePath(ref, name)}/generateVerificationCode`, ifMatch: requireText(etag, 'etag') }),
    );
    if (certificate.verificationCode === undefined) throw new ArmError({ kind: 'invalidResponse', operation: 'DpsCertificate_GenerateVerificationCode', message: 'Azure returned no verification code.' });
    return { ...certificate, verificationCode: certificate.verificationCode };
  }

  /** Proof of possession: the verification certificate (CN = code) signed by the CA's key. */
  async verifyCertificate(ref: DpsRef, name: string, etag: string, verificationCertificate: string): Promise<CaCertificate> {
    return parseCertificate(
      await this.json({
        operation: 'DpsCertificate_VerifyCertificate',
        method: 'POST',
        path: `${certificatePath(ref, name)}/verify`,
        body: { certificate: base64Der(verificationCertificate) },
        ifMatch: requireText(etag, 'etag'),
      }),
    );
  }

  // ---- plumbing

  private async list<T>(call: ArmCall, what: string, parse: (value: unknown) => T): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let next: ArmCall | undefined = call;
    for (let page = 0; next !== undefined; page += 1) {
      if (page >= MAX_PAGES) throw new ArmError({ kind: 'invalidResponse', operation: call.operation, message: `Azure returned more than ${MAX_PAGES} pages of ${what}.` });
      const body = await this.json(next);
      const parsed = this.shaped(call.operation, () => parsePage(body, what));
      items.push(...parsed.items.map((item) => this.shaped(call.operation, () => parse(item))));
      if (parsed.nextLink === undefined) break;
      if (seen.has(parsed.nextLink)) throw new ArmError({ kind: 'invalidResponse', operation: call.operation, message: 'Azure returned the same nextLink twice.' });
      seen.add(parsed.nextLink);
      next = { ...call, path: this.sameOrigin(parsed.nextLink, call.operation), apiVersion: undefined };
    }
    return items;
  }

  private shaped<T>(operation: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ArmShapeError || error instanceof TypeError) throw new ArmError({ kind: 'invalidResponse', operation, message: error.message });
      throw error;
    }
  }

  /** A nextLink keeps its own query (api-version, skip token) and must stay on our endpoint: the token goes with it. */
  private sameOrigin(link: string, operation: string): string {
    let url: URL;
    try {
      url = new URL(link, this.endpoint);
    } catch {
      throw new ArmError({ kind: 'invalidResponse', operation, message: 'Azure returned a nextLink that is not a URL.' });
    }
    if (url.origin !== this.endpoint) throw new ArmError({ kind: 'invalidResponse', operation, message: `Azure returned a nextLink to another host (${url.host}); it was not followed.` });
    return `${url.pathname}${url.search}`;
  }

  private async json(call: ArmCall): Promise<unknown> {
    const { body } = await this.exchange(call);
    if (body === undefined) throw new ArmError({ kind: 'invalidResponse', operation: call.operation, message: 'Azure returned an empty answer where JSON was expected.' });
    return body;
  }

  private async exchange(call: ArmCall): Promise<{ status: number; body: unknown }> {
    let authorization: string;
    try {
      authorization = await this.auth.authorization();
    } catch (error) {
      throw new ArmError({ kind: 'auth', operation: call.operation, message: error instanceof DpsError ? error.message : 'Could not get a Microsoft Entra token for Azure Resource Manager.' });
    }
    const clientRequestId = randomUUID();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: authorization,
      'x-ms-client-request-id': clientRequestId,
    };
    if (call.ifMatch !== undefined) headers['If-Match'] = call.ifMatch;
    const data = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (data !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    const url = call.apiVersion === undefined && call.path.includes('api-version=')
      ? call.path
      : `${call.path}${call.path.includes('?') ? '&' : '?'}api-version=${call.apiVersion ?? DPS_ARM_API_VERSION}`;
    const started = performance.now();
    let response;
    try {
      response = await this.http.request<string>({ method: call.method, url, headers, data, timeout: this.timeoutMs });
    } catch (error) {
      // Only the code survives: the axios error's config holds the Authorization header.
      const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
      const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      throw new ArmError({
        kind: timedOut ? 'timeout' : 'network',
        operation: call.operation,
        message: timedOut ? `Azure Resource Manager did not answer within ${this.timeoutMs / 1000} s.` : `Could not reach Azure Resource Manager at ${this.endpoint}${typeof code === 'string' ? ` (${code})` : ''}.`,
      });
    }
    const requestId = header(response.headers, 'x-ms-request-id') ?? clientRequestId;
    this.emit({ operation: call.operation, method: call.method, path: url.split('?')[0], status: response.status, durationMs: Math.round(performance.now() - started), requestId });
    const body = parseJson(typeof response.data === 'string' ? response.data : '');
    if (response.status === 401) this.auth.invalidate();
    if (response.status < 200 || response.status >= 300) {
      throw armErrorFromResponse(call.operation, response.status, body, { requestId, path: url.split('?')[0], retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after')) });
    }
    return { status: response.status, body };
  }

  private emit(event: ArmRequestEvent): void {
    try {
      this.onRequest?.(event);
    } catch {
      // A failing logger must not fail the request.
    }
  }
}

function pathOf(ref: DpsRef): string {
  return dpsPath(typeof ref === 'string' ? parseDpsResourceId(ref) : ref);
}

function certificatePath(ref: DpsRef, name: string): string {
  return `${pathOf(ref)}/certificates/${encodeURIComponent(requireText(name, 'certificate name'))}`;
}

function requireText(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${what} is required (a non-empty string).`);
  return value;
}

/** PEM (one certificate) or base64 DER to base64 DER, the ".cer" form the spec describes. */
export function base64Der(certificate: string): string {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certificate);
  const body = (pem ? pem[1] : certificate).replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new TypeError('The certificate must be PEM or base64 DER.');
  return body;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function header(raw: unknown, name: string): string | undefined {
  const source = raw instanceof AxiosHeaders ? raw.toJSON() : (raw as Record<string, unknown> | undefined) ?? {};
  for (const [key, value] of Object.entries(source)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}
