// Strict parser for DPS service connection strings:
// `HostName=<dps>.azure-devices-provisioning.net;SharedAccessKeyName=<policy>;SharedAccessKey=<base64>`.
// Messages name fields and segment positions but never echo a value that could be the key.

export interface DpsConnectionString {
  hostName: string;
  sharedAccessKeyName: string;
  sharedAccessKey: string;
}

export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';
}

const FIELD_NAMES = ['HostName', 'SharedAccessKeyName', 'SharedAccessKey'] as const;

/** Fields that only appear in IoT Hub device or module connection strings. */
const DEVICE_FIELDS = ['DeviceId', 'ModuleId', 'GatewayHostName', 'x509', 'SharedAccessSignature'];
/** Built-in IoT Hub shared access policies; DPS policies are named differently (provisioningserviceowner). */
const IOT_HUB_POLICIES = ['iothubowner', 'service', 'device', 'registryread', 'registryreadwrite'];
const IOT_HUB_SUFFIX = '.azure-devices.net';
const MAX_KEY_LENGTH = 256;
const MAX_KEY_NAME_LENGTH = 256;

const QUOTES = ['"', "'", '\u201c', '\u201d', '\u2018', '\u2019', '`'];

export function parseConnectionString(text: string): DpsConnectionString {
  if (typeof text !== 'string') {
    throw new ConnectionStringError('The connection string must be text.');
  }
  // A paste often brings a trailing newline or spaces: those are unambiguous, so they are trimmed.
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new ConnectionStringError('The connection string is empty. Copy the primary connection string of a shared access policy of your DPS.');
  }
  // Quotes or line breaks inside are refused rather than guessed at: the user should see what was pasted.
  if (QUOTES.some((q) => trimmed.startsWith(q) || trimmed.endsWith(q))) {
    throw new ConnectionStringError('The connection string is wrapped in quotes. Paste it without the surrounding quotes.');
  }
  if (/[\r\n]/.test(trimmed)) {
    throw new ConnectionStringError('The connection string contains a line break. Paste it as a single line.');
  }

  const fields = splitFields(trimmed);
  refuseOtherKinds(fields);

  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  const unknown: Field[] = [];
  for (const field of fields) {
    if (seen.has(field.name)) {
      if (!duplicates.includes(field.name)) duplicates.push(field.name);
      continue;
    }
    seen.set(field.name, field.value);
    if (!(FIELD_NAMES as readonly string[]).includes(field.name)) unknown.push(field);
  }
  if (duplicates.length > 0) {
    throw new ConnectionStringError(`The connection string repeats ${listNames(duplicates)}; each field may appear only once.`);
  }
  if (unknown.some(looksLikeBareKey)) {
    throw new ConnectionStringError(
      'The connection string has a segment that looks like a bare key without a name. Write it as SharedAccessKey=<key>.',
    );
  }
  if (unknown.length > 0) {
    const hints = unknown.map(({ name: n }) => {
      const match = FIELD_NAMES.find((f) => f.toLowerCase() === n.toLowerCase());
      if (match) return `'${n}' (did you mean '${match}'?)`;
      // Only short, word-like names are echoed; anything else could be a fragment of a secret.
      return /^[A-Za-z][A-Za-z_]{0,23}$/.test(n) ? `'${n}'` : '(a name that is not shown because it may be secret)';
    });
    throw new ConnectionStringError(
      `The connection string has unknown field${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}. ` +
        `A DPS connection string has exactly HostName, SharedAccessKeyName and SharedAccessKey.`,
    );
  }
  const missing = FIELD_NAMES.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new ConnectionStringError(`The connection string is missing ${listNames(missing)}.`);
  }
  const empty = FIELD_NAMES.filter((f) => seen.get(f) === '');
  if (empty.length > 0) {
    throw new ConnectionStringError(`The connection string has an empty value for ${listNames(empty)}.`);
  }

  const result: DpsConnectionString = {
    hostName: seen.get('HostName') as string,
    sharedAccessKeyName: seen.get('SharedAccessKeyName') as string,
    sharedAccessKey: seen.get('SharedAccessKey') as string,
  };
  validateHostName(result.hostName);
  validateKeyName(result.sharedAccessKeyName);
  validateKey(result.sharedAccessKey);
  return result;
}

export function formatConnectionString(cs: DpsConnectionString): string {
  return `HostName=${cs.hostName};SharedAccessKeyName=${cs.sharedAccessKeyName};SharedAccessKey=${cs.sharedAccessKey}`;
}

/** True for localhost, 127.0.0.0/8 and [::1], with or without a `:port`. Only these may use a port, plain HTTP or a private CA. */
export function isLoopbackHost(hostName: string): boolean {
  const host = splitHostPort(hostName)?.host.toLowerCase();
  if (host === undefined) return false;
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}

interface Field {
  name: string;
  value: string;
}

function splitFields(text: string): Field[] {
  // One trailing ';' is common in copied strings and harmless; any other empty segment is a mistake.
  const body = text.endsWith(';') ? text.slice(0, -1) : text;
  const segments = body.split(';');
  return segments.map((segment, index) => {
    const position = `segment ${index + 1} of ${segments.length}`;
    if (segment.trim() === '') {
      throw new ConnectionStringError(
        `The connection string has an empty ${position} (two semicolons in a row, or a leading semicolon).`,
      );
    }
    const eq = segment.indexOf('=');
    if (eq < 0) {
      // The segment is not echoed: it may be the key itself pasted without its name.
      throw new ConnectionStringError(`The connection string's ${position} has no '=': every part must look like Name=value.`);
    }
    const name = segment.slice(0, eq).trim();
    if (name === '') {
      throw new ConnectionStringError(`The connection string's ${position} has no field name before '='.`);
    }
    // Base64 keys end in '=': only the first '=' separates name from value.
    return { name, value: segment.slice(eq + 1).trim() };
  });
}

/** `abc123==` splits into name `abc123` and value `=`: a key pasted without `SharedAccessKey=`. */
function looksLikeBareKey(field: Field): boolean {
  return /^=*$/.test(field.value) && /^[A-Za-z0-9+/]{8,}$/.test(field.name);
}

function refuseOtherKinds(fields: Field[]): void {
  const names = fields.map((f) => f.name.toLowerCase());
  const device = DEVICE_FIELDS.find((d) => names.includes(d.toLowerCase()));
  if (device !== undefined) {
    throw new ConnectionStringError(
      `This is an IoT Hub device connection string (it has ${device}), not a DPS one. ` +
        'Use the connection string of a shared access policy of your Device Provisioning Service.',
    );
  }
  if (names.includes('endpoint')) {
    throw new ConnectionStringError(
      'This looks like an Event Hubs or Service Bus connection string (it has Endpoint), not a DPS one. ' +
        'Use the connection string of a shared access policy of your Device Provisioning Service.',
    );
  }
  const host = fields.find((f) => f.name.toLowerCase() === 'hostname')?.value.toLowerCase() ?? '';
  const policy = fields.find((f) => f.name.toLowerCase() === 'sharedaccesskeyname')?.value.toLowerCase() ?? '';
  if (host.endsWith(IOT_HUB_SUFFIX) || IOT_HUB_POLICIES.includes(policy)) {
    throw new ConnectionStringError(
      'This is an IoT Hub connection string, not a DPS one. In the Azure portal open your Device Provisioning Service, ' +
        'Shared access policies, and copy a connection string from there (host name ending in .azure-devices-provisioning.net).',
    );
  }
}

function splitHostPort(hostName: string): { host: string; port?: string } | undefined {
  const bracketed = /^(\[[0-9a-fA-F:.]+\])(?::(\d+))?$/.exec(hostName);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] };
  if (hostName === '::1') return { host: hostName };
  const plain = /^([^:[\]]+)(?::(\d*))?$/.exec(hostName);
  if (plain) return { host: plain[1], port: plain[2] };
  return undefined;
}

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function validateHostName(hostName: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostName)) {
    throw new ConnectionStringError('HostName must be a bare host name such as mydps.azure-devices-provisioning.net, without https:// or any scheme.');
  }
  if (hostName.includes('/')) {
    throw new ConnectionStringError('HostName must be a bare host name, without a path.');
  }
  const parts = splitHostPort(hostName);
  if (parts === undefined || !(DNS_NAME.test(parts.host) || parts.host === '[::1]' || parts.host === '::1')) {
    // The value is not echoed: a key pasted into the wrong field would land in the message and the log.
    throw new ConnectionStringError(`HostName is not a valid host name${looksLikeKey(hostName) ? ' (it looks like a key: was the key pasted into HostName?)' : ''}; it must look like mydps.azure-devices-provisioning.net.`);
  }
  if (parts.port !== undefined) {
    if (!isLoopbackHost(hostName)) {
      throw new ConnectionStringError(
        `HostName has a port (${parts.port}): a port is allowed only for a local emulator (localhost, 127.0.0.1 or [::1]).`,
      );
    }
    const port = Number(parts.port);
    if (parts.port === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectionStringError('HostName has an invalid port; use a number from 1 to 65535.');
    }
  }
}

/** Base64 of 16 bytes or more, the shape of a shared access key. */
function looksLikeKey(value: string): boolean {
  return /^[A-Za-z0-9+/]{22,}={0,2}$/.test(value) && /[0-9+/=]/.test(value);
}

function validateKeyName(keyName: string): void {
  if (keyName.length > MAX_KEY_NAME_LENGTH || /\s/.test(keyName)) {
    throw new ConnectionStringError(
      `SharedAccessKeyName must be a policy name without spaces, at most ${MAX_KEY_NAME_LENGTH} characters.`,
    );
  }
}

function validateKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH) {
    throw new ConnectionStringError(`SharedAccessKey is too long (at most ${MAX_KEY_LENGTH} characters).`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
    throw new ConnectionStringError('SharedAccessKey is not valid base64. Copy the key again from the shared access policy.');
  }
  if (Buffer.from(key, 'base64').length === 0) {
    throw new ConnectionStringError('SharedAccessKey decodes to no bytes.');
  }
}

function listNames(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
