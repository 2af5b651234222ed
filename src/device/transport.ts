// One HTTPS exchange with the device API: TLS verification always on (a private CA is trusted only
// for a loopback emulator), an optional TLS client certificate, a timeout and cancellation.
import * as https from 'node:https';
import { isLoopbackHost } from '../dps/connectionString';
import { DeviceProvisioningError } from './errors';

export interface ClientCertificate {
  certificatePem: string;
  privateKeyPem: string;
  passphrase?: string;
}

export interface DeviceTransportOptions {
  /** host or host:port, no scheme. */
  host: string;
  /** PEM CA trusted for a loopback host only (the emulator's); ignored for any other host. */
  ca?: string;
  clientCertificate?: ClientCertificate;
  timeoutMs: number;
}

export interface DeviceResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface DeviceTransport {
  send(method: 'PUT' | 'GET' | 'POST', path: string, headers: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<DeviceResponse>;
  dispose(): void;
}

export function createDeviceTransport(options: DeviceTransportOptions): DeviceTransport {
  const loopback = isLoopbackHost(options.host);
  const [hostname, portText] = splitHost(options.host);
  const agent = new https.Agent({
    keepAlive: true,
    // No TLS session reuse: an X.509 device must present its chain on every connection.
    maxCachedSessions: 0,
    ...(loopback && options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.clientCertificate === undefined
      ? {}
      : { cert: options.clientCertificate.certificatePem, key: options.clientCertificate.privateKeyPem, passphrase: options.clientCertificate.passphrase }),
  });
  return {
    dispose: () => agent.destroy(),
    send: (method, path, headers, body, signal) =>
      new Promise<DeviceResponse>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const request = https.request(
          {
            method, hostname, port: portText === undefined ? 443 : Number(portText), path, agent, signal, timeout: options.timeoutMs,
            headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)) }) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            let size = 0;
            response.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > MAX_RESPONSE_BYTES) {
                response.destroy();
                reject(new DeviceProvisioningError('protocol', `The answer of ${options.host} is larger than ${MAX_RESPONSE_BYTES} bytes.`));
                return;
              }
              chunks.push(chunk);
            });
            response.on('error', (error) => reject(networkError(error, options.host, signal)));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown;
              try {
                parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
              } catch {
                parsed = text;
              }
              const h: Record<string, string | undefined> = {};
              for (const [k, v] of Object.entries(response.headers)) h[k] = Array.isArray(v) ? v.join(', ') : v;
              resolve({ status: response.statusCode ?? 0, headers: h, body: parsed });
            });
          },
        );
        request.on('timeout', () => request.destroy(new DeviceProvisioningError('timeout', `${options.host} did not answer within ${options.timeoutMs} ms.`)));
        request.on('error', (error) => reject(networkError(error, options.host, signal)));
        request.end(payload);
      }),
  };
}

function splitHost(host: string): [string, string | undefined] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (m === null) throw new DeviceProvisioningError('badRequest', `'${host}' is not a host name (host or host:port, without https://).`);
  return [m[1].replace(/^\[|\]$/g, ''), m[2]];
}

function networkError(error: Error, host: string, signal?: AbortSignal): DeviceProvisioningError {
  if (error instanceof DeviceProvisioningError) return error;
  if (signal?.aborted === true) return new DeviceProvisioningError('cancelled', 'Provisioning was cancelled.');
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new DeviceProvisioningError('network', `The TLS certificate of ${host} is not trusted (${code}). For a local emulator, pass its CA certificate.`);
  }
  return new DeviceProvisioningError('network', `Could not reach ${host}: ${code ?? error.message}.`);
}
