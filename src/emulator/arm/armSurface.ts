// The Azure side of the emulator on the same HTTPS server: the test-account token endpoint and the
// ARM paths of Microsoft.Devices/provisioningServices for its one instance. ARM bearer tokens are
// checked (signature, audience https://management.azure.com, expiry) and writes need Contributor.
// Errors use ARM's body {error:{code,message}}.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DPS_ARM_API_VERSION } from '../../azure/armClient';
import type { ServiceResponse } from '../operations';
import { ARM_AUDIENCE, ARM_CONTRIBUTOR, ARM_READER, TokenRejection, type TokenIssuer } from '../tokenIssuer';
import type { ArmInstance } from './armInstance';
import { CaStore, CaStoreError, type StoredCaCertificate } from './caStore';

export const TOKEN_PATH = '/_emulator/token';

export interface ArmSurfaceContext {
  issuer: TokenIssuer;
  certificates: CaStore;
  instance: ArmInstance;
  /** The emulator's service host (localhost:PORT) and its one policy. */
  serviceHostName: () => string;
  keyName: string;
  key: string;
}

export interface ArmRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string | undefined;
}

class ArmFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isArmSurfacePath(pathname: string): boolean {
  const lower = pathname.toLowerCase();
  return lower === TOKEN_PATH || lower === '/subscriptions' || lower.startsWith('/subscriptions/') || lower === '/tenants';
}

export function handleArmRequest(ctx: ArmSurfaceContext, request: ArmRequest): ServiceResponse {
  try {
    if (request.url.pathname.toLowerCase() === TOKEN_PATH) return mintTestToken(ctx, request);
    return route(ctx, request);
  } catch (error) {
    if (error instanceof ArmFailure || error instanceof CaStoreError) {
      return { status: error.status, body: { error: { code: error.code, message: error.message } }, headers: { 'x-ms-request-id': randomUUID() } };
    }
    throw error;
  }
}

// ---- the test account's tokens

function mintTestToken(ctx: ArmSurfaceContext, request: ArmRequest): ServiceResponse {
  // Anyone who can mint tokens can change the data: only processes on this machine may.
  if (!isLoopbackAddress(request.remoteAddress)) throw new ArmFailure(403, 'Forbidden', 'Test tokens are issued to loopback clients only.');
  if (request.method !== 'POST') throw new ArmFailure(405, 'MethodNotAllowed', `Use POST ${TOKEN_PATH}.`);
  const input = parseJsonObject(request.body);
  const scope = input.scope;
  if (typeof scope !== 'string' || scope === '') throw new ArmFailure(400, 'InvalidRequestContent', 'scope is required, e.g. "https://azure-devices-provisioning.net/.default".');
  const role = input.role ?? 'contributor';
  if (role !== 'contributor' && role !== 'reader') throw new ArmFailure(400, 'InvalidRequestContent', "role must be 'contributor' or 'reader'.");
  const lifetime = input.lifetimeSeconds;
  if (lifetime !== undefined && (typeof lifetime !== 'number' || !Number.isInteger(lifetime))) throw new ArmFailure(400, 'InvalidRequestContent', 'lifetimeSeconds must be a whole number.');
  try {
    const minted = ctx.issuer.mint({ scope, level: role, lifetimeSeconds: lifetime });
    return { status: 200, body: { tokenType: 'Bearer', ...minted } };
  } catch (error) {
    throw new ArmFailure(400, 'InvalidRequestContent', error instanceof Error ? error.message : 'Invalid token request.');
  }
}

// ---- ARM paths

type Access = 'read' | 'write';

function route(ctx: ArmSurfaceContext, request: ArmRequest): ServiceResponse {
  const raw = request.url.pathname.split('/').filter((s) => s !== '');
  const seg = raw.map((s) => safeDecode(s));
  const lower = seg.map((s) => s.toLowerCase());
  const method = request.method.toUpperCase();
  const apiVersion = request.url.searchParams.get('api-version');
  if (apiVersion === null) throw new ArmFailure(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  const { instance } = ctx;

  if (lower.length === 1 && (lower[0] === 'subscriptions' || lower[0] === 'tenants')) {
    allow(method, ['GET']);
    authorize(ctx, request, 'read');
    if (lower[0] === 'tenants') return ok({ value: [{ id: `/tenants/${instance.tenantId}`, tenantId: instance.tenantId, displayName: 'DPS emulator tenant' }] });
    return ok({ value: [{ id: `/subscriptions/${instance.subscriptionId}`, subscriptionId: instance.subscriptionId, tenantId: instance.tenantId, displayName: instance.subscriptionName, state: 'Enabled' }] });
  }

  if (lower[1] !== instance.subscriptionId.toLowerCase()) {
    authorize(ctx, request, 'read');
    throw new ArmFailure(404, 'SubscriptionNotFound', `The subscription '${seg[1] ?? ''}' could not be found.`);
  }
  if (apiVersion !== DPS_ARM_API_VERSION) {
    throw new ArmFailure(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion.slice(0, 40)}' is invalid for Microsoft.Devices/provisioningServices in the emulator; use ${DPS_ARM_API_VERSION}.`);
  }

  // /subscriptions/{sub}/providers/Microsoft.Devices/provisioningServices
  if (lower.length === 5 && lower[2] === 'providers' && lower[3] === 'microsoft.devices' && lower[4] === 'provisioningservices') {
    allow(method, ['GET']);
    authorize(ctx, request, 'read');
    return ok({ value: [describeInstance(ctx)] });
  }

  // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Devices/provisioningServices/{name}/...
  const isDps = lower.length >= 8 && lower[2] === 'resourcegroups' && lower[4] === 'providers' && lower[5] === 'microsoft.devices' && lower[6] === 'provisioningservices';
  if (!isDps) throw new ArmFailure(404, 'NotFound', `No ARM operation exists at ${method} ${request.url.pathname.slice(0, 200)} in the emulator.`);
  if (lower[3] !== instance.resourceGroup.toLowerCase() || lower[7] !== instance.name.toLowerCase()) {
    authorize(ctx, request, 'read');
    throw new ArmFailure(404, 'ResourceNotFound', `The Resource 'Microsoft.Devices/provisioningServices/${seg[7]}' under resource group '${seg[3]}' was not found.`);
  }
  const rest = lower.slice(8);
  if (rest.length === 0) {
    allow(method, ['GET']);
    authorize(ctx, request, 'read');
    return ok(describeInstance(ctx));
  }
  if (rest.length === 3 && rest[0] === 'keys' && rest[2] === 'listkeys') {
    allow(method, ['POST']);
    authorize(ctx, request, 'write');
    if (seg[9] !== ctx.keyName) throw new ArmFailure(404, 'KeyNotFound', `The shared access policy '${seg[9]}' does not exist on this instance.`);
    return ok({ keyName: ctx.keyName, primaryKey: ctx.key, secondaryKey: ctx.key, rights: 'ServiceConfig, DeviceConnect, EnrollmentWrite' });
  }
  if (rest[0] !== 'certificates') throw new ArmFailure(404, 'NotFound', `No ARM operation exists at ${method} ${request.url.pathname.slice(0, 200)} in the emulator.`);
  const ifMatch = headerValue(request.headers['if-match']);
  const certificates = ctx.certificates;
  if (rest.length === 1) {
    allow(method, ['GET']);
    authorize(ctx, request, 'read');
    return ok({ value: certificates.list().map((c) => describeCertificate(ctx, c)) });
  }
  const name = seg[9];
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) throw new ArmFailure(400, 'InvalidCertificateName', 'A certificate name is 1 to 128 letters, digits, dots, dashes and underscores.');
  if (rest.length === 2) {
    allow(method, ['GET', 'PUT', 'DELETE']);
    authorize(ctx, request, method === 'GET' ? 'read' : 'write');
    if (method === 'GET') return ok(describeCertificate(ctx, certificates.get(name)));
    if (method === 'DELETE') {
      certificates.delete(name, ifMatch);
      return { status: 200 };
    }
    const body = parseJsonObject(request.body);
    const properties = body.properties;
    const certificate = typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>).certificate : undefined;
    if (typeof certificate !== 'string' || certificate === '') throw new ArmFailure(400, 'InvalidRequestContent', 'properties.certificate is required (base64 DER or PEM).');
    return ok(describeCertificate(ctx, certificates.put(name, certificateDer(certificate), ifMatch)));
  }
  if (rest.length === 3 && rest[2] === 'generateverificationcode') {
    allow(method, ['POST']);
    authorize(ctx, request, 'write');
    const stored = certificates.generateVerificationCode(name, ifMatch);
    return ok({ ...describeCertificate(ctx, stored), properties: { ...certificateProperties(stored), verificationCode: stored.verificationCode } });
  }
  if (rest.length === 3 && rest[2] === 'verify') {
    allow(method, ['POST']);
    authorize(ctx, request, 'write');
    const body = parseJsonObject(request.body);
    if (typeof body.certificate !== 'string' || body.certificate === '') throw new ArmFailure(400, 'InvalidRequestContent', 'certificate (the verification certificate, base64 DER or PEM) is required.');
    return ok(describeCertificate(ctx, certificates.verify(name, ifMatch, certificateDer(body.certificate))));
  }
  throw new ArmFailure(404, 'NotFound', `No ARM operation exists at ${method} ${request.url.pathname.slice(0, 200)} in the emulator.`);
}

function authorize(ctx: ArmSurfaceContext, request: ArmRequest, access: Access): void {
  const header = headerValue(request.headers.authorization);
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) throw new ArmFailure(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or is not a Bearer token.');
  let roles: string[];
  try {
    roles = ctx.issuer.verify(match[1], ARM_AUDIENCE).roles;
  } catch (error) {
    const reason = error instanceof TokenRejection ? error.message : 'The token is not valid.';
    throw new ArmFailure(401, 'InvalidAuthenticationToken', `The access token is invalid: ${reason}`);
  }
  const allowed = roles.includes(ARM_CONTRIBUTOR) || (access === 'read' && roles.includes(ARM_READER));
  if (!allowed) throw new ArmFailure(403, 'AuthorizationFailed', `The client does not have authorization to perform this ${access} action on the provisioning service (it needs ${access === 'read' ? 'Reader or Contributor' : 'Contributor'}).`);
}

function describeInstance(ctx: ArmSurfaceContext): Record<string, unknown> {
  const i = ctx.instance;
  const host = ctx.serviceHostName();
  return {
    id: `/subscriptions/${i.subscriptionId}/resourceGroups/${i.resourceGroup}/providers/Microsoft.Devices/ProvisioningServices/${i.name}`,
    name: i.name,
    type: 'Microsoft.Devices/ProvisioningServices',
    location: i.location,
    etag: 'AAAAAAAADGk=',
    resourcegroup: i.resourceGroup,
    subscriptionid: i.subscriptionId,
    tags: {},
    sku: { name: 'S1', tier: 'Standard', capacity: 1 },
    properties: {
      state: 'Active',
      provisioningState: 'Succeeded',
      allocationPolicy: 'Hashed',
      idScope: i.idScope,
      serviceOperationsHostName: host,
      deviceProvisioningHostName: host,
      iotHubs: i.linkedHubs.map((h) => ({ name: h.hostName, hostName: h.hostName, location: h.location ?? i.location, allocationWeight: h.allocationWeight ?? 1, applyAllocationPolicy: h.applyAllocationPolicy ?? true })),
    },
  };
}

function describeCertificate(ctx: ArmSurfaceContext, c: StoredCaCertificate): Record<string, unknown> {
  const i = ctx.instance;
  return {
    id: `/subscriptions/${i.subscriptionId}/resourceGroups/${i.resourceGroup}/providers/Microsoft.Devices/ProvisioningServices/${i.name}/certificates/${c.name}`,
    name: c.name,
    type: 'Microsoft.Devices/ProvisioningServices/Certificates',
    etag: c.etag,
    properties: certificateProperties(c),
  };
}

function certificateProperties(c: StoredCaCertificate): Record<string, unknown> {
  return {
    subject: c.x509.subject.split('\n').join(', '),
    expiry: new Date(c.x509.validTo).toUTCString(),
    thumbprint: c.x509.fingerprint.replace(/:/g, ''),
    isVerified: c.isVerified,
    created: c.created.toUTCString(),
    updated: c.updated.toUTCString(),
    certificate: c.certificate,
  };
}

function certificateDer(text: string): Buffer {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  const body = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new ArmFailure(400, 'InvalidCertificate', 'The certificate must be base64 DER or PEM.');
  return Buffer.from(body, 'base64');
}

function ok(body: unknown): ServiceResponse {
  return { status: 200, body };
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new ArmFailure(405, 'MethodNotAllowed', `Method ${method} is not allowed here; use ${methods.join(' or ')}.`);
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ArmFailure(400, 'InvalidRequestContent', 'The request content is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArmFailure(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  return value as Record<string, unknown>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ArmFailure(400, 'InvalidRequestUri', 'The request path is not valid URL encoding.');
  }
}

function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export { CaStore };
