// What the "open by id" picker lists: whatever the user typed (any id, looked up by a GET, so the
// 601st enrollment is as reachable as the first), then the first page of the service as suggestions.
// No vscode import: plain data, unit-tested.
import { ITEM_KIND_FACTS, itemIdOf, type Item, type ItemKind } from '../dps/items';

export interface IdChoice {
  label: string;
  description?: string;
  /** The id to GET. */
  id: string;
  /** Keeps the typed entry on top even when VS Code's fuzzy match would hide it. */
  alwaysShow?: boolean;
}

export function suggestionChoices(kind: ItemKind, items: readonly Item[]): IdChoice[] {
  return items.map((item) => {
    const id = itemIdOf(kind, item);
    return { label: id, description: `${item.attestation?.type ?? ''}${item.provisioningStatus === 'disabled' ? ' · disabled' : ''}`, id };
  });
}

/** The typed id first (unless it is exactly one of the suggestions), then the suggestions. */
export function choicesFor(kind: ItemKind, typed: string, suggestions: readonly IdChoice[]): IdChoice[] {
  const id = typed.trim();
  if (id === '' || suggestions.some((s) => s.id.toLowerCase() === id.toLowerCase())) return [...suggestions];
  return [{ label: id, description: `open this ${ITEM_KIND_FACTS[kind].singular} id`, id, alwaysShow: true }, ...suggestions];
}

/** The placeholder: says that any id may be typed, and how many are suggested. */
export function idPlaceholder(kind: ItemKind, shown: number, more: boolean): string {
  const idName = kind === 'enrollment' ? 'registration id' : 'enrollment group id';
  if (shown === 0) return `Type the ${idName}`;
  return `Type any ${idName}, or pick one of ${more ? `the first ${shown}` : `these ${shown}`}`;
}
