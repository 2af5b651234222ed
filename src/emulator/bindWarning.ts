// The emulator's shared access key is well known (it is printed, and it is the same demo key for
// everyone), so listening beyond loopback hands full control of its data to the network.
import { isIP } from 'node:net';

/** True for addresses only this machine can reach. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost' || a === '::1') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a.startsWith('::ffff:127.');
}

/** The warning for a bind address reachable from the network; undefined for loopback. */
export function bindWarning(address: string | undefined): string | undefined {
  if (address === undefined || isLoopbackAddress(address)) return undefined;
  return (
    `WARNING: the emulator listens on ${address}, so it is reachable from the network, and anyone who can reach it ` +
    'can read and change its enrollments with its well-known shared access key. Use --bind 127.0.0.1 unless you mean this.'
  );
}
