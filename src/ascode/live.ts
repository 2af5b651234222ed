// Reads what the instance holds: every enrollment and group (queries, 100 per page), and the keys of
// just those items whose keys the file names, since only the attestation-mechanism call shows keys.
// Reads spend the same per-instance budget as writes, so they are paced too.
import { getItemAttestation, ITEM_KINDS, itemIdOf, queryItems, type Item, type ItemAttestationApi, type ItemKind, type ItemQueryApi } from '../dps/items';
import type { ApiVersion } from '../dps/apiVersion';
import { Pacer, realClock } from '../dps/pacer';

/** `apiVersion` (the client's) lets a plan refuse fields the connection's version does not accept. */
export type LiveClient = ItemQueryApi & ItemAttestationApi & { readonly hostName: string; readonly apiVersion?: ApiVersion };

export interface LiveItem {
  kind: ItemKind;
  id: string;
  /** As read, without any key material. */
  item: Item;
  /** Secret: only for items whose keys the file names; never copied into a plan. */
  keys?: { primary?: string; secondary?: string };
}

export interface LiveState {
  hostName: string;
  items: Map<string, LiveItem>;
  /** Service operations spent reading. */
  requests: number;
}

export interface ReadLiveOptions {
  /** Items (kind and id) whose symmetric keys are compared. */
  keysFor?: ReadonlyArray<{ kind: ItemKind; id: string }>;
  operationsPerMinute?: number;
  signal?: AbortSignal;
  onProgress?: (read: number) => void;
}

const PAGE_SIZE = 100;

export function liveKey(kind: ItemKind, id: string): string {
  return `${kind}:${id.toLowerCase()}`; // ids are case-insensitive in DPS
}

export async function readLiveState(client: LiveClient, options: ReadLiveOptions = {}): Promise<LiveState> {
  // A burst of a few reads is harmless; writes keep the bulk runner's own pacing.
  const pacer = new Pacer(options.operationsPerMinute ?? 1000, realClock);
  const items = new Map<string, LiveItem>();
  let requests = 0;
  const take = async () => {
    if (!(await pacer.take(options.signal))) throw abortError();
    requests++;
  };
  for (const kind of ITEM_KINDS) {
    let token: string | undefined;
    do {
      await take();
      const page = await queryItems(client, kind, { pageSize: PAGE_SIZE, ...(token ? { continuationToken: token } : {}) }, { signal: options.signal });
      for (const item of page.items) {
        const id = itemIdOf(kind, item);
        items.set(liveKey(kind, id), { kind, id, item: withoutKeys(item) });
      }
      token = page.continuationToken;
      options.onProgress?.(items.size);
    } while (token);
  }
  for (const { kind, id } of options.keysFor ?? []) {
    const live = items.get(liveKey(kind, id));
    if (live === undefined || live.item.attestation?.type !== 'symmetricKey') continue;
    await take();
    const attestation = await getItemAttestation(client, kind, live.id, { signal: options.signal });
    live.keys = { primary: attestation.symmetricKey?.primaryKey, secondary: attestation.symmetricKey?.secondaryKey };
  }
  return { hostName: client.hostName, items, requests };
}

/** Reads carry no keys on the live service; an emulator or proxy that did must not leak them into a plan. */
function withoutKeys(item: Item): Item {
  if (item.attestation?.symmetricKey === undefined) return item;
  const { symmetricKey: _withheld, ...attestation } = item.attestation;
  return { ...item, attestation };
}

function abortError(): Error {
  const error = new Error('Cancelled.');
  error.name = 'AbortError';
  return error;
}
