// Test helpers for the emulator: start one in a temp folder, mint service SAS tokens, and send
// HTTPS requests whose responses are checked against the spec automatically (when ../shared is
// present; see spec.ts) — every body must match the operation's schema and every error must carry
// x-ms-error-code and a 6-digit errorCode that starts with the status.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConnectionString } from '../../src/dps/connectionString';
import { createSasToken, expiryFromNow } from '../../src/dps/sas';
import { matchRoute } from '../../src/emulator/routes';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server';
import { specValidator, type SpecValidator } from './spec';

export interface TestEmulator {
  emu: RunningEmulator;
  dataDir: string;
  /** Stops the emulator and removes its temp folder. */
  dispose(): Promise<void>;
}

export function tempDir(prefix = 'dps-emu-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? tempDir();
  const emu = await startEmulator({ dataFile: null, ...options, dataDir });
  return {
    emu,
    dataDir,
    async dispose() {
      await emu.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function connectionStringParts(connectionString: string): { hostName: string; keyName: string; key: string } {
  const cs = parseConnectionString(connectionString);
  return { hostName: cs.hostName, keyName: cs.sharedAccessKeyName, key: cs.sharedAccessKey };
}

export interface TokenOverrides {
  resource?: string;
  keyName?: string;
  key?: string;
  expiry?: number;
}

export function serviceToken(emu: RunningEmulator, overrides: TokenOverrides = {}): string {
  const cs = connectionStringParts(emu.connectionString);
  return createSasToken({
    resourceUri: overrides.resource ?? cs.hostName,
    keyName: overrides.keyName ?? cs.keyName,
    key: overrides.key ?? cs.key,
    expiry: overrides.expiry ?? expiryFromNow(300),
  });
}

export interface EmulatorRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Raw body text (for malformed JSON tests); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Authorization header; default a valid token; null = none. */
  authorization?: string | null;
  /** Default 2021-10-01; null = leave the query parameter out. */
  apiVersion?: string | null;
  /** Skip the automatic spec check (for deliberately off-spec requests like the device API). */
  skipSpecCheck?: boolean;
}

export interface EmulatorResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
  text: string;
}

let cachedSpec: SpecValidator | undefined | null = null;
export function sharedSpec(): SpecValidator | undefined {
  if (cachedSpec === null) cachedSpec = specValidator();
  return cachedSpec;
}

function operationOf(method: string, path: string): string | undefined {
  try {
    return matchRoute(method, new URL(path, 'https://x').pathname).operationId;
  } catch {
    return undefined;
  }
}

/** Checks a response against the spec: body schema, error shape and headers. */
export function checkAgainstSpec(method: string, path: string, response: EmulatorResponse): void {
  const spec = sharedSpec();
  if (response.status >= 400) {
    const code = response.headers['x-ms-error-code'];
    assert.ok(typeof code === 'string' && /^\d{6}$/.test(code), `error ${response.status} lacks a 6-digit x-ms-error-code`);
    assert.ok(code.startsWith(String(response.status)), `x-ms-error-code ${code} does not start with ${response.status}`);
    const body = response.body as { errorCode?: number; trackingId?: string; message?: string; timestampUtc?: string };
    assert.equal(String(body.errorCode), code, 'errorCode in the body differs from x-ms-error-code');
    assert.match(body.trackingId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok((body.message ?? '').length > 0, 'error without a message');
    if (spec !== undefined) assert.deepEqual(spec.validate('ProvisioningServiceErrorDetails', response.body), [], `${method} ${path} error body off-spec`);
    return;
  }
  const operationId = operationOf(method, path);
  if (spec === undefined || operationId === undefined || operationId === 'Device_Register') return;
  assert.deepEqual(spec.validateResponse(operationId, response.status, response.body), [], `${method} ${path} ${response.status} body off-spec`);
  for (const h of spec.responseHeaders(operationId, response.status)) {
    if (h === 'x-ms-continuation') continue; // present only while more pages exist
    // Declared by the spec, but the live service does not send it (recordings
    // test_individual_enrollment_paging, test_device_registration_lifecycle), so neither does the emulator.
    if (h === 'x-ms-max-item-count') continue;
    assert.ok(response.headers[h] !== undefined, `${operationId} response lacks header ${h}`);
  }
}

/** An HTTPS request to the emulator, trusting only its CA; the response is checked against the spec. */
export function request<T = unknown>(emu: RunningEmulator, req: EmulatorRequest): Promise<EmulatorResponse<T>> {
  const apiVersion = req.apiVersion === undefined ? '2021-10-01' : req.apiVersion;
  const sep = req.path.includes('?') ? '&' : '?';
  const path = apiVersion === null ? req.path : `${req.path}${sep}api-version=${apiVersion}`;
  const payload = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
  const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
  const authorization = req.authorization === undefined ? serviceToken(emu) : req.authorization;
  if (authorization !== null) headers.authorization = authorization;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const r = https.request(
      { host: '127.0.0.1', servername: 'localhost', port: emu.port, method: req.method, path, headers: { host: emu.hostName, ...headers }, ca: emu.caCertificatePem, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          if (text.length > 0) {
            assert.match(String(res.headers['content-type']), /application\/json/);
            body = JSON.parse(text) as unknown;
          }
          const response: EmulatorResponse<T> = { status: res.statusCode ?? 0, headers: res.headers, body: body as T, text };
          try {
            if (req.skipSpecCheck !== true) checkAgainstSpec(req.method, req.path, response);
            resolve(response);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}
