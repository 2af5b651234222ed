// The dry run: what a bulk job will do before anything is sent. Invalid rows and repeated ids are
// set aside with their reasons; the rest are counted by the action the service will take, which
// depends on whether the id already exists (when the caller could find out).
//
// "Update" promises create-or-replace, but the live service fails bulk mode `update` (and `create`)
// per item for ids that exist (409201/409202). So with the existing items known, an update job
// sends new ids as bulk `create` and existing ones as bulk `updateIfMatchETag` with the etag read in
// the dry run: a change made in between is reported (412), not overwritten.
import { MAX_BULK_ITEMS } from '../dps/client';
import type { Item, ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import { fieldsNewerThan, newerFieldsProblem, type ApiVersion } from '../dps/apiVersion';
import type { ExistingItems } from './existingItems';
import type { SourceResult, SourceRow } from './rows';
import { KEYLESS_UPDATE_WARNING } from './validateItem';

export type PlannedAction =
  | 'create' | 'update' | 'updateExisting' | 'delete' | 'failExists' | 'failMissing' | 'createOrUpdate' | 'deleteIfPresent';

export const ACTION_LABELS: Record<PlannedAction, string> = {
  create: 'create (new)',
  update: 'update (exists)',
  updateExisting: 'update (existing, guarded by the etag read now)',
  delete: 'delete (exists)',
  failExists: 'will fail: already exists',
  failMissing: 'will fail or do nothing: does not exist',
  createOrUpdate: 'create or update (existence not checked)',
  deleteIfPresent: 'delete (existence not checked)',
};

export interface PlannedRow {
  row: SourceRow;
  action: PlannedAction;
  /** For `updateExisting`: the etag read in the dry run, sent as the update's condition. */
  etag?: string;
  /**
   * A symmetric-key item updated without keys in the source: its current keys are read through the
   * attestation mechanism just before sending (a PUT without keys makes the service generate new ones).
   */
  keepKeys?: boolean;
}

export interface InvalidRow {
  row: SourceRow;
  reasons: string[];
}

export interface BulkPlan {
  kind: ItemKind;
  mode: BulkMode;
  description: string;
  /** Rows to send, in input order. */
  planned: PlannedRow[];
  invalid: InvalidRow[];
  counts: Partial<Record<PlannedAction, number>>;
  /** Bulk requests the valid rows need (at most 10 items each). */
  requests: number;
  /** Rows with warnings (sent anyway). */
  warnings: number;
  /** Rows whose current keys are read and sent again (see PlannedRow.keepKeys). */
  keysKept: number;
}

/**
 * Plans a job. `existing` (lower-cased id -> etag, see readExistingItems) is what the instance has,
 * when known: it splits "update" into create (new) and guarded update (existing) and predicts
 * "already exists" failures. A plain set of ids is enough for every mode but a guarded update.
 * `apiVersion` (the connection's) makes an item with fields that version lacks invalid before anything is sent.
 */
export function planBulk(source: SourceResult, mode: BulkMode, existing?: ExistingItems | ReadonlySet<string>, apiVersion?: ApiVersion): BulkPlan {
  const planned: PlannedRow[] = [];
  const invalid: InvalidRow[] = [];
  const counts: Partial<Record<PlannedAction, number>> = {};
  const firstOrigin = new Map<string, string>();
  let warnings = 0;
  let keysKept = 0;
  for (const original of source.rows) {
    let row = original;
    if (row.item === undefined || row.errors.length > 0) {
      invalid.push({ row, reasons: row.errors.length > 0 ? row.errors : [NO_CONTENT_REASON] });
      continue;
    }
    // A field the connection's api-version lacks would fail every such item on the service.
    const newer = apiVersion !== undefined && mode !== 'delete' ? newerFieldsProblem(apiVersion, fieldsNewerThan(apiVersion, row.item)) : undefined;
    if (newer !== undefined) {
      invalid.push({ row, reasons: [newer] });
      continue;
    }
    // Ids are case-insensitive: a repeat would make the service reject the whole batch.
    const key = row.id.toLowerCase();
    const earlier = firstOrigin.get(key);
    if (earlier !== undefined) {
      invalid.push({ row, reasons: [duplicateIdReason(row.id, earlier)] });
      continue;
    }
    firstOrigin.set(key, row.origin);
    const action = actionFor(mode, existing === undefined ? undefined : existing.has(key));
    counts[action] = (counts[action] ?? 0) + 1;
    const plannedRow: PlannedRow = { row, action };
    if (action === 'updateExisting') {
      plannedRow.etag = existing instanceof Map ? (existing as ExistingItems).get(key) : undefined;
      plannedRow.keepKeys = isKeylessSymmetricKey(row.item);
      if (plannedRow.keepKeys) keysKept++;
    }
    if (mode === 'update' && existing !== undefined && row.warnings.includes(KEYLESS_UPDATE_WARNING)) {
      // Known existence: existing items keep their keys (read and sent again), new ones get fresh keys.
      row = { ...row, warnings: row.warnings.filter((w) => w !== KEYLESS_UPDATE_WARNING) };
      plannedRow.row = row;
    }
    if (row.warnings.length > 0) warnings++;
    planned.push(plannedRow);
  }
  return {
    kind: source.kind,
    mode,
    description: source.description,
    planned,
    invalid,
    counts,
    requests: Math.ceil(planned.length / MAX_BULK_ITEMS),
    warnings,
    keysKept,
  };
}

/** Why a row without an item and without errors is not sent. */
export const NO_CONTENT_REASON = 'The row has no usable content.';

/** Why a repeated id is not sent: a repeat would make the service reject the whole batch. */
export function duplicateIdReason(id: string, earlierOrigin: string): string {
  return `Duplicate id "${id}": ${earlierOrigin} has the same id (ids are case-insensitive); only the first is sent.`;
}

export function isKeylessSymmetricKey(item: Item | undefined): boolean {
  const attestation = item?.attestation;
  if (attestation?.type !== 'symmetricKey') return false;
  const key = attestation.symmetricKey?.primaryKey;
  return typeof key !== 'string' || key === '';
}

/** The bulk mode each planned row is sent with (an update job sends two kinds of request). */
export function sendModeOf(plan: Pick<BulkPlan, 'mode'>, row: PlannedRow): BulkMode {
  if (row.action === 'updateExisting') return 'updateIfMatchETag';
  if (plan.mode === 'update' && row.action === 'create') return 'create';
  return plan.mode;
}

/** What a row of a job in `mode` does, by whether its id exists (undefined: not checked). */
export function actionFor(mode: BulkMode, exists: boolean | undefined): PlannedAction {
  switch (mode) {
    case 'create':
      return exists === true ? 'failExists' : 'create';
    case 'update':
      return exists === undefined ? 'createOrUpdate' : exists ? 'updateExisting' : 'create';
    case 'updateIfMatchETag':
      return exists === false ? 'failMissing' : 'update';
    case 'delete':
      return exists === undefined ? 'deleteIfPresent' : exists ? 'delete' : 'failMissing';
  }
}

/** The items to hand to runBulk, in plan order. */
export function plannedItems(plan: BulkPlan): Item[] {
  return plan.planned.map((p) => p.row.item as Item);
}

/** Minutes the planned requests take at least under a pace of operationsPerMinute. */
export function minimumMinutes(plan: BulkPlan, operationsPerMinute: number): number {
  return plan.requests / operationsPerMinute;
}
