// Enrollments or groups selected in the tree as a bulk source. Objects read from the service lack
// their keys (queries withhold them) and carry server fields; validation drops the latter, and for
// a delete only the id matters.
import type { Item, ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import type { SourceResult } from './rows';
import { validateItem } from './validateItem';

export function selectionSource(items: readonly Item[], kind: ItemKind, mode: BulkMode, now?: Date): SourceResult {
  const what = kind === 'enrollment' ? 'enrollment' : 'enrollment group';
  return {
    kind,
    description: `${items.length} selected ${what}${items.length === 1 ? '' : 's'}`,
    rows: items.map((item, i) => validateItem(item, kind, mode, `selection ${i + 1}`, now)),
  };
}
