// Enrollments or groups selected in the tree as a bulk source. Objects read from the service lack
// their keys (queries withhold them) and carry server fields; validation drops the latter, and for
// a delete only the id matters.
import type { BulkItem, BulkTarget } from '../dps/bulk';
import type { BulkMode } from '../dps/models';
import type { SourceResult } from './rows';
import { validateItem } from './validateItem';

export function selectionSource(items: readonly BulkItem[], target: BulkTarget, mode: BulkMode, now?: Date): SourceResult {
  const what = target === 'enrollments' ? 'enrollment' : 'enrollment group';
  return {
    target,
    description: `${items.length} selected ${what}${items.length === 1 ? '' : 's'}`,
    rows: items.map((item, i) => validateItem(item, target, mode, `selection ${i + 1}`, now)),
  };
}
