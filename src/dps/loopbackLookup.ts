// Name resolution for a client of a local emulator: 'localhost' is answered with the loopback
// addresses at once, as RFC 6761 (6.3) allows, instead of a getaddrinfo round trip on libuv's
// thread pool (15-30 ms before the first page on a busy machine). Both families are offered, so
// with Node's happy-eyeballs connect (autoSelectFamily, on by default) an emulator bound to ::1
// is still reached; any other name goes to the system resolver.
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

const LOOPBACK: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

export const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname.toLowerCase() !== 'localhost') {
    systemLookup(hostname, options, callback);
    return;
  }
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  const addresses = LOOPBACK.filter((a) => family === undefined || family === 0 || a.family === family);
  const [first] = addresses;
  process.nextTick(() => {
    if (options.all === true) callback(null, addresses.map((a) => ({ ...a })));
    else if (first !== undefined) callback(null, first.address, first.family);
  });
};
