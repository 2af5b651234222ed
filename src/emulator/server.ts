// The local DPS emulator: an HTTPS server (plus optional loopback HTTP) in front of the operations,
// with SAS checking, quota, fault injection and optional persistence.
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSION } from '../dps/models';
import { checkDeviceApiVersion, registerDevice } from './deviceRegistration';
import { EmulatorError, ErrorCodes, errorBody } from './errors';
import { FaultInjector, validateFaultOptions, type FaultDecision, type FaultOptions } from './faults';
import { operations, type ServiceResponse } from './operations';
import { StorePersistence, type StorageStats } from './persistence';
import { SlidingWindowQuota } from './quota';
import { checkRequestBody } from './requestBodyRules';
import { matchRoute, type OperationId } from './routes';
import { verifyServiceAuthorization } from './sasVerifier';
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
  log?: (line: string) => void;
  /** Sees each authenticated service request (operation and parsed JSON body), e.g. to check clients against the spec. */
  observe?: (request: ObservedRequest) => void;
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
  caCertificatePath: string;
  caCertificatePem: string;
  store: EmulatorStore;
  /** Path of the data file, or undefined when the data lives in memory only. */
  dataFile?: string;
  /** Journal and snapshot figures; undefined in memory-only mode. */
  storageStats(): StorageStats | undefined;
  /** Folds the journal into the data file now (it also happens on its own); resolves when done. */
  compact(): Promise<void>;
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
      const route = matchRoute(req.method ?? 'GET', url.pathname);
      operationId = route.operationId;
      const body = await readBody(req);
      checkRequestBody(body, req.headers['content-type']);
      if (route.operationId === 'Device_Register') {
        checkDeviceApiVersion(url.searchParams.get('api-version'));
        finish({ status: 200, body: registerDevice(store, route.idScope ?? '', route.id, req.headers, body) });
        return;
      }
      const apiVersion = url.searchParams.get('api-version');
      if (apiVersion === null) throw new EmulatorError(400, ErrorCodes.invalidApiVersion, `The api-version query parameter is required (use ${API_VERSION}).`);
      if (apiVersion !== API_VERSION) throw new EmulatorError(400, ErrorCodes.invalidApiVersion, `api-version '${apiVersion}' is not supported; use ${API_VERSION}.`);
      // The token's sr must name this emulator as configured, never merely the request's Host header:
      // a token minted for another DPS host must not work here even when Host says that host.
      verifyServiceAuthorization(req.headers.authorization, { keyName, key, acceptedResources });
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
      const response = operations[route.operationId]({ store, maxPageSize }, { route, headers: req.headers, body });
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

  const server = https.createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, handler);
  server.listen(options.port ?? 0, bindAddress);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const hostName = `localhost:${port}`;
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
    caCertificatePath: tls.caCertificatePath,
    caCertificatePem: tls.caCertificatePem,
    store,
    dataFile,
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
