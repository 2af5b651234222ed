// provision-test-device: registers one device through DPS's device API (src/device) to prove an
// enrollment works in a pipeline. The credential comes from an environment variable, certificate
// files, or the enrollment itself read through the service; keys never reach stdout or stderr.
import { readFileSync } from 'node:fs';
import { deriveDeviceKey } from '../attestation/symmetricKey';
import { checkRegistrationId } from '../attestation/registrationId';
import { GLOBAL_DEVICE_ENDPOINT, provisionDevice, type DeviceCredential, type ProvisioningResult } from '../device/client';
import { DeviceProvisioningError } from '../device/errors';
import { isLoopbackHost, parseConnectionString } from '../dps/connectionString';
import type { DpsClient } from '../dps/client';
import { getItemAttestation, type ItemKind } from '../dps/items';
import { idScopeForKey } from '../emulator/device/idScope';
import type { CliArgs } from './args';
import type { CliIo } from './commands';
import { CONNECTION_STRING_VARIABLE, HOST_NAME_VARIABLE, readCaFile } from './connect';
import { CliError, EXIT_OK } from './exitCodes';

/** A value from the environment variable a flag names; the value itself never appears in a message. */
function fromEnv(io: CliIo, flag: string, name: string): string {
  const value = io.env[name];
  if (value === undefined || value.trim() === '') throw new CliError(`${flag} ${name}: the environment variable ${name} is not set.`);
  return value.trim();
}

function readBinary(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    throw new CliError(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'could not be read'}.`);
  }
}

/** --payload: inline JSON, or @FILE holding JSON. */
export function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const fromFile = text.startsWith('@');
  const source = fromFile ? readBinary('--payload', text.slice(1)).toString('utf8') : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error: unknown) {
    throw new CliError(`--payload${fromFile ? ` ${text}` : ''} is not valid JSON: ${error instanceof Error ? error.message : 'syntax error'}.`);
  }
}

/** The service's host (and key, with a connection string) as far as known without connecting: for defaults only. */
function serviceConnection(args: CliArgs, io: CliIo): { hostName: string; key?: string } | undefined {
  if (args.auth === 'entra') {
    const hostName = args.host ?? io.env[HOST_NAME_VARIABLE];
    return hostName === undefined || hostName.trim() === '' ? undefined : { hostName: hostName.trim() };
  }
  const text = io.env[CONNECTION_STRING_VARIABLE];
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const cs = parseConnectionString(text);
    return { hostName: cs.hostName, key: cs.sharedAccessKey };
  } catch {
    return undefined; // connect() reports it properly if the service is needed
  }
}

/** Which credential flags were given; at most one kind. */
function credentialFromFlags(args: CliArgs, io: CliIo): DeviceCredential | undefined {
  const given = [args.deviceKeyEnv && '--device-key-env', args.groupKeyEnv && '--group-key-env', (args.cert ?? args.key) && '--cert/--key'].filter(Boolean);
  if (given.length > 1) throw new CliError(`Give one device credential, not ${given.join(' and ')}.`);
  if (args.deviceKeyEnv !== undefined) return { kind: 'symmetricKey', key: fromEnv(io, '--device-key-env', args.deviceKeyEnv) };
  if (args.groupKeyEnv !== undefined) return { kind: 'groupKey', groupKey: fromEnv(io, '--group-key-env', args.groupKeyEnv) };
  if (args.cert !== undefined || args.key !== undefined) {
    if (args.cert === undefined || args.key === undefined) throw new CliError('An X.509 device needs both --cert FILE and --key FILE.');
    const certificate = readBinary('--cert', args.cert);
    const text = certificate.toString('utf8');
    return {
      kind: 'x509',
      certificate: text.includes('-----BEGIN') ? text : certificate,
      privateKey: readBinary('--key', args.key),
      ...(args.passphraseEnv !== undefined ? { passphrase: fromEnv(io, '--passphrase-env', args.passphraseEnv) } : {}),
    };
  }
  if (args.passphraseEnv !== undefined) throw new CliError('--passphrase-env goes with --cert and --key.');
  return undefined;
}

/** No credential flag: read the enrollment's (or group's) attestation through the service. */
async function credentialFromService(client: DpsClient, kind: ItemKind, id: string, registrationId: string): Promise<DeviceCredential> {
  const mechanism = await getItemAttestation(client, kind, id);
  const what = kind === 'group' ? `Enrollment group "${id}"` : `Enrollment "${id}"`;
  switch (mechanism.type) {
    case 'symmetricKey': {
      const key = mechanism.symmetricKey?.primaryKey;
      if (key === undefined || key === '') throw new CliError(`${what} has no primary key to sign with.`);
      return { kind: 'symmetricKey', key: kind === 'group' ? deriveDeviceKey(key, registrationId) : key };
    }
    case 'x509':
      throw new CliError(`${what} uses X.509: give the device's certificate and key with --cert FILE --key FILE.`);
    default:
      throw new CliError(`${what} uses ${mechanism.type} attestation, which provision-test-device cannot present (symmetric key and X.509 only).`);
  }
}

export async function provisionTestDeviceCommand(args: CliArgs, io: CliIo, signal: AbortSignal): Promise<number> {
  if (args.file !== undefined) throw new CliError(`Unexpected argument "${args.file}": provision-test-device takes options only (--registration-id ID …).`);
  const registrationId = args.registrationId?.trim();
  if (registrationId === undefined || registrationId === '') throw new CliError('provision-test-device needs --registration-id ID.');
  const problem = checkRegistrationId(registrationId).find((p) => p.severity === 'error');
  if (problem !== undefined) throw new CliError(`--registration-id: ${problem.message}`);
  const payload = parsePayload(args.payload);
  const service = serviceConnection(args, io);
  const emulatorService = service !== undefined && isLoopbackHost(service.hostName) ? service : undefined;
  const host = args.globalEndpoint ?? emulatorService?.hostName ?? GLOBAL_DEVICE_ENDPOINT;
  // The emulator's ID scope follows from its key; a real instance's must be given (portal: Overview).
  const idScope = args.idScope ?? (emulatorService?.key !== undefined && host === emulatorService.hostName ? idScopeForKey(emulatorService.key) : undefined);
  if (idScope === undefined) throw new CliError('provision-test-device needs --id-scope SCOPE (Azure portal: the DPS instance\'s Overview page, e.g. 0ne00012345).');
  const ca = args.ca !== undefined && isLoopbackHost(host) ? readCaFile(args.ca) : undefined;
  if (args.ca !== undefined && ca === undefined) {
    throw new CliError(`--ca trusts a local emulator's certificate authority and is accepted only for a loopback host; ${host} is not one.`);
  }

  let credential = credentialFromFlags(args, io);
  if (credential === undefined) {
    const client = io.connect();
    try {
      credential = await credentialFromService(client, args.group !== undefined ? 'group' : 'enrollment', args.group ?? registrationId, registrationId);
    } finally {
      client.dispose();
    }
  }
  let result: ProvisioningResult;
  try {
    result = await provisionDevice({ host, ca, idScope, registrationId, credential, payload, signal });
  } catch (error: unknown) {
    // Errors raised before the first request (an unusable credential) do not name the device yet.
    if (error instanceof DeviceProvisioningError && error.details.registrationId === undefined) {
      throw new DeviceProvisioningError(error.kind, error.message, { ...error.details, registrationId });
    }
    throw error;
  }
  io.out(args.json ? JSON.stringify(resultJson(result, host, idScope), null, 2) + '\n' : resultText(result, host, idScope));
  return EXIT_OK;
}

function resultJson(result: ProvisioningResult, host: string, idScope: string): Record<string, unknown> {
  const { registrationId, status, assignedHub, deviceId, substatus, operationId, createdDateTimeUtc, lastUpdatedDateTimeUtc, etag, payload } = result;
  return { registrationId, status, assignedHub, deviceId, substatus, operationId, createdDateTimeUtc, lastUpdatedDateTimeUtc, etag, payload, endpoint: host, idScope };
}

function resultText(result: ProvisioningResult, host: string, idScope: string): string {
  return [
    `Test device ${result.registrationId} assigned to ${result.assignedHub} as device ${result.deviceId}${result.substatus ? ` (${result.substatus})` : ''}.`,
    `  endpoint ${host}, ID scope ${idScope}, operation ${result.operationId}`,
    ...(result.payload !== undefined ? [`  payload ${JSON.stringify(result.payload)}`] : []),
    '',
  ].join('\n');
}
