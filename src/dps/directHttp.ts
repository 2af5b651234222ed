// Requests that go straight to the host (no proxy): one node:http(s) request written with a
// single end(body), the response collected as text.
// Why: axios' http adapter streams even a small string body through a Readable and a transform
// pipeline, wraps the response in streams, and merges configs per request; at 1,000 query pages
// that was most of the gap to the official SDK (which calls https.request directly) in time and
// garbage. Requests that may need a proxy from the environment keep axios' adapter
// (proxy-from-env rules): `mayUseProxy` says which. No axios here: it loads (with Node's fetch
// stack) only when a proxy, a test adapter or the ARM client needs it (axiosHttp.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** True when the environment names a proxy, so a non-loopback request must go through axios' adapter. */
export function mayUseProxy(loopback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return !loopback && PROXY_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

/** Where requests go; worked out once per client, not parsed from a URL per request. */
export interface DirectOrigin {
  secure: boolean;
  /** Without IPv6 brackets. */
  hostname: string;
  port?: number;
  /** The TLS server name (SNI and the name checked): the host name, '' for an IP address, as node works it out per request otherwise. */
  servername: string;
}

export function directOrigin(url: URL): DirectOrigin {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  return {
    secure: url.protocol === 'https:',
    hostname,
    port: url.port === '' ? undefined : Number(url.port),
    servername: isIP(hostname) === 0 ? hostname : '',
  };
}

export interface DirectRequest {
  method: string;
  origin: DirectOrigin;
  /** Path and query, starting with '/'. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  agent?: http.Agent | https.Agent;
  signal?: AbortSignal;
  /** No whole answer within this many ms rejects with RequestTimedOut. */
  timeoutMs?: number;
}

export interface DirectResponse {
  status: number;
  statusText: string;
  /** As node gives them: lower-case names. */
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Thrown when `signal` aborts; transport and ARM client map it by their own flags, never by its text. */
export class RequestCanceled extends Error {
  readonly code = 'ERR_CANCELED';
  constructor() {
    super('canceled');
  }
}

/** Thrown when no whole answer came within `timeoutMs`. */
export class RequestTimedOut extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super('timed out');
  }
}

export function directRequest(request: DirectRequest): Promise<DirectResponse> {
  return new Promise((resolve, reject) => {
    const { origin, signal, body, timeoutMs } = request;
    if (signal?.aborted === true) {
      reject(new RequestCanceled());
      return;
    }
    const headers = body === undefined ? request.headers : { ...request.headers, 'Content-Length': String(Buffer.byteLength(body, 'utf8')) };
    const options: http.RequestOptions = {
      method: request.method,
      hostname: origin.hostname,
      port: origin.port,
      path: request.path,
      headers,
      agent: request.agent,
      ...(origin.secure ? { servername: origin.servername } : {}),
    };
    // One timer and one abort listener, both dropped when the request settles either way.
    let timer: NodeJS.Timeout | undefined;
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error): void => {
      settle();
      outgoing.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new RequestCanceled());
    const outgoing = (origin.secure ? https : http).request(options, (response) => {
      // Decoded as it arrives (a character split across chunks is kept whole): no chunk list to
      // concatenate into one more off-heap copy per page, which showed as resident memory when listing.
      response.setEncoding('utf8');
      let text = '';
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('error', fail);
      response.on('end', () => {
        settle();
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text });
      });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => fail(new RequestTimedOut(timeoutMs)), timeoutMs);
    outgoing.on('error', (error) => {
      settle();
      reject(error);
    });
    // A string body goes out in the same write as the headers (a Buffer would be a second chunk).
    outgoing.end(body, 'utf8');
  });
}
