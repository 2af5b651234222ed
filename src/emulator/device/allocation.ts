// Which IoT hub a device goes to. The emulator has no hubs of its own: an enrollment's `iotHubs`
// (or its legacy `iotHubHostName`) are its linked hubs, else the emulator's default hub.
//   static     -> the one hub of the enrollment (the first, when it names several)
//   hashed     -> a stable hash (SHA-256) of the lower-cased registration id, modulo the hubs
//   geoLatency -> the first hub (the emulator has no geography)
//   custom     -> POST to customAllocationDefinition.webhookUrl, as DPS does; its answer names
//                 the hub (which must be linked), and may carry initialTwin and payload
import { createHash } from 'node:crypto';
import type { EnrollmentGroup, IndividualEnrollment, InitialTwin } from '../../dps/models';
import { keyOf } from '../ids';
import { DeviceErrorCodes } from './deviceErrors';

export const DEFAULT_ASSIGNED_HUB = 'emulated-hub.azure-devices.net';
const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_WEBHOOK_RESPONSE_BYTES = 64 * 1024;

export interface Allocation {
  assignedHub: string;
  initialTwin?: InitialTwin;
  payload?: unknown;
}

/** A failed allocation: becomes registration status 'failed' with this code and message. */
export class AllocationFailure extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export interface AllocationRequest {
  enrollment: IndividualEnrollment | EnrollmentGroup;
  enrollmentGroupId?: string;
  registrationId: string;
  mechanism: 'symmetricKey' | 'x509' | 'tpm';
  payload?: unknown;
  /** The hub the device is on now, when it registered before. */
  currentHub?: string;
  defaultHub?: string;
  /** For tests: the fetch used to call webhooks. */
  fetchImpl?: typeof fetch;
}

export function linkedHubs(e: IndividualEnrollment | EnrollmentGroup, defaultHub = DEFAULT_ASSIGNED_HUB): string[] {
  if (Array.isArray(e.iotHubs) && e.iotHubs.length > 0) return e.iotHubs;
  if (typeof e.iotHubHostName === 'string' && e.iotHubHostName !== '') return [e.iotHubHostName];
  return [defaultHub];
}

export function hashedHub(hubs: readonly string[], registrationId: string): string {
  const n = createHash('sha256').update(keyOf(registrationId)).digest().readUInt32BE(0);
  return hubs[n % hubs.length];
}

export async function allocate(request: AllocationRequest): Promise<Allocation> {
  const { enrollment } = request;
  const hubs = linkedHubs(enrollment, request.defaultHub);
  const initialTwin = enrollment.initialTwin;
  switch (enrollment.allocationPolicy) {
    case 'custom':
      return callWebhook(request, hubs);
    case 'static':
    case 'geoLatency':
      return { assignedHub: hubs[0], initialTwin };
    default:
      return { assignedHub: hashedHub(hubs, request.registrationId), initialTwin };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function callWebhook(request: AllocationRequest, hubs: string[]): Promise<Allocation> {
  const { enrollment } = request;
  const url = enrollment.customAllocationDefinition?.webhookUrl;
  const fail = (message: string) => new AllocationFailure(DeviceErrorCodes.customAllocationFailed, message);
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw fail('Custom allocation needs customAllocationDefinition.webhookUrl (http or https).');
  // The request body DPS documents for custom allocation webhooks.
  const body = {
    ...(request.enrollmentGroupId === undefined ? { individualEnrollment: enrollment } : { enrollmentGroup: enrollment }),
    deviceRuntimeContext: {
      registrationId: request.registrationId,
      [request.mechanism]: {},
      ...(request.payload === undefined ? {} : { payload: request.payload }),
      ...(request.currentHub === undefined ? {} : { currentIotHubHostName: request.currentHub }),
    },
    linkedHubs: hubs,
  };
  let text: string;
  let status: number;
  try {
    const response = await (request.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw fail(`The custom allocation webhook could not be reached: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (status < 200 || status > 299) throw fail(`Custom allocation failed with status code: ${status}.`);
  if (Buffer.byteLength(text) > MAX_WEBHOOK_RESPONSE_BYTES) throw fail(`The custom allocation webhook's answer is larger than ${MAX_WEBHOOK_RESPONSE_BYTES} bytes.`);
  let answer: unknown;
  try {
    answer = JSON.parse(text) as unknown;
  } catch {
    throw fail('The custom allocation webhook did not answer with JSON.');
  }
  if (!isObject(answer) || typeof answer.iotHubHostName !== 'string') throw fail('The custom allocation webhook\'s answer has no iotHubHostName.');
  const hub = answer.iotHubHostName;
  if (!hubs.some((h) => h.toLowerCase() === hub.toLowerCase())) {
    throw fail(`The custom allocation webhook chose '${hub}', which is not a linked hub of the enrollment (${hubs.join(', ')}).`);
  }
  if (answer.initialTwin !== undefined && !isObject(answer.initialTwin)) throw fail('The webhook\'s initialTwin must be an object.');
  return { assignedHub: hub, initialTwin: answer.initialTwin, payload: answer.payload };
}
