// The CLI's connection: a DPS connection string from an environment variable (never an argument, so
// it stays out of shell history and process lists), and optionally the emulator's CA for a loopback host.
import { readFileSync } from 'node:fs';
import { isLoopbackHost, parseConnectionString } from '../dps/connectionString';
import { DpsClient } from '../dps/client';
import { CliError } from './exitCodes';

export const CONNECTION_STRING_VARIABLE = 'DPS_CONNECTION_STRING';

export interface ConnectOptions {
  auth: string;
  ca?: string;
  env: Record<string, string | undefined>;
}

export function connect(options: ConnectOptions): DpsClient {
  if (options.auth === 'entra') {
    throw new CliError('--auth entra is not available yet: Microsoft Entra ID sign-in for the CLI is being built (src/dps/auth.ts). Use a shared access policy connection string in DPS_CONNECTION_STRING for now.');
  }
  if (options.auth !== 'connection-string') throw new CliError(`--auth must be "connection-string" or "entra", not "${options.auth}".`);
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
  let ca: string | undefined;
  if (options.ca !== undefined) {
    if (!isLoopbackHost(hostName)) {
      throw new CliError(`--ca trusts a local emulator's certificate authority and is accepted only for a loopback host; ${hostName} is not one. Real DPS endpoints are verified with the system's trusted CAs.`);
    }
    ca = readCaFile(options.ca);
  }
  return DpsClient.fromConnectionString(text, { ...(ca !== undefined ? { ca } : {}) });
}

/** The PEM of --ca FILE, or a message that says why it cannot be read. */
export function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new CliError(`--ca ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'could not be read'}.`);
  }
}
