// What the extension needs from ARM answers, parsed strictly enough to fail with a sentence when the
// shape is wrong and loosely enough that fields added by newer API versions do no harm. Shapes follow
// the 2026-08-01 OpenAPI document of Microsoft.Devices/provisioningServices and its examples.
import { parseDpsResourceId } from './resourceId';

export interface AzureSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId?: string;
  state?: string;
}

export interface LinkedHub {
  /** Host name of the IoT hub, e.g. my-hub.azure-devices.net. */
  hostName: string;
  location?: string;
  allocationWeight?: number;
  applyAllocationPolicy?: boolean;
}

export interface ProvisioningServiceInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  idScope?: string;
  /** Host of the service API, e.g. my-dps.azure-devices-provisioning.net. */
  serviceHostName?: string;
  /** Host of the device API (global.azure-devices-provisioning.net). */
  deviceHostName?: string;
  state?: string;
  allocationPolicy?: string;
  sku?: { name: string; tier?: string; capacity?: number };
  linkedHubs: LinkedHub[];
  /** True when shared access policies are turned off (Entra ID only). */
  localAuthDisabled?: boolean;
  etag?: string;
}

export interface CaCertificate {
  id?: string;
  name: string;
  etag?: string;
  subject?: string;
  thumbprint?: string;
  isVerified: boolean;
  /** ISO date; ARM sends RFC 1123 ("Sat, 31 Dec 2039 23:59:59 GMT"). */
  expiry?: string;
  created?: string;
  updated?: string;
  /** Only in the answer of generateVerificationCode. */
  verificationCode?: string;
}

export interface SharedAccessKeys {
  keyName: string;
  primaryKey: string;
  secondaryKey?: string;
  rights?: string;
}

export class ArmShapeError extends Error {
  override readonly name = 'ArmShapeError';
}

type Json = Record<string, unknown>;

function obj(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArmShapeError(`Azure returned ${what} that is not a JSON object.`);
  return value as Json;
}

function str(record: Json, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') throw new ArmShapeError(`Azure returned ${what} without "${key}".`);
  return value;
}

const optStr = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const optNum = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const optBool = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** RFC 1123 or ISO dates to ISO; anything unreadable stays out. */
function optDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function parseSubscription(value: unknown): AzureSubscription {
  const record = obj(value, 'a subscription');
  return {
    subscriptionId: str(record, 'subscriptionId', 'a subscription'),
    displayName: optStr(record.displayName) ?? String(record.subscriptionId),
    tenantId: optStr(record.tenantId),
    state: optStr(record.state),
  };
}

export function parseProvisioningService(value: unknown): ProvisioningServiceInfo {
  const record = obj(value, 'a provisioning service');
  const id = str(record, 'id', 'a provisioning service');
  const parsedId = parseDpsResourceId(id);
  const properties = record.properties === undefined ? {} : obj(record.properties, 'provisioning service properties');
  const sku = record.sku === undefined ? undefined : obj(record.sku, 'a SKU');
  const hubs = properties.iotHubs === undefined ? [] : properties.iotHubs;
  if (!Array.isArray(hubs)) throw new ArmShapeError('Azure returned linked IoT hubs that are not a list.');
  return {
    id,
    name: optStr(record.name) ?? parsedId.name,
    subscriptionId: parsedId.subscriptionId,
    resourceGroup: parsedId.resourceGroup,
    location: optStr(record.location) ?? '',
    idScope: optStr(properties.idScope),
    serviceHostName: optStr(properties.serviceOperationsHostName),
    deviceHostName: optStr(properties.deviceProvisioningHostName),
    state: optStr(properties.state),
    allocationPolicy: optStr(properties.allocationPolicy),
    sku: sku ? { name: str(sku, 'name', 'a SKU'), tier: optStr(sku.tier), capacity: optNum(sku.capacity) } : undefined,
    linkedHubs: hubs.map(parseLinkedHub),
    localAuthDisabled: optBool(properties.disableLocalAuth),
    etag: optStr(record.etag),
  };
}

function parseLinkedHub(value: unknown): LinkedHub {
  const record = obj(value, 'a linked IoT hub');
  // Responses carry hostName (and name, the same host); the connection string is write-only.
  const hostName = optStr(record.hostName) ?? optStr(record.name);
  if (hostName === undefined) throw new ArmShapeError('Azure returned a linked IoT hub without a host name.');
  return {
    hostName,
    location: optStr(record.location),
    allocationWeight: optNum(record.allocationWeight),
    applyAllocationPolicy: optBool(record.applyAllocationPolicy),
  };
}

export function parseCertificate(value: unknown): CaCertificate {
  const record = obj(value, 'a certificate');
  const properties = record.properties === undefined ? {} : obj(record.properties, 'certificate properties');
  return {
    id: optStr(record.id),
    name: str(record, 'name', 'a certificate'),
    etag: optStr(record.etag),
    subject: optStr(properties.subject),
    thumbprint: optStr(properties.thumbprint),
    isVerified: properties.isVerified === true,
    expiry: optDate(properties.expiry),
    created: optDate(properties.created),
    updated: optDate(properties.updated),
    verificationCode: optStr(properties.verificationCode),
  };
}

export function parseSharedAccessKeys(value: unknown): SharedAccessKeys {
  const record = obj(value, 'a shared access policy');
  return {
    keyName: str(record, 'keyName', 'a shared access policy'),
    primaryKey: str(record, 'primaryKey', 'a shared access policy'),
    secondaryKey: optStr(record.secondaryKey),
    rights: optStr(record.rights),
  };
}

/** `{value: [...], nextLink?}`; the items are parsed by the caller. */
export function parsePage(value: unknown, what: string): { items: unknown[]; nextLink?: string } {
  const record = obj(value, `a list of ${what}`);
  if (!Array.isArray(record.value)) throw new ArmShapeError(`Azure returned a list of ${what} without a "value" array.`);
  return { items: record.value, nextLink: optStr(record.nextLink) };
}
