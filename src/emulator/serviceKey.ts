// The shared access key of the emulator's one policy: generated once and kept in dataDir so the
// connection string stays the same across restarts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomicWrite';

export const DEFAULT_KEY_NAME = 'provisioningserviceowner';
const KEY_FILE = 'emulator-key.json';

export function isBase64Key(key: string): boolean {
  return key.length > 0 && key.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 16;
}

/** The folder's key, or undefined when it has none yet (for a client reconnecting to a running emulator). */
export function readServiceKey(dataDir: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, KEY_FILE), 'utf8')) as { key?: unknown };
    if (typeof parsed.key === 'string' && isBase64Key(parsed.key)) return parsed.key;
  } catch {
    // missing or unreadable
  }
  return undefined;
}

export function loadOrCreateServiceKey(dataDir: string): string {
  const file = join(dataDir, KEY_FILE);
  const existing = readServiceKey(dataDir);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  writeFileAtomicSync(file, JSON.stringify({ key }) + '\n', 0o600);
  return key;
}
