// Shared access signatures for the DPS service API, minted the way the official SDKs do:
// sr = URL-encoded host, se = expiry in epoch seconds, sig = base64 HMAC-SHA256 of "sr\nse"
// under the base64-decoded policy key.
import { createHmac } from 'node:crypto';

/** Default lifetime of a minted token. Tokens are minted per request, so this stays short. */
export const DEFAULT_SAS_LIFETIME_SECONDS = 3600;

export interface SasInput {
  /** Resource URI: the DPS host name, without scheme or path. */
  resourceUri: string;
  keyName: string;
  /** Base64 shared access key as it appears in the connection string. */
  key: string;
  /** Expiry in seconds since the Unix epoch. */
  expiry: number;
}

/** The HMAC the service checks: base64 HMAC-SHA256 of `encodedUri + "\n" + expiry`. */
export function sasSignature(encodedUri: string, expiry: number, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${encodedUri}\n${expiry}`, 'utf8')
    .digest('base64');
}

export function createSasToken(input: SasInput): string {
  const encodedUri = encodeURIComponent(input.resourceUri.toLowerCase());
  const sig = sasSignature(encodedUri, input.expiry, input.key);
  return (
    `SharedAccessSignature sr=${encodedUri}` +
    `&sig=${encodeURIComponent(sig)}` +
    `&se=${input.expiry}` +
    `&skn=${encodeURIComponent(input.keyName)}`
  );
}

export function expiryFromNow(lifetimeSeconds = DEFAULT_SAS_LIFETIME_SECONDS, nowMs = Date.now()): number {
  return Math.ceil(nowMs / 1000 + lifetimeSeconds);
}
