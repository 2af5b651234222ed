// Applies a plan through the bulk runner under the quota: creates as `create`, updates as
// `updateIfMatchETag` with the etag the plan saw, deletes as `delete` with it. An item changed by
// someone else since the plan fails with the service's precondition error and is not overwritten.
// Keys are filled in only here, just before sending: from the environment variables the file names,
// or, to keep an existing item's keys, from the attestation-mechanism call.
import { checkSymmetricKey } from '../attestation';
import { runBulk, type BulkClient, type BulkItemOutcome, type BulkReport } from '../dps/bulk';
import { getItemAttestation, ITEM_KIND_FACTS, ITEM_KINDS, type Item, type ItemAttestationApi, type ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import { Pacer, realClock } from '../dps/pacer';
import { DpsError } from '../dps/errors';
import type { Plan, PlanAction, PlanEntry } from './plan';

export type ApplyClient = BulkClient & ItemAttestationApi & { readonly hostName: string };

export type ApplyOutcome = 'done' | 'failed' | 'notSent';

export interface AppliedItem {
  kind: ItemKind;
  id: string;
  action: Exclude<PlanAction, 'unchanged'>;
  outcome: ApplyOutcome;
  errorCode?: number;
  message?: string;
}

export interface ApplyReport {
  items: AppliedItem[];
  counts: Record<ApplyOutcome, number>;
  requests: number;
  elapsedMs: number;
  cancelled: boolean;
}

export interface ApplyProgress {
  total: number;
  settled: number;
  failed: number;
  phase: string;
  /** Requests sent so far (key reads and bulk requests), for a throughput chart. */
  requests: number;
}

export interface ApplyOptions {
  operationsPerMinute?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ApplyProgress) => void;
  /** A request is sent again: after a 429 (throttled) or a transient failure. */
  onRetry?: (throttled: boolean) => void;
  /**
   * Hears items as their outcome becomes final (a bulk batch at a time, and those refused before
   * sending), each once, as the report lists it; `index` is into the plan's changes (its entries
   * other than 'unchanged', in plan order).
   */
  onItemsSettled?: (settled: SettledApplyItem[]) => void;
  env?: Record<string, string | undefined>;
}

/** An applied item whose outcome is final; `index` is its place among the plan's changes. */
export interface SettledApplyItem {
  index: number;
  item: AppliedItem;
}

const MODE_OF: Record<Exclude<PlanAction, 'unchanged'>, BulkMode> = { create: 'create', update: 'updateIfMatchETag', delete: 'delete' };
const ACTION_ORDER: ReadonlyArray<Exclude<PlanAction, 'unchanged'>> = ['create', 'update', 'delete'];

export async function applyPlan(client: ApplyClient, plan: Plan, options: ApplyOptions = {}): Promise<ApplyReport> {
  if (client.hostName.toLowerCase() !== plan.hostName.toLowerCase()) {
    throw new Error(`The plan was made for ${plan.hostName}, but the connection is to ${client.hostName}; plan again against this instance.`);
  }
  const started = performance.now();
  const operationsPerMinute = options.operationsPerMinute ?? 1000;
  const pending = plan.entries.filter((e): e is PlanEntry & { action: Exclude<PlanAction, 'unchanged'> } => e.action !== 'unchanged');
  const total = pending.length;
  const results: AppliedItem[] = [];
  let requests = 0;
  let failed = 0;
  const report = (phase: string, settledNow = results.length, failedNow = failed, requestsNow = requests) =>
    options.onProgress?.({ total, settled: settledNow, failed: failedNow, phase, requests: requestsNow });
  const positionOf = new Map<PlanEntry, number>(pending.map((entry, index) => [entry, index]));
  const settle = (settled: SettledApplyItem[]): void => {
    if (options.onItemsSettled === undefined || settled.length === 0) return;
    try {
      options.onItemsSettled(settled);
    } catch {
      // A failing listener must not break the apply.
    }
  };
  const at = (entry: PlanEntry): number => positionOf.get(entry) as number;

  for (const action of ACTION_ORDER) {
    for (const kind of ITEM_KINDS) {
      const entries = pending.filter((e) => e.action === action && e.kind === kind);
      if (entries.length === 0) continue;
      const phase = `${action} ${ITEM_KIND_FACTS[kind].plural}`;
      if (options.signal?.aborted) {
        const notSent = entries.map((e): SettledApplyItem => ({ index: at(e), item: { kind, id: e.id, action, outcome: 'notSent' } }));
        results.push(...notSent.map((s) => s.item));
        settle(notSent);
        continue;
      }
      const prepared = await prepareItems(client, entries, { ...options, operationsPerMinute }, (n) => (requests += n));
      for (const { item } of prepared.refused) {
        if (item.outcome === 'failed') failed++;
        results.push(item);
      }
      settle(prepared.refused.map(({ entry, item }) => ({ index: at(entry), item })));
      const settledBefore = results.length;
      report(phase);
      const bulk: BulkReport = await runBulk({
        client,
        kind,
        mode: MODE_OF[action],
        items: prepared.items.map((p) => p.item),
        operationsPerMinute,
        signal: options.signal,
        onRetry: options.onRetry,
        onProgress: (p) => report(phase, settledBefore + p.done + p.failed, failed + p.failed, requests + p.requests),
        onItemsSettled: options.onItemsSettled === undefined ? undefined : (settled) => settle(settled.map(({ index, outcome }) => ({
          index: at(prepared.items[index].entry),
          item: appliedItemOf(kind, prepared.items[index].id, action, outcome),
        }))),
      });
      requests += bulk.requests;
      const neverSent: SettledApplyItem[] = [];
      bulk.items.forEach((outcome, i) => {
        if (outcome.outcome === 'failed') failed++;
        const item = appliedItemOf(kind, prepared.items[i].id, action, outcome);
        results.push(item);
        if (outcome.outcome === 'notSent') neverSent.push({ index: at(prepared.items[i].entry), item });
      });
      // The bulk runner tells only of items it sent; those a cancel kept back are final too, and heard here.
      settle(neverSent);
      report(phase);
    }
  }
  const counts: Record<ApplyOutcome, number> = { done: 0, failed: 0, notSent: 0 };
  for (const r of results) counts[r.outcome]++;
  return { items: results, counts, requests, elapsedMs: Math.round(performance.now() - started), cancelled: options.signal?.aborted === true };
}

/** The report's line for an item the bulk runner carried (also heard live, as it settles). */
function appliedItemOf(kind: ItemKind, id: string, action: Exclude<PlanAction, 'unchanged'>, outcome: BulkItemOutcome): AppliedItem {
  const item: AppliedItem = { kind, id, action, outcome: outcome.outcome };
  if (outcome.outcome === 'failed') {
    if (outcome.errorCode !== undefined) item.errorCode = outcome.errorCode;
    item.message = explainFailure(outcome.errorCode, outcome.errorStatus);
  }
  return item;
}

/** A stale etag is the one failure people must understand at once: their change was not applied, and nothing was overwritten. */
function explainFailure(errorCode: number | undefined, status: string | undefined): string {
  if (errorCode !== undefined && String(errorCode).startsWith('412')) {
    return 'Changed on the service since the plan was made (its etag no longer matches); not overwritten. Plan again to see the change.';
  }
  return status ?? 'The service reported an error for this item.';
}

/** What to send and what was refused before sending, each with the plan entry it came from. */
interface Prepared {
  items: Array<{ entry: PlanEntry; id: string; item: Item }>;
  refused: Array<{ entry: PlanEntry; item: AppliedItem }>;
}

async function prepareItems(
  client: ApplyClient,
  entries: ReadonlyArray<PlanEntry & { action: Exclude<PlanAction, 'unchanged'> }>,
  options: ApplyOptions & { operationsPerMinute: number },
  spent: (requests: number) => void,
): Promise<Prepared> {
  const env = options.env ?? process.env;
  const pacer = new Pacer(options.operationsPerMinute, realClock);
  const prepared: Prepared = { items: [], refused: [] };
  for (const entry of entries) {
    const { kind, id, action } = entry;
    const idField = ITEM_KIND_FACTS[kind].idField;
    if (action === 'delete') {
      // The service wants an attestation in every bulk item; a delete's is not looked at.
      prepared.items.push({ entry, id, item: { [idField]: id, attestation: { type: 'none' }, ...(entry.etag ? { etag: entry.etag } : {}) } as unknown as Item });
      continue;
    }
    if (entry.body === undefined) {
      prepared.refused.push({ entry, item: { kind, id, action, outcome: 'failed', message: 'The plan holds nothing to send for this item; plan again.' } });
      continue;
    }
    const item = structuredClone(entry.body);
    try {
      const keys = await keysFor(client, entry, env, pacer, options.signal, spent);
      if (keys !== undefined) item.attestation = { ...item.attestation, symmetricKey: { primaryKey: keys.primary, secondaryKey: keys.secondary } };
    } catch (error: unknown) {
      if (options.signal?.aborted) {
        prepared.refused.push({ entry, item: { kind, id, action, outcome: 'notSent' } });
        continue;
      }
      const code = error instanceof DpsError ? error.errorCode : undefined;
      prepared.refused.push({ entry, item: { kind, id, action, outcome: 'failed', ...(code !== undefined ? { errorCode: code } : {}), message: error instanceof Error ? error.message : 'Could not read the keys.' } });
      continue;
    }
    prepared.items.push({ entry, id, item });
  }
  return prepared;
}

/** The keys to send, or undefined to let the service generate them (create, or a change of attestation type). */
async function keysFor(
  client: ApplyClient,
  entry: PlanEntry,
  env: Record<string, string | undefined>,
  pacer: Pacer,
  signal: AbortSignal | undefined,
  spent: (requests: number) => void,
): Promise<{ primary: string; secondary: string } | undefined> {
  const keys = entry.keys;
  if (keys === undefined) return undefined;
  if (typeof keys === 'object') {
    const read = (slot: 'primary' | 'secondary') => {
      const name = keys[slot].env;
      const value = env[name]?.trim();
      if (value === undefined || value === '') throw new Error(`The environment variable ${name} (${slot} key) is not set.`);
      const problems = checkSymmetricKey(value, `${slot} key in ${name}`);
      if (problems.length > 0) throw new Error(problems[0].message);
      return value;
    };
    return { primary: read('primary'), secondary: read('secondary') };
  }
  // "generate" or "keep" on an existing symmetric-key item: an update without keys would make the
  // service generate new ones and lock out its devices, so the current keys are sent back.
  if (entry.action !== 'update' || entry.liveAttestationType !== 'symmetricKey') return undefined;
  if (!(await pacer.take(signal))) throw new Error('Cancelled.');
  spent(1);
  const attestation = await getItemAttestation(client, entry.kind, entry.id, { signal });
  const primary = attestation.symmetricKey?.primaryKey;
  const secondary = attestation.symmetricKey?.secondaryKey;
  if (!primary || !secondary) throw new Error('The service did not show the current keys, so they could not be kept; not sent.');
  return { primary, secondary };
}
