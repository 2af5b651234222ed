// The device API of the emulator, on the same HTTPS server as the service API: registration,
// operation polling and status lookup, for symmetric-key, X.509 (TLS client certificate) and TPM
// (nonce challenge) devices. Not counted against the service quota, as on DPS.
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { EmulatorError, ErrorCodes, badRequest, errorBody } from '../errors';
import { assertValidId, keyOf } from '../ids';
import type { ServiceResponse } from '../operations';
import type { EmulatorStore } from '../store';
import { isObject, parseJsonBody } from '../validation';
import { authenticateDevice, type AuthContext } from './authenticate';
import { CaCertificateStore } from './caStore';
import { presentedChain } from './clientCertificateChain';
import { DeviceErrorCodes, deviceUnauthorized } from './deviceErrors';
import type { DeviceRoute } from './deviceRoutes';
import { mechanismResult, RegistrationOperations } from './registrationOperations';
import { TpmChallenges, type TpmRegistrationBody } from './tpmChallenge';
import type { AdrLink } from '../adr/adrLink';
import { CertificateIssuer, CsrError } from '../adr/certificateIssuer';
import { issueForCsr } from './csrIssuance';

export const DEVICE_API_VERSIONS = ['2026-11-01', '2021-06-01', '2019-03-31'];
/** The first device api-version with `csr` on register and `issuedCertificateChain` in the result. */
export const CSR_API_VERSION = '2026-11-01';

export interface DeviceApiOptions {
  store: EmulatorStore;
  idScope: string;
  caStore?: CaCertificateStore;
  /** Retry-After (whole seconds) on 202 answers; default 1. */
  retryAfterSeconds?: number;
  /** Minimum time an operation reports 'assigning'; default 0. */
  assignDelayMs?: number;
  defaultHub?: string;
  log?: (line: string) => void;
  /** The linked ADR namespace and its issuer; CSRs are refused without them. */
  adr?: AdrLink;
  certificateIssuer?: CertificateIssuer;
}

export interface DeviceRequest {
  route: DeviceRoute;
  apiVersion: string | null;
  headers: IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
}

export interface DeviceApi {
  handle(request: DeviceRequest): Promise<ServiceResponse>;
  readonly operations: RegistrationOperations;
  readonly caStore: CaCertificateStore;
}

function errorResponse(error: EmulatorError, extra: Record<string, unknown> = {}): ServiceResponse {
  return {
    status: error.status,
    body: { ...errorBody(error), ...extra },
    headers: { ...error.headers, 'x-ms-error-code': String(error.errorCode) },
  };
}

function parseCertificate(text: string): X509Certificate | undefined {
  try {
    const t = text.trim();
    return new X509Certificate(t.includes('-----BEGIN') ? t : Buffer.from(t, 'base64'));
  } catch {
    return undefined;
  }
}

interface RegisterBody {
  payload?: unknown;
  tpm?: TpmRegistrationBody;
  csr?: unknown;
}

function parseRegisterBody(body: Buffer, registrationId: string): RegisterBody {
  if (body.length === 0) return {};
  const parsed = parseJsonBody(body);
  if (!isObject(parsed)) throw badRequest('The registration body must be a JSON object.');
  if (parsed.registrationId !== undefined && (typeof parsed.registrationId !== 'string' || keyOf(parsed.registrationId) !== keyOf(registrationId))) {
    throw badRequest('registrationId in the body does not match the path.', ErrorCodes.idMismatch);
  }
  let tpm: TpmRegistrationBody | undefined;
  if (parsed.tpm !== undefined && parsed.tpm !== null) {
    const t = parsed.tpm;
    if (!isObject(t) || typeof t.endorsementKey !== 'string' || (t.storageRootKey !== undefined && typeof t.storageRootKey !== 'string')) {
      throw badRequest('tpm must be {endorsementKey, storageRootKey} with base64 strings.');
    }
    tpm = { endorsementKey: t.endorsementKey, storageRootKey: t.storageRootKey };
  }
  return { payload: parsed.payload, tpm, ...(parsed.csr !== undefined && parsed.csr !== null ? { csr: parsed.csr } : {}) };
}

function hasCsr(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return isObject(parsed) && parsed.csr !== undefined && parsed.csr !== null;
  } catch {
    return false;
  }
}

export function createDeviceApi(options: DeviceApiOptions): DeviceApi {
  const caStore = options.caStore ?? new CaCertificateStore();
  const tpm = new TpmChallenges();
  const operations = new RegistrationOperations({ store: options.store, assignDelayMs: options.assignDelayMs, defaultHub: options.defaultHub, log: options.log });
  const retryAfter = String(options.retryAfterSeconds ?? 1);

  function context(): AuthContext {
    return { store: options.store, caStore, tpm, idScope: options.idScope, now: new Date(), parse: parseCertificate };
  }

  function tpmChallenge(registrationId: string, body: TpmRegistrationBody): ServiceResponse {
    const enrollment = options.store.enrollments.get(registrationId);
    if (enrollment?.attestation.type !== 'tpm') throw deviceUnauthorized(`No TPM enrollment exists for '${registrationId}'.`);
    const authenticationKey = tpm.challenge(enrollment, body, Date.now());
    // The SDKs read authenticationKey and keyName from this 401's body.
    return errorResponse(deviceUnauthorized('Unauthorized: activate the authentication key with the TPM and sign with it.'), { authenticationKey, keyName: 'registration' });
  }

  async function handleRoute(request: DeviceRequest): Promise<ServiceResponse> {
    const { route } = request;
    if (request.apiVersion === null || !DEVICE_API_VERSIONS.includes(request.apiVersion)) {
      throw new EmulatorError(400, ErrorCodes.invalidApiVersion, `The device API needs api-version ${DEVICE_API_VERSIONS.join(' or ')}.`);
    }
    const registrationId = assertValidId(route.registrationId, 'registrationId');
    if (route.idScope.toLowerCase() !== options.idScope.toLowerCase()) {
      throw deviceUnauthorized('The ID scope does not name this provisioning service.');
    }
    const authorization = typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined;
    const chain = presentedChain(request.socket);
    if (route.kind === 'register') {
      const body = parseRegisterBody(request.body, registrationId);
      if (body.csr !== undefined && request.apiVersion !== CSR_API_VERSION) {
        throw new CsrError(`csr is not part of device api-version ${request.apiVersion}; send it with api-version ${CSR_API_VERSION}.`);
      }
      if ((authorization ?? '').trim() === '' && chain.length === 0 && body.tpm !== undefined) return tpmChallenge(registrationId, body.tpm);
      const device = authenticateDevice(context(), registrationId, authorization, chain);
      // Checked and issued before the operation starts, so a bad CSR is a 400 on the PUT itself.
      const issued = body.csr === undefined ? undefined : await issueForCsr(device, body.csr, options.adr, options.certificateIssuer);
      const { operationId } = operations.start(device, body.payload, Date.now(), issued);
      const location = `/${encodeURIComponent(route.idScope)}/registrations/${encodeURIComponent(registrationId)}/operations/${operationId}?api-version=${request.apiVersion}`;
      return { status: 202, body: { operationId, status: 'assigning' }, headers: { 'retry-after': retryAfter, location } };
    }
    if (request.body.length > 0 && hasCsr(request.body)) {
      throw new CsrError('csr belongs on register only; a registration status lookup with a csr is a bad request.');
    }
    const device = authenticateDevice(context(), registrationId, authorization, chain);
    if (route.kind === 'operationStatus') {
      const status = operations.status(registrationId, route.operationId ?? '');
      if (status === undefined) {
        throw new EmulatorError(404, DeviceErrorCodes.operationNotFound, `Operation '${route.operationId ?? ''}' of '${registrationId}' does not exist.`);
      }
      return status.status === 'assigning'
        ? { status: 202, body: status, headers: { 'retry-after': retryAfter } }
        : { status: 200, body: status };
    }
    const record = options.store.getRegistration(registrationId);
    if (record === undefined) throw new EmulatorError(404, DeviceErrorCodes.registrationNotFound, `Registration '${registrationId}' does not exist.`);
    // A DeviceRegistrationResult, as the operation's registrationState: with how the device attested (device.json).
    return { status: 200, body: { ...record.state, ...mechanismResult(device) } };
  }

  return {
    operations,
    caStore,
    handle(request) {
      return handleRoute(request).catch((error: unknown) => {
        if (error instanceof EmulatorError) return errorResponse(error);
        throw error instanceof Error ? error : new Error(String(error));
      });
    },
  };
}
