// Verifies `Authorization` headers the way the service does: a SharedAccessSignature whose fields
// may come in any order, a known policy name, a resource that names this host, an unexpired
// expiry and a signature that matches (compared in constant time).
import { timingSafeEqual } from 'node:crypto';
import { sasSignature } from '../dps/sas';
import { unauthorized } from './errors';

export interface SasToken {
  sr: string;
  sig: string;
  se: number;
  skn?: string;
}

const PREFIX = 'SharedAccessSignature ';

/** Parses a token; throws a 401 EmulatorError naming what is wrong (never echoing the token). */
export function parseSasToken(header: string, requireKeyName = true): SasToken {
  if (!header.startsWith(PREFIX)) throw unauthorized('Authorization header is not a SharedAccessSignature token.');
  const fields = new Map<string, string>();
  for (const part of header.slice(PREFIX.length).trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw unauthorized('Malformed SharedAccessSignature: every field must be name=value.');
    const name = part.slice(0, eq);
    if (fields.has(name)) throw unauthorized(`Malformed SharedAccessSignature: field '${name}' appears twice.`);
    fields.set(name, part.slice(eq + 1));
  }
  for (const name of fields.keys()) {
    if (!['sr', 'sig', 'se', 'skn'].includes(name)) {
      throw unauthorized(`Malformed SharedAccessSignature: unknown field '${name}'.`);
    }
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  const missing = [sr === undefined && 'sr', sig === undefined && 'sig', se === undefined && 'se',
    requireKeyName && skn === undefined && 'skn'].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0) throw unauthorized(`Malformed SharedAccessSignature: missing ${missing.join(', ')}.`);
  if (!/^\d+$/.test(se as string)) throw unauthorized('Malformed SharedAccessSignature: se must be whole seconds since the epoch.');
  try {
    return {
      sr: sr as string,
      sig: decodeURIComponent(sig as string),
      se: Number(se),
      skn: skn === undefined ? undefined : decodeURIComponent(skn),
    };
  } catch {
    throw unauthorized('Malformed SharedAccessSignature: a field is not valid URL encoding.');
  }
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw unauthorized('Malformed SharedAccessSignature: sr is not valid URL encoding.');
  }
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the token's signature was made with `key` over the token's own sr and se. */
export function signedWith(token: SasToken, key: string): boolean {
  return signaturesMatch(sasSignature(token.sr, token.se, key), token.sig);
}

export interface ServiceSasPolicy {
  keyName: string;
  key: string;
  /** Resource names accepted in sr, lower-case (e.g. `localhost:8443` and the request's Host). */
  acceptedResources: string[];
  nowMs?: number;
}

/** Verifies a service-API Authorization header against the emulator's one access policy. */
export function verifyServiceAuthorization(header: string | undefined, policy: ServiceSasPolicy): void {
  if (header === undefined || header.trim() === '') throw unauthorized('Authorization header is missing.');
  if (/^Bearer\s/i.test(header)) {
    throw unauthorized('Microsoft Entra (Bearer) tokens are not supported by the emulator; use the SharedAccessSignature from its connection string.');
  }
  const token = parseSasToken(header.trim());
  if (token.skn !== policy.keyName) throw unauthorized('The shared access policy named in the token (skn) is not known.');
  const resource = safeDecode(token.sr).toLowerCase();
  if (!policy.acceptedResources.includes(resource)) {
    throw unauthorized('The token resource (sr) does not match this provisioning service host.');
  }
  const nowSeconds = Math.floor((policy.nowMs ?? Date.now()) / 1000);
  if (token.se <= nowSeconds) throw unauthorized('The SharedAccessSignature token has expired.');
  if (!signedWith(token, policy.key)) throw unauthorized('The SharedAccessSignature signature is not valid.');
}
