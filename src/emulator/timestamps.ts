// Timestamps in the service's format. Records carry 100-ns precision with trailing zeros trimmed
// (recorded: `2023-05-19T23:10:45.1256254Z`, and `...:50.425632Z` when the last digit is 0);
// certificate validity dates carry no fraction (`2023-05-19T23:10:43Z`).
import { hrtime } from 'node:process';

/** A record timestamp: up to 7 fractional digits (Date gives 3; the 4 below come from the monotonic clock). */
export function recordTimestamp(now: Date = new Date()): string {
  const ticksBelowMs = Number((hrtime.bigint() / 100n) % 10000n);
  const fraction = `${String(now.getUTCMilliseconds()).padStart(3, '0')}${String(ticksBelowMs).padStart(4, '0')}`.replace(/0+$/, '');
  return `${now.toISOString().slice(0, 19)}${fraction === '' ? '' : '.' + fraction}Z`;
}

/** A certificate validity date: whole seconds, no fraction. */
export function certificateTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
