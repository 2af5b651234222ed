// The invalid rows of a streamed dry run, with their reasons. The plan keeps counts and a few bytes a
// row, not the rows, so a caller that must say which rows are invalid and why (the CLI lists some
// and writes all to its report) reads the file again here: one row at a time, in file order, the
// same reasons a run would report (validation errors, fields the connection's api-version lacks, or
// the repeat of an earlier id).
import { fieldsNewerThan, newerFieldsProblem } from '../dps/apiVersion';
import type { ItemKind } from '../dps/items';
import { forEachJsonRowOfFile, jsonItemOrigin } from './jsonSource';
import { duplicateIdReason, NO_CONTENT_REASON } from './plan';
import type { StreamedPlan } from './streamedImport';

export interface InvalidStreamedRow {
  kind: ItemKind;
  origin: string;
  /** The id as read; '' when the row has none. */
  id: string;
  reasons: string[];
}

export interface InvalidRowsOptions {
  /** Stop reading after this many invalid rows (a listing needs the first few only). */
  limit?: number;
}

/** Ends the reading early; never leaves this module. */
class EnoughRows extends Error {}

/** Hands each row the plan counted as invalid to `onRow`; a returned promise holds the reading until it settles. */
export async function forEachInvalidRow(
  plan: StreamedPlan,
  onRow: (row: InvalidStreamedRow) => void | Promise<void>,
  options: InvalidRowsOptions = {},
): Promise<void> {
  const limit = options.limit ?? Infinity;
  if (limit <= 0) return;
  let found = 0;
  try {
    await forEachJsonRowOfFile(plan.path, { mode: plan.mode, fileName: plan.description, now: plan.now }, (row, kind, rowIndex) => {
      let reasons: string[];
      const newer = row.item !== undefined && row.errors.length === 0 && plan.apiVersion !== undefined && plan.mode !== 'delete'
        ? newerFieldsProblem(plan.apiVersion, fieldsNewerThan(plan.apiVersion, row.item)) : undefined;
      if (row.item === undefined || row.errors.length > 0) {
        reasons = row.errors.length > 0 ? row.errors : [NO_CONTENT_REASON];
      } else if (newer !== undefined) {
        reasons = [newer];
      } else {
        const fact = plan.facts.get(kind)?.rows.get(rowIndex);
        if (fact?.type !== 'duplicate') return;
        reasons = [duplicateIdReason(row.id, jsonItemOrigin(fact.firstIndex))];
      }
      found++;
      const handed = onRow({ kind, origin: row.origin, id: row.id, reasons });
      // A rejected promise is how a row sink stops the reader (it is rethrown as it is).
      if (found >= limit) return Promise.resolve(handed).then(() => Promise.reject(new EnoughRows()));
      return handed;
    });
  } catch (error: unknown) {
    if (!(error instanceof EnoughRows)) throw error;
  }
}
