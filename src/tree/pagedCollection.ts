// The loaded pages of one query (enrollments, groups, or one group's registrations): items so far,
// the continuation token, and the last error. Loading the next page appends; a failed page keeps
// what was loaded and can be retried from the same token.
import type { QueryPage } from '../dps/models';

export type PageFetcher<T> = (continuationToken: string | undefined) => Promise<QueryPage<T>>;

export class PagedCollection<T> {
  private loaded: T[] = [];
  private readonly seen = new Set<string>();
  private token: string | undefined;
  private started = false;
  private failure: unknown;
  private pending: Promise<void> | undefined;
  private generation = 0;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly keyOf: (item: T) => string,
  ) {}

  get items(): readonly T[] {
    return this.loaded;
  }
  get error(): unknown {
    return this.failure;
  }
  get hasLoaded(): boolean {
    return this.started && this.pending === undefined;
  }
  get hasMore(): boolean {
    return this.started && this.token !== undefined;
  }
  /** Changes on every reset: what was derived from the items before it is stale. */
  get resets(): number {
    return this.generation;
  }
  get isLoading(): boolean {
    return this.pending !== undefined;
  }

  /** Loads the first page if nothing was loaded yet. */
  ensureLoaded(): Promise<void> {
    if (this.started && this.pending === undefined) return Promise.resolve();
    return this.loadNext();
  }

  /** Loads the next page (or retries the one that failed). Concurrent calls share one request. */
  loadNext(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.started && this.token === undefined && this.failure === undefined) return Promise.resolve();
    const generation = this.generation;
    this.started = true;
    this.failure = undefined;
    const request = this.fetchPage(this.token).then(
      (page) => {
        if (generation !== this.generation) return;
        for (const item of page.items) {
          const key = this.keyOf(item);
          // Pages can overlap when items were added meanwhile: never show one twice.
          if (!this.seen.has(key)) {
            this.seen.add(key);
            this.loaded.push(item);
          }
        }
        this.token = page.continuationToken || undefined;
      },
      (error: unknown) => {
        if (generation === this.generation) this.failure = error;
      },
    );
    this.pending = request.finally(() => {
      if (generation === this.generation) this.pending = undefined;
    });
    return this.pending;
  }

  /** Replaces one loaded item (after an edit) without refetching. */
  replace(item: T): void {
    const key = this.keyOf(item);
    const index = this.loaded.findIndex((i) => this.keyOf(i) === key);
    if (index >= 0) this.loaded[index] = item;
  }

  /** Drops one loaded item (after a delete) without refetching. */
  remove(key: string): void {
    this.loaded = this.loaded.filter((i) => this.keyOf(i) !== key);
    this.seen.delete(key);
  }

  /** Forgets everything; the next ensureLoaded fetches the first page again. */
  reset(): void {
    this.generation++;
    this.loaded = [];
    this.seen.clear();
    this.token = undefined;
    this.started = false;
    this.failure = undefined;
    this.pending = undefined;
  }
}
