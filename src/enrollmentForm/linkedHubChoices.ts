// The hub picker's list: the IoT hubs linked to the connection's instance, read through ARM by the
// host (the page never talks to Azure). A connection without ARM ids, or a failed read, gives no list
// and a note; the page then takes typed host names as before.
import type { LinkedHubEntry, LinkedHubsMessage } from './protocol';

/** undefined: the connection has no Azure link, so there is nothing to read. */
export type LinkedHubSource = () => Promise<readonly LinkedHubEntry[] | undefined>;

export const NO_ARM_NOTE = 'Type the host names: this connection was not added from Azure, so its linked hubs are not known here.';

export async function linkedHubsAnswer(requestId: string, source: LinkedHubSource | undefined, log: { warn(message: string): void }): Promise<LinkedHubsMessage> {
  if (!source) return { type: 'linkedHubs', requestId, hubs: [], note: NO_ARM_NOTE };
  let hubs: readonly LinkedHubEntry[] | undefined;
  try {
    hubs = await source();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn(`Enrollment form: could not read the linked hubs: ${reason}`);
    return { type: 'linkedHubs', requestId, hubs: [], note: `Could not read the linked hubs (${reason.replace(/[.\s]+$/, '')}). Type the host names.` };
  }
  if (hubs === undefined) return { type: 'linkedHubs', requestId, hubs: [], note: NO_ARM_NOTE };
  if (hubs.length === 0) return { type: 'linkedHubs', requestId, hubs: [], note: 'No IoT hub is linked to this instance yet: link one in the Azure portal, or type a host name.' };
  // Only the fields the page shows: nothing else of the ARM answer crosses to the page.
  return { type: 'linkedHubs', requestId, hubs: hubs.map(pickShown) };
}

function pickShown(hub: LinkedHubEntry): LinkedHubEntry {
  return {
    hostName: hub.hostName,
    ...(hub.allocationWeight !== undefined ? { allocationWeight: hub.allocationWeight } : {}),
    ...(hub.location !== undefined ? { location: hub.location } : {}),
    ...(hub.applyAllocationPolicy !== undefined ? { applyAllocationPolicy: hub.applyAllocationPolicy } : {}),
  };
}
