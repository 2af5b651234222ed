// Bulk operations: whole-request rules (mode, at most 10 items, no duplicate ids) give a 400;
// per-item failures are reported in the result while the valid items are applied (non-atomic).
// Like the service, `create` and `update` both fail per item for an id that already exists.
import type { BulkMode, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import type { ItemCollection } from '../dps/itemKind';
import { EmulatorError, ErrorCodes, badRequest } from './errors';
import { idProblem, keyOf } from './ids';
import type { EmulatorStore } from './store';
import { isObject, validateEnrollmentGroup, validateIndividualEnrollment } from './validation';

export const MAX_BULK_ITEMS = 10;
const MODES: Record<string, BulkMode> = {
  create: 'create',
  update: 'update',
  updateifmatchetag: 'updateIfMatchETag',
  delete: 'delete',
};

export interface BulkItemError {
  id: string;
  errorCode: number;
  errorStatus: string;
}

export interface ParsedBulk {
  mode: BulkMode;
  items: Record<string, unknown>[];
}

const idField = (collection: ItemCollection) => (collection === 'enrollments' ? 'registrationId' : 'enrollmentGroupId');

/** Checks the request as a whole; throws a 400 for anything that makes it unacceptable. */
export function parseBulkRequest(body: unknown, collection: ItemCollection): ParsedBulk {
  if (!isObject(body)) throw badRequest('The bulk request body must be a JSON object with mode and ' + collection + '.');
  // Accept the spec spelling and the Node SDK's `updateIfMatchEtag`.
  const mode = typeof body.mode === 'string' ? MODES[body.mode.toLowerCase()] : undefined;
  if (mode === undefined) throw badRequest(`mode must be one of create, update, updateIfMatchETag, delete.`);
  const items = body[collection];
  if (!Array.isArray(items)) throw badRequest(`${collection} must be an array.`);
  if (items.length === 0) throw badRequest(`${collection} must contain at least one item.`);
  if (items.length > MAX_BULK_ITEMS) {
    throw badRequest(`A bulk request takes at most ${MAX_BULK_ITEMS} items; this one has ${items.length}.`, ErrorCodes.bulkTooLarge);
  }
  const field = idField(collection);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!isObject(item)) throw badRequest(`${collection}[${i}] must be an object.`);
    const id = item[field];
    if (typeof id !== 'string') return;
    if (seen.has(keyOf(id))) {
      throw badRequest(`${field} '${id}' appears more than once in one bulk request.`, ErrorCodes.bulkDuplicateIds);
    }
    seen.add(keyOf(id));
  });
  return { mode, items: items as Record<string, unknown>[] };
}

function applyItem(store: EmulatorStore, collection: ItemCollection, mode: BulkMode, item: Record<string, unknown>): void {
  const id = item[idField(collection)];
  const problem = idProblem(id, idField(collection));
  if (problem !== undefined) throw badRequest(problem, ErrorCodes.invalidId);
  const key = id as string;
  if (collection === 'enrollments') {
    if (mode === 'delete') return store.deleteEnrollment(key);
    const record = validateIndividualEnrollment(item, undefined, store.enrollments.get(key));
    putByMode(mode, item, (opts) => store.enrollments.put(record, opts));
  } else {
    if (mode === 'delete') return void store.enrollmentGroups.delete(key);
    const record = validateEnrollmentGroup(item, undefined, store.enrollmentGroups.get(key));
    putByMode(mode, item, (opts) => store.enrollmentGroups.put(record, opts));
  }
}

function putByMode(
  mode: BulkMode,
  item: Record<string, unknown>,
  put: (opts: { ifMatch?: string; mustNotExist?: boolean }) => IndividualEnrollment | EnrollmentGroup,
): void {
  // The service refuses `update` of an existing item exactly like `create` (per item, 409201/409202;
  // recordings test_individual_enrollment_bulk_operations and test_enrollment_group_bulk_operations).
  // Only updateIfMatchETag changes existing items.
  if (mode === 'create' || mode === 'update') put({ mustNotExist: true });
  // updateIfMatchETag: the item's own etag is the precondition; without one it is a plain update.
  else put(typeof item.etag === 'string' && item.etag !== '' ? { ifMatch: item.etag } : {});
}

/** Applies each item independently; returns the per-item errors. */
export function runBulk(store: EmulatorStore, collection: ItemCollection, request: ParsedBulk): BulkItemError[] {
  const errors: BulkItemError[] = [];
  for (const item of request.items) {
    try {
      applyItem(store, collection, request.mode, item);
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      const id = item[idField(collection)];
      errors.push({ id: typeof id === 'string' ? id : '', errorCode: error.errorCode, errorStatus: error.message });
    }
  }
  return errors;
}
