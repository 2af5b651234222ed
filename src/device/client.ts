// A device registering with DPS over HTTPS, as the official SDKs do: PUT .../register, then poll
// the operation (honouring Retry-After) until it is assigned, failed or disabled. Symmetric keys
// (own or derived from a group key) sign SAS tokens; X.509 devices present a TLS client
// certificate; TPM devices answer the 401 nonce challenge with ActivateCredential and sign with it.
import { deriveDeviceKey } from '../attestation/symmetricKey';
import { readCertificates } from '../attestation/read';
import { loadPrivateKey } from '../attestation/privateKey';
import { realSleep, type Sleep } from '../dps/sleep';
import { DeviceProvisioningError, kindOfStatus } from './errors';
import { deviceSasToken, keySigner, type Signer } from './sas';
import type { Tpm } from './tpm';
import { createDeviceTransport, type ClientCertificate, type DeviceResponse } from './transport';
import { createCsr, issuedCertificate, type IssuedCertificate } from './csr';

export const GLOBAL_DEVICE_ENDPOINT = 'global.azure-devices-provisioning.net';
export const DEVICE_API_VERSION = '2021-06-01';
/** Register with a CSR and get issuedCertificateChain back. */
export const CSR_DEVICE_API_VERSION = '2026-11-01';

export type DeviceCredential =
  | { kind: 'symmetricKey'; key: string }
  /** A member of a symmetric-key group: the device key is derived from the group key. */
  | { kind: 'groupKey'; groupKey: string }
  /** PEM or DER certificate (leaf first, intermediates after it) and private key (optionally encrypted). */
  | { kind: 'x509'; certificate: string | Uint8Array; privateKey: string | Uint8Array; passphrase?: string }
  | { kind: 'tpm'; tpm: Tpm };

export interface ProvisionOptions {
  idScope: string;
  registrationId: string;
  credential: DeviceCredential;
  /** host[:port]; default the global endpoint. */
  host?: string;
  /** The emulator's CA, trusted for loopback hosts only. */
  ca?: string;
  /** Any JSON; DPS passes it to a custom allocation webhook. */
  payload?: unknown;
  signal?: AbortSignal;
  /** Bound on the whole registration; default 120 s. */
  timeoutMs?: number;
  /** Per request; default 30 s. */
  requestTimeoutMs?: number;
  /** Called with 'assigning' while waiting (for progress). */
  onStatus?: (status: string) => void;
  sleep?: Sleep;
  /** Generate an EC P-384 key and a CSR (CN = registration id) and ask for an operational certificate (api-version 2026-11-01). */
  requestCertificate?: boolean;
}

export interface ProvisioningResult {
  registrationId: string;
  operationId: string;
  status: 'assigned';
  assignedHub: string;
  deviceId: string;
  substatus?: string;
  createdDateTimeUtc?: string;
  lastUpdatedDateTimeUtc?: string;
  etag?: string;
  payload?: unknown;
  /** With requestCertificate: the issued chain and the new key (the key never shows in JSON or logs). */
  issuedCertificate?: IssuedCertificate;
}

interface OperationBody {
  operationId?: unknown;
  status?: unknown;
  registrationState?: Record<string, unknown>;
}

const MAX_WAIT_SECONDS = 30;
const DEFAULT_WAIT_SECONDS = 2;
const MAX_THROTTLED_RETRIES = 3;

function errorFrom(response: DeviceResponse, registrationId: string, what: string): DeviceProvisioningError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>;
  const errorCode = typeof body.errorCode === 'number' ? body.errorCode : Number(response.headers['x-ms-error-code']) || undefined;
  const trackingId = typeof body.trackingId === 'string' ? body.trackingId : undefined;
  const message = typeof body.message === 'string' && body.message !== '' ? body.message : `HTTP ${response.status}`;
  return new DeviceProvisioningError(kindOfStatus(response.status), `${what} failed: ${message}`, { status: response.status, errorCode, trackingId, registrationId });
}

function retryAfterMs(response: DeviceResponse): number {
  const v = Number(response.headers['retry-after']);
  const seconds = Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_WAIT_SECONDS) : DEFAULT_WAIT_SECONDS;
  return seconds * 1000;
}

function clientCertificateOf(credential: Extract<DeviceCredential, { kind: 'x509' }>): ClientCertificate {
  try {
    // PEM, DER or base64, leaf first; other blocks (a key in the same file) are left out.
    const { certificates, problems } = readCertificates(credential.certificate);
    if (certificates.length === 0) throw new Error(problems.find((p) => p.severity === 'error')?.message ?? 'The device certificate file holds no certificate.');
    const certificatePem = certificates.map((c) => c.pem).join('');
    // Decrypted here so a wrong passphrase is reported as such, not as a TLS failure.
    const key = loadPrivateKey(credential.privateKey, credential.passphrase, 'device');
    // Checked here too: TLS would only say "key values mismatch".
    if (!certificates[0].x509.checkPrivateKey(key)) {
      throw new Error('the private key does not belong to the device certificate (the first one in the file). Pick the key that was made with that certificate.');
    }
    return { certificatePem, privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString() };
  } catch (error) {
    throw new DeviceProvisioningError('credential', `The device certificate or key cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function signerOf(credential: DeviceCredential, registrationId: string): Signer | undefined {
  try {
    if (credential.kind === 'symmetricKey') return keySigner(credential.key);
    if (credential.kind === 'groupKey') return keySigner(deriveDeviceKey(credential.groupKey, registrationId));
  } catch (error) {
    throw new DeviceProvisioningError('credential', `The symmetric key cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (credential.kind === 'tpm') return (data) => credential.tpm.sign(data);
  return undefined;
}

/** Registers the device and waits for the outcome; throws DeviceProvisioningError. */
export async function provisionDevice(options: ProvisionOptions): Promise<ProvisioningResult> {
  const host = options.host ?? GLOBAL_DEVICE_ENDPOINT;
  const { idScope, registrationId, credential } = options;
  if (!/^[A-Za-z0-9]{1,64}$/.test(idScope)) throw new DeviceProvisioningError('badRequest', `'${idScope}' is not an ID scope (e.g. 0ne00012345).`);
  if (!/^[a-z0-9._:-]{1,128}$/i.test(registrationId)) {
    throw new DeviceProvisioningError('badRequest', `'${registrationId}' is not a registration id (letters, digits, '.', '_', ':', '-'; at most 128).`);
  }
  const sleep = options.sleep ?? realSleep;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const transport = createDeviceTransport({
    host, ca: options.ca, timeoutMs: options.requestTimeoutMs ?? 30_000,
    clientCertificate: credential.kind === 'x509' ? clientCertificateOf(credential) : undefined,
  });
  const check = (): void => {
    if (options.signal?.aborted === true) throw new DeviceProvisioningError('cancelled', 'Provisioning was cancelled.', { registrationId });
    if (deadline.aborted) throw new DeviceProvisioningError('timeout', `Provisioning '${registrationId}' did not finish within ${(options.timeoutMs ?? 120_000) / 1000} s.`, { registrationId });
  };
  try {
    const base = `/${encodeURIComponent(idScope)}/registrations/${encodeURIComponent(registrationId)}`;
    const query = `?api-version=${options.requestCertificate === true ? CSR_DEVICE_API_VERSION : DEVICE_API_VERSION}`;
    let signer = signerOf(credential, registrationId);
    const body: Record<string, unknown> = { registrationId, ...(options.payload === undefined ? {} : { payload: options.payload }) };
    const csr = options.requestCertificate === true ? await createCsr(registrationId) : undefined;
    if (csr !== undefined) body.csr = csr.csrBase64;
    if (credential.kind === 'tpm') {
      body.tpm = {
        endorsementKey: (await credential.tpm.getEndorsementKey()).toString('base64'),
        storageRootKey: (await credential.tpm.getStorageRootKey()).toString('base64'),
      };
    }
    const send = async (method: 'PUT' | 'GET' | 'POST', path: string, payload: unknown, auth: boolean): Promise<DeviceResponse> => {
      for (let attempt = 0; ; attempt++) {
        check();
        const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'dps-enrollments-device' };
        if (auth && signer !== undefined) headers.authorization = await deviceSasToken(idScope, registrationId, signer);
        let response: DeviceResponse;
        try {
          response = await transport.send(method, path, headers, payload, signal);
        } catch (error) {
          check();
          throw error;
        }
        if ((response.status === 429 || response.status === 503) && attempt < MAX_THROTTLED_RETRIES) {
          await sleep(retryAfterMs(response), signal);
          continue;
        }
        return response;
      }
    };

    let response: DeviceResponse;
    if (credential.kind === 'tpm') {
      // First PUT without a token: the 401 carries the credential for this TPM.
      const challenge = await send('PUT', `${base}/register${query}`, body, false);
      const key = (challenge.body as { authenticationKey?: unknown } | undefined)?.authenticationKey;
      if (challenge.status !== 401 || typeof key !== 'string') throw errorFrom(challenge, registrationId, 'The TPM challenge');
      try {
        await credential.tpm.activateCredential(Buffer.from(key, 'base64'));
      } catch (error) {
        throw new DeviceProvisioningError('credential', `The TPM could not activate the credential: ${error instanceof Error ? error.message : String(error)}`, { registrationId });
      }
      signer = (data) => credential.tpm.sign(data);
    }
    response = await send('PUT', `${base}/register${query}`, body, true);
    for (let polls = 0; ; polls++) {
      if (response.status < 200 || response.status > 299) throw errorFrom(response, registrationId, polls === 0 ? 'Registration' : 'Polling');
      const op = (response.body ?? {}) as OperationBody;
      const status = typeof op.status === 'string' ? op.status.toLowerCase() : '';
      if (status === 'assigned') return withIssuedCertificate(resultOf(op, registrationId), op, csr?.privateKeyPem, registrationId);
      if (status === 'failed' || status === 'disabled') {
        const state = op.registrationState ?? {};
        const message = typeof state.errorMessage === 'string' ? state.errorMessage : `The registration is ${status}.`;
        throw new DeviceProvisioningError(status, message, { status: response.status, errorCode: typeof state.errorCode === 'number' ? state.errorCode : undefined, registrationId });
      }
      if (status !== 'assigning' || typeof op.operationId !== 'string') {
        throw new DeviceProvisioningError('protocol', `Unexpected registration answer (status '${status || 'none'}').`, { status: response.status, registrationId });
      }
      options.onStatus?.('assigning');
      await sleep(retryAfterMs(response), signal);
      check();
      response = await send('GET', `${base}/operations/${encodeURIComponent(op.operationId)}${query}`, undefined, true);
    }
  } finally {
    transport.dispose();
  }
}

function withIssuedCertificate(result: ProvisioningResult, op: OperationBody, privateKeyPem: string | undefined, registrationId: string): ProvisioningResult {
  if (privateKeyPem === undefined) return result;
  const chain = op.registrationState?.issuedCertificateChain;
  if (!Array.isArray(chain) || chain.length === 0 || chain.some((c) => typeof c !== 'string')) {
    throw new DeviceProvisioningError('protocol', 'The device was assigned, but no issuedCertificateChain came back for its CSR.', { registrationId });
  }
  return { ...result, issuedCertificate: issuedCertificate(chain as string[], privateKeyPem) };
}

function resultOf(op: OperationBody, registrationId: string): ProvisioningResult {
  const s = op.registrationState ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const assignedHub = str(s.assignedHub);
  const deviceId = str(s.deviceId);
  if (assignedHub === undefined || deviceId === undefined) throw new DeviceProvisioningError('protocol', 'The assigned registration has no assignedHub or deviceId.', { registrationId });
  return {
    registrationId: str(s.registrationId) ?? registrationId,
    operationId: str(op.operationId) ?? '',
    status: 'assigned',
    assignedHub,
    deviceId,
    substatus: str(s.substatus),
    createdDateTimeUtc: str(s.createdDateTimeUtc),
    lastUpdatedDateTimeUtc: str(s.lastUpdatedDateTimeUtc),
    etag: str(s.etag),
    payload: s.payload,
  };
}
