// Memory of the etags a streamed update's dry run keeps: a million service etags (base64 of a quoted
// GUID) in an EtagTable beside the same etags as an array of strings. Printed, never asserted.
//   npx tsx bench/etag-table.ts
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EtagTable } from '../src/bulk/etagTable';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const N = 1_000_000;
const inUse = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const serviceEtag = (): string => Buffer.from(`"${randomUUID()}"`).toString('base64');

/** What `fill` returns stays reachable here while it is measured. */
let kept: unknown;

function measure(label: string, fill: () => unknown): void {
  kept = undefined;
  const before = inUse();
  kept = fill();
  console.log(`${label}: ${((inUse() - before) / 2 ** 20).toFixed(1)} MB for ${N.toLocaleString('en-US')} etags`);
}

measure('EtagTable      ', () => {
  const table = new EtagTable();
  for (let i = 0; i < N; i++) table.add(serviceEtag());
  return table;
});
measure('array of string', () => Array.from({ length: N }, serviceEtag));
void kept;
