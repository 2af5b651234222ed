// The axios side of the HTTP clients: an axios instance that leaves status and body to the caller,
// for the ARM client, a proxy from the environment, or a test adapter. Loaded only then: axios
// pulls in Node's fetch stack and form-data (about 60 ms of the extension's start when it was
// imported eagerly).
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { directOrigin, directRequest, mayUseProxy, RequestCanceled } from './directHttp';

export interface RawHttpOptions {
  baseURL: string;
  agent: http.Agent | https.Agent;
  loopback: boolean;
  adapter?: AxiosAdapter;
}

/**
 * An axios instance that leaves status and body handling to the caller (no throwing on 4xx/5xx, no
 * JSON guessing, no redirects), for the DPS service and for ARM alike.
 */
export function createRawHttp(options: RawHttpOptions): AxiosInstance {
  return axios.create({
    baseURL: options.baseURL,
    ...(options.agent instanceof https.Agent ? { httpsAgent: options.agent } : { httpAgent: options.agent }),
    // A loopback emulator must never be routed through a proxy from the environment.
    proxy: options.loopback ? false : undefined,
    maxRedirects: 0,
    responseType: 'text',
    validateStatus: () => true,
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    // One write per request instead of axios' streamed body (see directAdapter.ts).
    adapter: options.adapter ?? directAdapter(),
  });
}

/** `directRequest` as an axios adapter (for the ARM client), or axios' own when a proxy may apply. */
export function directAdapter(env: NodeJS.ProcessEnv = process.env): AxiosAdapter {
  const viaAxios = axios.getAdapter('http');
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> => {
    if (config.proxy !== false && mayUseProxy(false, env)) return (await viaAxios(config)) as AxiosResponse<string>;
    try {
      const url = new URL(config.url ?? '', config.baseURL);
      const origin = directOrigin(url);
      const response = await directRequest({
        method: (config.method ?? 'get').toUpperCase(),
        origin,
        path: `${url.pathname}${url.search}`,
        headers: AxiosHeaders.from(config.headers).toJSON(true),
        body: typeof config.data === 'string' ? config.data : undefined,
        agent: (origin.secure ? config.httpsAgent : config.httpAgent) as http.Agent | undefined,
        signal: config.signal as AbortSignal | undefined,
      });
      return { data: response.text, status: response.status, statusText: response.statusText, headers: response.headers as AxiosResponse['headers'], config };
    } catch (error: unknown) {
      if (error instanceof RequestCanceled) throw new AxiosError('canceled', AxiosError.ERR_CANCELED, config);
      throw error;
    }
  };
}
