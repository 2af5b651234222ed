// What an individual enrollment's own `registrationState` says. The live service sends
// `{registrationId, status: "unassigned"}` on a GET of an enrollment no device has registered
// against, and query results may omit the member: both mean "not registered".
import type { DeviceRegistrationState } from '../dps/models';

export function isRegistered(state: DeviceRegistrationState | undefined): state is DeviceRegistrationState {
  return state !== undefined && state.status !== undefined && state.status !== 'unassigned';
}

/** "deviceId @ hub", or whichever of the two is known. */
export function whereAssigned(state: DeviceRegistrationState): string | undefined {
  if (state.deviceId && state.assignedHub) return `${state.deviceId} @ ${state.assignedHub}`;
  return state.deviceId ?? state.assignedHub;
}
