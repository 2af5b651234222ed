// The IoT hubs linked to a provisioning service, for the enrollment form's hub picker: read through
// ARM from the instance behind a connection (connections without ARM have none to offer).
import type { ArmClient, DpsRef } from './armClient';
import type { LinkedHub } from './armModels';

export async function linkedHubsOf(arm: Pick<ArmClient, 'getProvisioningService'>, ref: DpsRef): Promise<LinkedHub[]> {
  const service = await arm.getProvisioningService(ref);
  return [...service.linkedHubs].sort((a, b) => a.hostName.localeCompare(b.hostName));
}
