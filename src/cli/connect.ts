// The CLI's connection: a DPS connection string from an environment variable (never an argument, so
// it stays out of shell history and process lists), or Microsoft Entra ID (--auth entra) for a host
// given by name; and optionally the emulator's CA for a loopback host.
import { readFileSync } from 'node:fs';
import { API_VERSIONS, DEFAULT_API_VERSION, isApiVersion, type ApiVersion } from '../dps/apiVersion';
import { isLoopbackHost, parseConnectionString } from '../dps/connectionString';
import { DpsClient } from '../dps/client';
import { entraTokenProvider } from './entra';
import { CliError } from './exitCodes';

export const CONNECTION_STRING_VARIABLE = 'DPS_CONNECTION_STRING';

export const HOST_NAME_VARIABLE = 'DPS_HOST_NAME';

export const API_VERSION_VARIABLE = 'DPS_API_VERSION';

export interface ConnectOptions {
  auth: string;
  ca?: string;
  /** --host: the service's host name, for --auth entra (a connection string names its own). */
  host?: string;
  /** --api-version as given; DPS_API_VERSION when absent, else the default. */
  apiVersion?: string;
  env: Record<string, string | undefined>;
}

export function connect(options: ConnectOptions): DpsClient {
  if (options.auth === 'entra') return connectWithEntra(options);
  if (options.auth !== 'connection-string') throw new CliError(`--auth must be "connection-string" or "entra", not "${options.auth}".`);
  if (options.host !== undefined) throw new CliError('--host goes with --auth entra; a connection string names its own host.');
  const text = options.env[CONNECTION_STRING_VARIABLE];
  if (text === undefined || text.trim() === '') {
    throw new CliError(`Set ${CONNECTION_STRING_VARIABLE} to the connection string of a DPS shared access policy (HostName=…;SharedAccessKeyName=…;SharedAccessKey=…).`);
  }
  let hostName: string;
  try {
    hostName = parseConnectionString(text).hostName;
  } catch (error: unknown) {
    // The parser's messages name fields, never the key.
    throw new CliError(`${CONNECTION_STRING_VARIABLE}: ${error instanceof Error ? error.message : 'not a DPS connection string'}`);
  }
  const ca = emulatorCa(options.ca, hostName);
  return DpsClient.fromConnectionString(text, { ...(ca !== undefined ? { ca } : {}), apiVersion: apiVersionOf(options) });
}

/** --auth entra: the host from --host or DPS_HOST_NAME, a bearer token from src/cli/entra. */
function connectWithEntra(options: ConnectOptions): DpsClient {
  const hostName = (options.host ?? options.env[HOST_NAME_VARIABLE])?.trim().replace(/^https:\/\//i, '').replace(/\/+$/, '');
  if (hostName === undefined || hostName === '') {
    throw new CliError(`--auth entra needs the service's host name: --host NAME.azure-devices-provisioning.net, or ${HOST_NAME_VARIABLE}.`);
  }
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(hostName)) throw new CliError(`--host "${hostName}" is not a host name (NAME.azure-devices-provisioning.net).`);
  const ca = emulatorCa(options.ca, hostName);
  return DpsClient.withTokenProvider(hostName, entraTokenProvider(options.env), { ...(ca !== undefined ? { ca } : {}), apiVersion: apiVersionOf(options) });
}

/** The api-version to speak: --api-version, else DPS_API_VERSION, else the default; anything else is refused by name. */
export function apiVersionOf(options: Pick<ConnectOptions, 'apiVersion' | 'env'>): ApiVersion {
  const [value, source] = options.apiVersion !== undefined ? [options.apiVersion, '--api-version'] : [options.env[API_VERSION_VARIABLE], API_VERSION_VARIABLE];
  if (value === undefined || value.trim() === '') return DEFAULT_API_VERSION;
  if (isApiVersion(value.trim())) return value.trim() as ApiVersion;
  throw new CliError(`${source} must be ${API_VERSIONS.join(' or ')}, not "${value}".`);
}

function emulatorCa(path: string | undefined, hostName: string): string | undefined {
  if (path === undefined) return undefined;
  if (!isLoopbackHost(hostName)) {
    throw new CliError(`--ca trusts a local emulator's certificate authority and is accepted only for a loopback host; ${hostName} is not one. Real DPS endpoints are verified with the system's trusted CAs.`);
  }
  return readCaFile(path);
}

/** The PEM of --ca FILE, or a message that says why it cannot be read. */
export function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new CliError(`--ca ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'could not be read'}.`);
  }
}
