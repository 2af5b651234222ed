// The items an update run sends: each existing item carries the etag read in the dry run, and a
// symmetric-key item without keys in the source carries its current keys, read through the
// attestation mechanism (GET and query results never hold keys). Without them the service would
// generate new keys and lock out the devices that use the current ones.
import type { InstanceBudget } from '../dps/budget';
import { DpsError } from '../dps/errors';
import { getItemAttestation, type Item, type ItemAttestationApi } from '../dps/items';
import type { BulkPlan } from './plan';

export interface ReadFailure {
  outcome: 'failed' | 'notSent';
  reason: string;
}

export interface ItemsToSend {
  /** Plan index -> the item to send, for rows that differ from the source's item. */
  items: Map<number, Item>;
  /** Rows not sent because their keys could not be read. */
  readFailures: Map<number, ReadFailure>;
  /** Attestation reads made (service operations). */
  reads: number;
}

export async function withCurrentKeys(
  client: ItemAttestationApi,
  plan: BulkPlan,
  indexes: readonly number[],
  budget: InstanceBudget,
  signal?: AbortSignal,
): Promise<ItemsToSend> {
  const result: ItemsToSend = { items: new Map(), readFailures: new Map(), reads: 0 };
  for (const index of indexes) {
    const planned = plan.planned[index];
    if (planned.etag === undefined && planned.keepKeys !== true) continue;
    const item = { ...(planned.row.item as Item) };
    if (planned.etag !== undefined && planned.etag !== '') item.etag = planned.etag;
    if (planned.keepKeys === true) {
      if (signal?.aborted) {
        result.readFailures.set(index, { outcome: 'notSent', reason: 'Not sent: the job was cancelled first.' });
        continue;
      }
      result.reads++;
      try {
        const mechanism = await budget.read((options) => getItemAttestation(client, plan.kind, planned.row.id, options), signal);
        const keys = mechanism.symmetricKey;
        if (mechanism.type !== 'symmetricKey' || typeof keys?.primaryKey !== 'string' || keys.primaryKey === '') {
          result.readFailures.set(index, {
            outcome: 'failed',
            reason: `Not sent: its current keys could not be read (the service reports ${mechanism.type} attestation); sending it without keys would replace them.`,
          });
          continue;
        }
        item.attestation = { ...item.attestation, type: 'symmetricKey', symmetricKey: { ...keys } };
      } catch (error: unknown) {
        result.readFailures.set(index, readFailure(error));
        continue;
      }
    }
    result.items.set(index, item);
  }
  return result;
}

function readFailure(error: unknown): ReadFailure {
  if (error instanceof DpsError && error.kind === 'aborted') return { outcome: 'notSent', reason: 'Not sent: the job was cancelled first.' };
  if (error instanceof DpsError && error.status === 404) {
    return { outcome: 'failed', reason: 'Not sent: it no longer exists (deleted since the dry run), so there were no keys to keep.' };
  }
  const message = error instanceof DpsError ? error.message : 'an unexpected failure';
  return { outcome: 'failed', reason: `Not sent: reading its current keys failed (${message}); sending it without keys would replace them.` };
}
