// Requests that go straight to the host (no proxy): one node:http(s) request written with a
// single end(body), the response collected as text.
// Why: axios' http adapter streams even a small string body through a Readable and a transform
// pipeline, wraps the response in streams, and merges configs per request; at 1,000 query pages
// that was most of the gap to the official SDK (which calls https.request directly) in time and
// garbage. Requests that may need a proxy from the environment keep axios' adapter
// (proxy-from-env rules): `mayUseProxy` says which.
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** True when the environment names a proxy, so a non-loopback request must go through axios' adapter. */
export function mayUseProxy(loopback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return !loopback && PROXY_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

export interface DirectRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agent?: http.Agent | https.Agent;
  signal?: AbortSignal;
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

export function directRequest(request: DirectRequest): Promise<DirectResponse> {
  return new Promise((resolve, reject) => {
    const { url, signal, body } = request;
    if (signal?.aborted === true) {
      reject(new RequestCanceled());
      return;
    }
    const headers = { ...request.headers };
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body, 'utf8'));
    const secure = url.protocol === 'https:';
    const options: http.RequestOptions = {
      method: request.method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: request.agent,
    };
    const onAbort = (): void => {
      outgoing.destroy();
      reject(new RequestCanceled());
    };
    const outgoing = (secure ? https : http).request(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    // A string body goes out in the same write as the headers (a Buffer would be a second chunk).
    outgoing.end(body, 'utf8');
  });
}

/** `directRequest` as an axios adapter (for the ARM client), or axios' own when a proxy may apply. */
export function directAdapter(env: NodeJS.ProcessEnv = process.env): AxiosAdapter {
  const viaAxios = axios.getAdapter('http');
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> => {
    if (config.proxy !== false && mayUseProxy(false, env)) return (await viaAxios(config)) as AxiosResponse<string>;
    const secure = (config.baseURL ?? config.url ?? '').startsWith('https:');
    try {
      const response = await directRequest({
        method: (config.method ?? 'get').toUpperCase(),
        url: new URL(config.url ?? '', config.baseURL),
        headers: AxiosHeaders.from(config.headers).toJSON(true),
        body: typeof config.data === 'string' ? config.data : undefined,
        agent: (secure ? config.httpsAgent : config.httpAgent) as http.Agent | undefined,
        signal: config.signal as AbortSignal | undefined,
      });
      return { data: response.text, status: response.status, statusText: response.statusText, headers: response.headers as AxiosResponse['headers'], config };
    } catch (error: unknown) {
      if (error instanceof RequestCanceled) throw new AxiosError('canceled', AxiosError.ERR_CANCELED, config);
      throw error;
    }
  };
}
