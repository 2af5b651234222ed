// Registration operations: a PUT starts one (answer 202 "assigning"), the device polls it until it
// settles as assigned, failed or disabled. Outcomes are recorded as the store's registration
// states; reprovisioning follows the enrollment's reprovisionPolicy.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment, InitialTwin } from '../../dps/models';
import { keyOf } from '../ids';
import type { EmulatorStore, RegistrationRecord } from '../store';
import { allocate, AllocationFailure } from './allocation';
import type { AuthenticatedDevice } from './authenticate';
import { DeviceErrorCodes } from './deviceErrors';

const MAX_OPERATIONS = 20_000;
const OPERATION_TTL_MS = 30 * 60_000;

/** DeviceRegistrationResult of the device API (device.json). */
export interface DeviceRegistrationResult extends DeviceRegistrationState {
  registrationId: string;
  payload?: unknown;
  symmetricKey?: { enrollmentGroupId?: string };
  x509?: { enrollmentGroupId?: string };
  tpm?: Record<string, never>;
}

export interface RegistrationOperationStatus {
  operationId: string;
  status: 'assigning' | 'assigned' | 'failed' | 'disabled';
  registrationState?: DeviceRegistrationResult;
}

interface Operation {
  registrationId: string;
  createdMs: number;
  readyAtMs: number;
  result?: RegistrationOperationStatus;
}

export interface OperationsOptions {
  store: EmulatorStore;
  /** How long an operation stays 'assigning' at least (default 0: settled as soon as allocated). */
  assignDelayMs?: number;
  defaultHub?: string;
  log?: (line: string) => void;
  fetchImpl?: typeof fetch;
}

type Substatus = NonNullable<DeviceRegistrationState['substatus']>;

/** Substatus and hub of a re-registration under reprovisionPolicy (defaults: update hub, migrate data). */
export function reprovision(
  enrollment: IndividualEnrollment | EnrollmentGroup,
  previous: RegistrationRecord | undefined,
  allocatedHub: string,
): { hub: string; substatus: Substatus; resetTwin: boolean } {
  const before = previous?.state.status === 'assigned' ? previous.state.assignedHub : undefined;
  if (before === undefined) return { hub: allocatedHub, substatus: 'initialAssignment', resetTwin: true };
  const policy = enrollment.reprovisionPolicy;
  const migrate = policy?.migrateDeviceData !== false;
  if (policy?.updateHubAssignment === false) {
    return { hub: before, substatus: previous?.state.substatus ?? 'initialAssignment', resetTwin: false };
  }
  if (before.toLowerCase() !== allocatedHub.toLowerCase()) {
    return { hub: allocatedHub, substatus: migrate ? 'deviceDataMigrated' : 'deviceDataReset', resetTwin: !migrate };
  }
  return { hub: allocatedHub, substatus: migrate ? 'reprovisionedToInitialAssignment' : 'deviceDataReset', resetTwin: !migrate };
}

/** How the device attested, as DeviceRegistrationResult names it: `{symmetricKey|x509: {enrollmentGroupId?}}` or `{tpm: {}}`. */
export function mechanismResult(device: AuthenticatedDevice): Pick<DeviceRegistrationResult, 'symmetricKey' | 'x509' | 'tpm'> {
  return { [device.mechanism]: device.mechanism === 'tpm' || device.enrollmentGroupId === undefined ? {} : { enrollmentGroupId: device.enrollmentGroupId } };
}

export class RegistrationOperations {
  private readonly operations = new Map<string, Operation>();
  /** The twin each device starts with on its hub (the emulator has no hub: kept for inspection). */
  private readonly twins = new Map<string, InitialTwin>();

  constructor(private readonly options: OperationsOptions) {}

  /** Starts the registration of an authenticated device; resolves once the outcome is recorded. */
  start(device: AuthenticatedDevice, payload: unknown, nowMs = Date.now(), issuedCertificateChain?: string[]): { operationId: string; settled: Promise<void> } {
    this.evict(nowMs);
    const operationId = `4.${randomBytes(8).toString('hex')}.${randomUUID()}`;
    const operation: Operation = { registrationId: device.registrationId, createdMs: nowMs, readyAtMs: nowMs + (this.options.assignDelayMs ?? 0) };
    this.operations.set(operationId, operation);
    const settled = this.decide(device, payload).then(
      (decided) => {
        // The chain is part of this operation's answer only: status lookups never carry it (device.json).
        const state = issuedCertificateChain !== undefined && decided.status === 'assigned' ? { ...decided, issuedCertificateChain } : decided;
        operation.result = { operationId, status: state.status as RegistrationOperationStatus['status'], registrationState: state };
      },
      (error: unknown) => {
        this.options.log?.(`device registration of ${device.registrationId} failed: ${error instanceof Error ? error.message : String(error)}`);
        operation.result = {
          operationId,
          status: 'failed',
          registrationState: { registrationId: device.registrationId, status: 'failed', errorCode: 500001, errorMessage: 'Internal error in the emulator.' },
        };
      },
    );
    return { operationId, settled };
  }

  /** The operation's status for this registration id, or undefined when there is no such operation. */
  status(registrationId: string, operationId: string, nowMs = Date.now()): RegistrationOperationStatus | undefined {
    const op = this.operations.get(operationId);
    if (op === undefined || keyOf(op.registrationId) !== keyOf(registrationId)) return undefined;
    if (op.result === undefined || nowMs < op.readyAtMs) return { operationId, status: 'assigning' };
    return op.result;
  }

  twinOf(registrationId: string): InitialTwin | undefined {
    return this.twins.get(keyOf(registrationId));
  }

  private async decide(device: AuthenticatedDevice, payload: unknown): Promise<DeviceRegistrationResult> {
    const { store } = this.options;
    const { enrollment, registrationId } = device;
    const record = (state: DeviceRegistrationState & { registrationId: string }): DeviceRegistrationResult => ({
      ...store.upsertRegistration(state, device.enrollmentGroupId).state,
      ...mechanismResult(device),
    });
    const group = device.enrollmentGroupId === undefined ? undefined : store.enrollmentGroups.get(device.enrollmentGroupId);
    if (enrollment.provisioningStatus === 'disabled' || group?.provisioningStatus === 'disabled') {
      const what = device.enrollmentGroupId === undefined ? `Enrollment '${registrationId}'` : `Enrollment group '${device.enrollmentGroupId}'`;
      return record({ registrationId, status: 'disabled', errorCode: DeviceErrorCodes.enrollmentDisabled, errorMessage: `${what} is disabled.` });
    }
    const previous = store.getRegistration(registrationId);
    const currentHub = previous?.state.status === 'assigned' ? previous.state.assignedHub : undefined;
    let allocation;
    try {
      allocation = await allocate({
        enrollment, enrollmentGroupId: device.enrollmentGroupId, registrationId, mechanism: device.mechanism, payload, currentHub,
        defaultHub: this.options.defaultHub, fetchImpl: this.options.fetchImpl,
      });
    } catch (error) {
      if (!(error instanceof AllocationFailure)) throw error;
      return record({ registrationId, status: 'failed', errorCode: error.errorCode, errorMessage: error.message });
    }
    const { hub, substatus, resetTwin } = reprovision(enrollment, previous, allocation.assignedHub);
    if (resetTwin || !this.twins.has(keyOf(registrationId))) {
      if (allocation.initialTwin === undefined) this.twins.delete(keyOf(registrationId));
      else this.twins.set(keyOf(registrationId), allocation.initialTwin);
    }
    const deviceId = 'deviceId' in enrollment && typeof enrollment.deviceId === 'string' && enrollment.deviceId !== '' ? enrollment.deviceId : registrationId;
    const result = record({ registrationId, assignedHub: hub, deviceId, status: 'assigned', substatus });
    return allocation.payload === undefined ? result : { ...result, payload: allocation.payload };
  }

  private evict(nowMs: number): void {
    for (const [id, op] of this.operations) {
      if (op.createdMs + OPERATION_TTL_MS < nowMs || this.operations.size >= MAX_OPERATIONS) this.operations.delete(id);
      else break;
    }
  }
}
