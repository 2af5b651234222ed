// Adding a connection whose host and policy are already saved must not silently replace the saved
// one. These helpers find the existing one and, for "Keep Both", a free id and a distinct name.
import { connectionIdFor, type ConnectionRecord } from './connectionStore';

export function findSameIdentity(saved: readonly ConnectionRecord[], hostName: string, keyName: string): ConnectionRecord | undefined {
  const id = connectionIdFor(hostName, keyName);
  return saved.find((c) => c.id === id);
}

/** A second connection to the same host and policy: id "<host>/<policy>#2" (first free), name "<name> (2)". */
export function distinctCopy(saved: readonly ConnectionRecord[], hostName: string, keyName: string, label: string): { id: string; label: string } {
  const base = connectionIdFor(hostName, keyName);
  const ids = new Set(saved.map((c) => c.id));
  const labels = new Set(saved.map((c) => c.label));
  let n = 2;
  while (ids.has(`${base}#${n}`) || labels.has(`${label} (${n})`)) n++;
  return { id: `${base}#${n}`, label: `${label} (${n})` };
}
