// The emulator's ID scope: stable for a given service key (so a device configuration survives a
// restart), shaped like the service's ("0ne" + 8 upper-case hex digits).
import { createHash } from 'node:crypto';

export function idScopeForKey(serviceKey: string): string {
  return `0ne${createHash('sha256').update(`id-scope:${serviceKey}`).digest('hex').slice(0, 8).toUpperCase()}`;
}

export function isValidIdScope(value: string): boolean {
  return /^0ne[0-9A-Fa-f]{8}$/.test(value);
}
