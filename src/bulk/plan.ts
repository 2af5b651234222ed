// The dry run: what a bulk job will do before anything is sent. Invalid rows and repeated ids are
// set aside with their reasons; the rest are counted by the action the service will take, which
// depends on whether the id already exists (when the caller could find out).
import { MAX_BULK_ITEMS } from '../dps/client';
import type { Item, ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import type { SourceResult, SourceRow } from './rows';

export type PlannedAction = 'create' | 'update' | 'delete' | 'failExists' | 'failMissing' | 'createOrUpdate' | 'deleteIfPresent';

export const ACTION_LABELS: Record<PlannedAction, string> = {
  create: 'create (new)',
  update: 'update (exists)',
  delete: 'delete (exists)',
  failExists: 'will fail: already exists',
  failMissing: 'will fail or do nothing: does not exist',
  createOrUpdate: 'create or update (existence not checked)',
  deleteIfPresent: 'delete (existence not checked)',
};

export interface PlannedRow {
  row: SourceRow;
  action: PlannedAction;
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
}

/**
 * Plans a job. `existingIds` (lower-cased) is the set of ids the instance has, when known: it
 * turns "create or update" into create/update counts and predicts "already exists" failures.
 */
export function planBulk(source: SourceResult, mode: BulkMode, existingIds?: ReadonlySet<string>): BulkPlan {
  const planned: PlannedRow[] = [];
  const invalid: InvalidRow[] = [];
  const counts: Partial<Record<PlannedAction, number>> = {};
  const firstOrigin = new Map<string, string>();
  let warnings = 0;
  for (const row of source.rows) {
    if (row.item === undefined || row.errors.length > 0) {
      invalid.push({ row, reasons: row.errors.length > 0 ? row.errors : ['The row has no usable content.'] });
      continue;
    }
    // Ids are case-insensitive: a repeat would make the service reject the whole batch.
    const key = row.id.toLowerCase();
    const earlier = firstOrigin.get(key);
    if (earlier !== undefined) {
      invalid.push({ row, reasons: [`Duplicate id "${row.id}": ${earlier} has the same id (ids are case-insensitive); only the first is sent.`] });
      continue;
    }
    firstOrigin.set(key, row.origin);
    const action = actionFor(mode, existingIds === undefined ? undefined : existingIds.has(key));
    counts[action] = (counts[action] ?? 0) + 1;
    if (row.warnings.length > 0) warnings++;
    planned.push({ row, action });
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
  };
}

function actionFor(mode: BulkMode, exists: boolean | undefined): PlannedAction {
  switch (mode) {
    case 'create':
      return exists === true ? 'failExists' : 'create';
    case 'update':
      return exists === undefined ? 'createOrUpdate' : exists ? 'update' : 'create';
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
