// Every setting of the extension, typed and validated in one place. package.json declares the same
// keys (a unit test keeps the two in step); this module only reads through a getter so that it can
// be tested without vscode.

export const SETTINGS_SECTION = 'dpsEnrollments';

export interface Settings {
  /** Items requested per page in the tree (the service caps pages at 100). */
  pageSize: number;
  /** Per-request timeout for service calls. */
  requestTimeoutSeconds: number;
  /** Start the bundled local emulator when the extension activates and add its connection. */
  emulatorAutoStart: boolean;
  /** TCP port of the local emulator; 0 picks a free one. */
  emulatorPort: number;
  /** Seed the local emulator with demo data when its store is empty. */
  emulatorSeedDemo: boolean;
  /** Service operations per minute that bulk jobs may use (DPS allows about 1,000 per instance and unit). */
  bulkOperationsPerMinute: number;
  /** The Azure cloud "Add Connection from Azure…" signs in to. */
  azureCloud: 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';
  /** TCTI of a TPM for test provisioning (e.g. swtpm:host=127.0.0.1,port=2321); '' = none. */
  deviceTpmTcti: string;
}

/** Setting keys under `dpsEnrollments.` with their defaults. */
export const settingDefaults = {
  pageSize: 50,
  requestTimeoutSeconds: 30,
  'emulator.autoStart': false,
  'emulator.port': 0,
  'emulator.seedDemo': true,
  'bulk.operationsPerMinute': 1000,
  'azure.cloud': 'AzureCloud',
  'device.tpmTcti': '',
} as const;

export type SettingKey = keyof typeof settingDefaults;

/**
 * Ten units of the S1 tier at about 1,000 operations per minute each. Higher values would only
 * throttle the instance for every other client of it.
 */
export const MAX_BULK_OPERATIONS_PER_MINUTE = 10_000;

/**
 * Settings a workspace must not set (package.json declares them with scope machine or
 * application): they start processes or set the load a user's jobs put on a service instance,
 * which a cloned repository's .vscode/settings.json must not decide.
 */
export const MACHINE_ONLY_SETTINGS: readonly SettingKey[] = ['emulator.autoStart', 'emulator.port', 'emulator.seedDemo', 'bulk.operationsPerMinute', 'azure.cloud', 'device.tpmTcti'];

export type SettingGetter = (key: SettingKey) => unknown;

function integerIn(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** A tpm2-tools TCTI spec such as swtpm:host=127.0.0.1,port=2321 or device:/dev/tpmrm0; anything else = none. */
function tcti(value: unknown): string {
  return typeof value === 'string' && /^(swtpm|mssim|device|tabrmd)(:[A-Za-z0-9_.,=/:-]*)?$/.test(value.trim()) ? value.trim() : '';
}

/** Reads and validates; an out-of-range value falls back to the default instead of breaking the tree. */
export function readSettings(get: SettingGetter): Settings {
  return {
    pageSize: integerIn(get('pageSize'), 1, 100, settingDefaults.pageSize),
    requestTimeoutSeconds: integerIn(get('requestTimeoutSeconds'), 1, 600, settingDefaults.requestTimeoutSeconds),
    emulatorAutoStart: bool(get('emulator.autoStart'), settingDefaults['emulator.autoStart']),
    emulatorPort: integerIn(get('emulator.port'), 0, 65535, settingDefaults['emulator.port']),
    emulatorSeedDemo: bool(get('emulator.seedDemo'), settingDefaults['emulator.seedDemo']),
    bulkOperationsPerMinute: integerIn(get('bulk.operationsPerMinute'), 10, MAX_BULK_OPERATIONS_PER_MINUTE, settingDefaults['bulk.operationsPerMinute']),
    azureCloud: oneOf(get('azure.cloud'), ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const, settingDefaults['azure.cloud']),
    deviceTpmTcti: tcti(get('device.tpmTcti')),
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}
