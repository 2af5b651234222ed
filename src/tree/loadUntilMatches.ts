// A filter over a large list must not stop at the pages that happen to be loaded: this fetches
// further pages until enough loaded items match, the list ends, or the user cancels. No vscode import.
import type { PagedCollection } from './pagedCollection';

export interface LoadUntilMatchesResult {
  matches: number;
  loaded: number;
  /** True when every page is loaded, so `loaded` is the total. */
  complete: boolean;
  cancelled: boolean;
}

export async function loadUntilMatches<T>(
  pages: PagedCollection<T>,
  matches: (item: T) => boolean,
  options: { wanted?: number; signal?: AbortSignal; onPage?: (loaded: number, matches: number) => void } = {},
): Promise<LoadUntilMatchesResult> {
  const wanted = options.wanted ?? 1;
  const count = (): number => pages.items.filter(matches).length;
  await pages.ensureLoaded();
  let found = count();
  while (found < wanted && pages.hasMore && pages.error === undefined && !options.signal?.aborted) {
    await pages.loadNext();
    found = count();
    options.onPage?.(pages.items.length, found);
  }
  // A failed page shows as the list's error node; what was loaded stays.
  return { matches: found, loaded: pages.items.length, complete: !pages.hasMore && pages.error === undefined, cancelled: options.signal?.aborted === true };
}
