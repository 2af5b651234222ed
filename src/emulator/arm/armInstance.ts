// The one provisioning service the emulator presents through ARM: its subscription, resource group,
// name, ID scope and linked hubs come from the emulator's options, with defaults a test can rely on.

export interface LinkedHubOption {
  hostName: string;
  location?: string;
  allocationWeight?: number;
  applyAllocationPolicy?: boolean;
}

export interface ArmInstanceOptions {
  subscriptionId?: string;
  subscriptionName?: string;
  tenantId?: string;
  resourceGroup?: string;
  name?: string;
  location?: string;
  idScope?: string;
  linkedHubs?: LinkedHubOption[];
}

export type ArmInstance = Required<Omit<ArmInstanceOptions, 'linkedHubs'>> & { linkedHubs: LinkedHubOption[] };

export const DEFAULT_ARM_INSTANCE: Omit<ArmInstance, 'tenantId'> = {
  subscriptionId: '00000000-0000-4000-8000-00000000d95e',
  subscriptionName: 'DPS emulator subscription',
  resourceGroup: 'emulator-rg',
  name: 'local-emulator',
  location: 'local',
  idScope: '0ne00000E11',
  linkedHubs: [{ hostName: 'emulator-hub.azure-devices.net', location: 'local', allocationWeight: 1, applyAllocationPolicy: true }],
};

export function resolveArmInstance(options: ArmInstanceOptions | undefined, tenantId: string): ArmInstance {
  const merged = { ...DEFAULT_ARM_INSTANCE, tenantId, ...stripUndefined(options ?? {}) };
  for (const [key, value] of Object.entries({ subscriptionId: merged.subscriptionId, resourceGroup: merged.resourceGroup, name: merged.name })) {
    if (!/^[A-Za-z0-9._()-]{1,90}$/.test(value)) throw new RangeError(`The emulator's ARM ${key} '${value}' is not a valid Azure name.`);
  }
  for (const hub of merged.linkedHubs) {
    if (typeof hub.hostName !== 'string' || !/^[A-Za-z0-9.-]{3,253}$/.test(hub.hostName)) throw new RangeError(`Linked hub host name '${String(hub.hostName)}' is not a host name.`);
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
