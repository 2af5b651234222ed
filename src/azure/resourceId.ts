// ARM resource ids of provisioning services: parsed case-insensitively (ARM answers with
// `ProvisioningServices` and `provisioningServices` alike) and rebuilt with the spec's casing.

export interface DpsResourceId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const DPS_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Devices\/provisioningServices\/([^/]+)$/i;

export function parseDpsResourceId(id: string): DpsResourceId {
  const match = DPS_ID.exec(id.trim());
  if (!match) {
    throw new TypeError('Not the resource id of a provisioning service (expected /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Devices/provisioningServices/{name}).');
  }
  return { subscriptionId: decodeURIComponent(match[1]), resourceGroup: decodeURIComponent(match[2]), name: decodeURIComponent(match[3]) };
}

/** The path of a provisioning service under ARM, ids encoded. */
export function dpsPath(id: DpsResourceId): string {
  const e = encodeURIComponent;
  return `/subscriptions/${e(id.subscriptionId)}/resourceGroups/${e(id.resourceGroup)}/providers/Microsoft.Devices/provisioningServices/${e(id.name)}`;
}
