// The local DPS emulator: an HTTPS server (plus optional loopback HTTP) in front of the operations,
// with SAS checking, quota, fault injection and optional persistence.
import { constants } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkCertificatePolicyReferences, requireServiceApiVersion, viewForApiVersion } from './adr/certificatePolicyRules';
import { validateAdrLink, type AdrLink } from './adr/adrLink';
import { CertificateIssuer } from './adr/certificateIssuer';
import { createDeviceApi, type DeviceApi, type DeviceApiOptions } from './device/deviceApi';
import { CaCertificateStore, type CaCertificateInput } from './device/caStore';
import { matchDeviceRoute } from './device/deviceRoutes';
import { idScopeForKey } from './device/idScope';
import { EmulatorError, ErrorCodes, errorBody } from './errors';
import { FaultInjector, validateFaultOptions, type FaultDecision, type FaultOptions } from './faults';
import { operations, type ServiceResponse } from './operations';
import { StorePersistence, type StorageStats } from './persistence';
import { SlidingWindowQuota } from './quota';
import { checkRequestBody } from './requestBodyRules';
import { matchRoute, type OperationId } from './routes';
import { authorizeServiceRequest } from './serviceAuthorization';
import { handleArmRequest, isArmSurfacePath, type ArmSurfaceContext } from './arm/armSurface';
import { resolveArmInstance, type ArmInstanceOptions } from './arm/armInstance';
import { CaStore } from './arm/caStore';
import { TokenIssuer } from './tokenIssuer';
import { seedDemo } from './seed';
import { DEFAULT_KEY_NAME, isBase64Key, loadOrCreateServiceKey } from './serviceKey';
import { EmulatorStore } from './store';
import { loadOrCreateTlsMaterial } from './tlsCertificates';

export type { FaultOptions, FaultKind } from './faults';
export { EmulatorStore } from './store';

export interface QuotaOptions {
  operationsPerMinute: number;
}

export interface EmulatorOptions {
  port?: number;
  bindAddress?: string;
  httpPort?: number;
  dataDir?: string;
  dataFile?: string | null;
  keyName?: string;
  key?: string;
  seed?: 'demo' | 'none';
  quota?: QuotaOptions;
  faults?: FaultOptions;
  maxPageSize?: number;
  /** Fold the journal into the data file once it holds this many bytes (or the data file's size, if larger). Default 64 MB. */
  compactAfterBytes?: number;
  /** More `host:port` names clients reach this emulator by (e.g. through a port forward); SAS tokens must name one of these or localhost/127.0.0.1/[::1] with the emulator's port. */
  hostNames?: string[];
  /** The device API's ID scope; default derived from the service key (stable across restarts). */
  idScope?: string;
  /** Device API pacing: Retry-After seconds and the least time an operation stays 'assigning'. */
  device?: Pick<DeviceApiOptions, 'retryAfterSeconds' | 'assignDelayMs' | 'defaultHub'>;
  /** Verified CA certificates that enrollment groups' caReferences can name. */
  caCertificates?: CaCertificateInput[];
  log?: (line: string) => void;
  /** Sees each authenticated service request (operation and parsed JSON body), e.g. to check clients against the spec. */
  observe?: (request: ObservedRequest) => void;
  /** The instance presented through the ARM paths (subscription, names, ID scope, linked hubs). */
  arm?: ArmInstanceOptions;
  /** The Azure Device Registry namespace this instance is linked to (api-version 2026-11-01 certificate policies). */
  adr?: AdrLink;
}

export interface ObservedRequest {
  operationId: string;
  method: string;
  path: string;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
}

export interface EmulatorStats {
  requests: number;
  byOperation: Record<string, number>;
  throttled: number;
  faultsInjected: number;
}

export interface RunningEmulator {
  url: string;
  hostName: string;
  port: number;
  httpUrl?: string;
  connectionString: string;
  /** ID scope of the device API: https://HOST/{idScope}/registrations/{registrationId}/register */
  idScope: string;
  deviceApi: DeviceApi;
  caCertificatePath: string;
  caCertificatePem: string;
  store: EmulatorStore;
  /** Path of the data file, or undefined when the data lives in memory only. */
  dataFile?: string;
  /** Signs and checks the emulator's Entra tokens; `mint` gives tokens for the test account. */
  tokenIssuer: TokenIssuer;
  /** CA certificates uploaded through ARM; `verifiedCaCertificates()` is for the device API. */
  caCertificates: CaStore;
  /** ARM resource id of the emulator's instance. */
  armResourceId: string;
  /** Journal and snapshot figures; undefined in memory-only mode. */
  storageStats(): StorageStats | undefined;
  /** Folds the journal into the data file now (it also happens on its own); resolves when done. */
  compact(): Promise<void>;
  /** Issues device certificates for the linked ADR namespace; undefined when not linked. */
  certificateIssuer?: CertificateIssuer;
  setFaults(f: FaultOptions | undefined): void;
  setQuota(q: QuotaOptions | undefined): void;
  stats(): EmulatorStats;
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = join(homedir(), '.dps-enrollments', 'emulator');
export const DATA_FILE_NAME = 'emulator-data.json';
/** Request bodies above this are refused (the service's message limit is 96 KB). */
export const MAX_BODY_BYTES = 256 * 1024;
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
/** Operations whose body carries enrollments or groups (the certificate-policy reference is checked there). */
const WRITES: ReadonlySet<string> = new Set(['IndividualEnrollment_CreateOrUpdate', 'IndividualEnrollment_RunBulkOperation', 'EnrollmentGroup_CreateOrUpdate', 'EnrollmentGroup_RunBulkOperation']);

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new EmulatorError(413, ErrorCodes.payloadTooLarge, `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parsedOrUndefined(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, response: ServiceResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: string | undefined;
  if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
  } else {
    headers['content-length'] = '0';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

function errorResponse(error: EmulatorError): ServiceResponse {
  return {
    status: error.status,
    body: errorBody(error),
    headers: { ...error.headers, 'x-ms-error-code': String(error.errorCode) },
  };
}

function faultError(kind: '429' | '500' | '503', retryAfterSeconds: number): EmulatorError {
  if (kind === '429') {
    return new EmulatorError(429, ErrorCodes.throttled, 'Too many requests (injected fault).', { 'retry-after': String(retryAfterSeconds) });
  }
  if (kind === '503') {
    return new EmulatorError(503, ErrorCodes.unavailable, 'Service unavailable (injected fault).', { 'retry-after': String(retryAfterSeconds) });
  }
  return new EmulatorError(500, ErrorCodes.internal, 'Internal server error (injected fault).');
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const keyName = options.keyName ?? DEFAULT_KEY_NAME;
  const maxPageSize = options.maxPageSize ?? 100;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new RangeError('maxPageSize must be a positive integer.');
  if (options.key !== undefined && !isBase64Key(options.key)) throw new Error('The emulator key must be base64 of at least 16 bytes.');
  if (options.httpPort !== undefined && !LOOPBACK.includes(bindAddress)) {
    throw new Error('Plain HTTP is offered only when the emulator binds to a loopback address.');
  }

  const adr = options.adr === undefined ? undefined : validateAdrLink(options.adr);
  const tls = loadOrCreateTlsMaterial(dataDir);
  const key = options.key ?? loadOrCreateServiceKey(dataDir);
  const store = new EmulatorStore();
  const dataFile = options.dataFile === null ? undefined : options.dataFile ?? join(dataDir, DATA_FILE_NAME);
  // Every change is journaled and answered only once on disk (persistence.ts).
  const persistence = dataFile === undefined
    ? undefined
    : await StorePersistence.open(store, dataFile, { compactAfterBytes: options.compactAfterBytes, log });
  if (options.seed === 'demo') seedDemo(store);

  let quota = options.quota === undefined ? undefined : new SlidingWindowQuota(options.quota.operationsPerMinute);
  let faults = options.faults === undefined ? undefined : new FaultInjector(validateFaultOptions(options.faults));
  const stats: EmulatorStats = { requests: 0, byOperation: {}, throttled: 0, faultsInjected: 0 };
  let acceptedResources: string[] = [];
  const tokenIssuer = new TokenIssuer();
  const caCertificates = new CaStore();
  // One ID scope for the device API and the instance ARM describes.
  const idScope = options.idScope ?? options.arm?.idScope ?? idScopeForKey(key);
  const armInstance = resolveArmInstance({ ...options.arm, idScope }, tokenIssuer.tenantId);
  let serviceHostName = '';
  const armContext: ArmSurfaceContext = { issuer: tokenIssuer, certificates: caCertificates, instance: armInstance, serviceHostName: () => serviceHostName, keyName, key };
  const certificateIssuer = adr === undefined ? undefined : new CertificateIssuer(adr);
  const deviceApi = createDeviceApi({ store, idScope, adr, certificateIssuer, caStore: new CaCertificateStore(options.caCertificates, (name) => caCertificates.verifiedCaCertificates().find((c) => c.name.toLowerCase() === name.toLowerCase())?.certificate), log, ...options.device });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const started = Date.now();
    let operationId: OperationId | undefined;
    let fault: FaultDecision | undefined;
    const changesBefore = persistence?.changeCount;
    const reply = (response: ServiceResponse) => {
      send(res, response);
      log(`${req.method ?? '?'} ${url.pathname} ${response.status} ${Date.now() - started}ms${operationId ? ' ' + operationId : ''}`);
    };
    // A request that changed the store is answered only once its changes are on disk.
    const finish = (response: ServiceResponse) => {
      const durable = persistence?.whenDurable(changesBefore);
      if (durable === undefined) return reply(response);
      durable.then(() => reply(response), (error: unknown) => {
        log(`not saved: ${error instanceof Error ? error.message : String(error)}`);
        reply(errorResponse(new EmulatorError(500, ErrorCodes.internal, 'The change could not be saved to the emulator data file.')));
      });
    };
    try {
      if (isArmSurfacePath(url.pathname)) {
        const armBody = await readBody(req);
        finish(handleArmRequest(armContext, { method: req.method ?? 'GET', url, headers: req.headers, body: armBody, remoteAddress: req.socket.remoteAddress }));
        return;
      }
      const deviceRoute = matchDeviceRoute(req.method ?? 'GET', url.pathname);
      if (deviceRoute !== undefined) {
        const body = await readBody(req);
        finish(await deviceApi.handle({ route: deviceRoute, apiVersion: url.searchParams.get('api-version'), headers: req.headers, body, socket: req.socket }));
        return;
      }
      const route = matchRoute(req.method ?? 'GET', url.pathname);
      operationId = route.operationId;
      const body = await readBody(req);
      checkRequestBody(body, req.headers['content-type']);
      const apiVersion = requireServiceApiVersion(url.searchParams.get('api-version'));
      // The token's sr must name this emulator as configured, never merely the request's Host header:
      // a token minted for another DPS host must not work here even when Host says that host.
      authorizeServiceRequest(req.headers.authorization, route.operationId, { keyName, key, acceptedResources }, tokenIssuer);
      options.observe?.({ operationId: route.operationId, method: req.method ?? 'GET', path: url.pathname, body: parsedOrUndefined(body) });

      stats.byOperation[route.operationId] = (stats.byOperation[route.operationId] ?? 0) + 1;
      if (quota !== undefined) {
        const decision = quota.tryAcquire();
        if (!decision.allowed) {
          stats.throttled += 1;
          const seconds = String(decision.retryAfterSeconds ?? 1);
          throw new EmulatorError(429, ErrorCodes.throttled, 'The operations-per-minute quota of this provisioning service is exhausted.', { 'retry-after': seconds });
        }
      }
      fault = faults?.next();
      if (fault !== undefined) {
        stats.faultsInjected += 1;
        const f = faults?.options;
        if (fault.kind === 'delay') await sleep(f?.delayMs ?? 1000);
        else if (!fault.afterProcessing) {
          if (fault.kind === 'reset') {
            log(`${req.method ?? '?'} ${url.pathname} reset (injected)`);
            req.socket.destroy();
            return;
          }
          throw faultError(fault.kind, f?.retryAfterSeconds ?? 1);
        }
      }
      if (WRITES.has(route.operationId)) checkCertificatePolicyReferences(parsedOrUndefined(body), apiVersion, adr);
      const answered = operations[route.operationId]({ store, maxPageSize }, { route, headers: req.headers, body });
      const response = answered.body === undefined ? answered : { ...answered, body: viewForApiVersion(answered.body, apiVersion) };
      if (fault?.afterProcessing === true) {
        if (fault.kind === 'reset') {
          log(`${req.method ?? '?'} ${url.pathname} applied, then reset (injected)`);
          req.socket.destroy();
          return;
        }
        throw faultError('500', 1);
      }
      finish(response);
    } catch (error) {
      if (error instanceof EmulatorError) {
        finish(errorResponse(error));
      } else {
        log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
        finish(errorResponse(new EmulatorError(500, ErrorCodes.internal, 'Internal error in the emulator.')));
      }
    }
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      log(`failed to answer: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  };

  // X.509 devices authenticate with a client certificate: requested, never required, checked per
  // request. No session tickets: a resumed TLS session carries the leaf but not the chain.
  const server = https.createServer({
    key: tls.serverKeyPem, cert: tls.serverCertificatePem, requestCert: true, rejectUnauthorized: false, secureOptions: constants.SSL_OP_NO_TICKET,
  }, handler);
  server.listen(options.port ?? 0, bindAddress);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const hostName = `localhost:${port}`;
  serviceHostName = hostName;
  acceptedResources = [hostName, `127.0.0.1:${port}`, `[::1]:${port}`, ...(options.hostNames ?? []).map((h) => h.toLowerCase())];

  let httpServer: http.Server | undefined;
  let httpUrl: string | undefined;
  if (options.httpPort !== undefined) {
    httpServer = http.createServer(handler);
    httpServer.listen(options.httpPort, '127.0.0.1');
    try {
      await once(httpServer, 'listening');
    } catch (error) {
      server.close();
      throw error;
    }
    const httpPort = (httpServer.address() as AddressInfo).port;
    httpUrl = `http://localhost:${httpPort}`;
    acceptedResources.push(`localhost:${httpPort}`, `127.0.0.1:${httpPort}`);
  }

  let stopping: Promise<void> | undefined;
  const closeServer = async (s: http.Server) => {
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeIdleConnections();
    // In-flight requests get a moment to finish; then whatever is left is cut.
    const timer = setTimeout(() => s.closeAllConnections(), 3000);
    await closed;
    clearTimeout(timer);
  };

  return {
    url: `https://${hostName}`,
    hostName,
    port,
    httpUrl,
    connectionString: `HostName=${hostName};SharedAccessKeyName=${keyName};SharedAccessKey=${key}`,
    idScope,
    deviceApi,
    caCertificatePath: tls.caCertificatePath,
    caCertificatePem: tls.caCertificatePem,
    store,
    dataFile,
    tokenIssuer,
    caCertificates,
    certificateIssuer,
    armResourceId: `/subscriptions/${armInstance.subscriptionId}/resourceGroups/${armInstance.resourceGroup}/providers/Microsoft.Devices/provisioningServices/${armInstance.name}`,
    storageStats: () => persistence?.stats(),
    compact: () => persistence?.compact() ?? Promise.resolve(),
    setFaults(f) {
      faults = f === undefined ? undefined : new FaultInjector(validateFaultOptions(f));
    },
    setQuota(q) {
      quota = q === undefined ? undefined : new SlidingWindowQuota(q.operationsPerMinute);
    },
    stats: () => ({ ...stats, byOperation: { ...stats.byOperation } }),
    stop() {
      stopping ??= (async () => {
        await Promise.all([closeServer(server), httpServer ? closeServer(httpServer) : Promise.resolve()]);
        try {
          await persistence?.close();
        } catch (error) {
          throw new Error(`Could not save the emulator data file ${dataFile ?? ''}: ${(error as Error).message}`, { cause: error });
        }
      })();
      return stopping;
    },
  };
}
