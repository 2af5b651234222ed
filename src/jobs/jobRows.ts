// The items of a job as people read them: failed first (then not sent, invalid, planned, done), each
// group in input order, filtered by outcome and searched by id, origin or reason. Updating an item
// is O(1); the ordered, filtered view is built once per query and kept until the items change, so
// paging through 100,000 rows costs a slice per page.
import type { ItemKind } from '../dps/itemKind';

export type JobOutcome = 'failed' | 'notSent' | 'invalid' | 'planned' | 'done';

/** The order rows are listed in: what needs attention first. */
export const JOB_OUTCOMES: readonly JobOutcome[] = ['failed', 'notSent', 'invalid', 'planned', 'done'];

export const OUTCOME_LABELS: Record<JobOutcome, string> = {
  failed: 'Failed',
  notSent: 'Not sent',
  invalid: 'Invalid',
  planned: 'Planned',
  done: 'Done',
};

export interface JobRow {
  kind: ItemKind;
  /** Where the row came from: "row 7", "item 3", a file name. */
  origin: string;
  id: string;
  outcome: JobOutcome;
  /** Why it failed or was not sent, in the service's words when it gave them. */
  reason?: string;
  errorCode?: number;
  /** Requests that carried the item. */
  attempts: number;
  /** What was or will be done: "created", "update (exists)". */
  detail?: string;
}

export type OutcomeFilter = 'all' | JobOutcome;

export interface RowQuery {
  filter: OutcomeFilter;
  /** Case-insensitive text looked for in id, origin, reason and detail; '' matches every row. */
  search: string;
}

export type OutcomeCounts = Record<JobOutcome, number>;

export function emptyCounts(): OutcomeCounts {
  return { failed: 0, notSent: 0, invalid: 0, planned: 0, done: 0 };
}

const RANK: Record<JobOutcome, number> = { failed: 0, notSent: 1, invalid: 2, planned: 3, done: 4 };

export class JobRows {
  private rows: JobRow[] = [];
  /** Lower-cased text each row is searched by, built on the first search and dropped when the row changes. */
  private haystacks: Array<string | undefined> = [];
  private readonly tally = emptyCounts();
  private version = 0;
  private view?: { version: number; key: string; order: Uint32Array };

  get size(): number {
    return this.rows.length;
  }

  get counts(): Readonly<OutcomeCounts> {
    return this.tally;
  }

  replace(rows: readonly JobRow[]): void {
    this.rows = [];
    this.haystacks = [];
    for (const outcome of JOB_OUTCOMES) this.tally[outcome] = 0;
    for (const row of rows) this.add(row);
  }

  add(row: JobRow): void {
    this.rows.push({ ...row });
    this.tally[row.outcome]++;
    this.version++;
  }

  /** Changes one row (its outcome, reason, attempts…) in place. */
  update(index: number, change: Partial<Omit<JobRow, 'kind' | 'origin' | 'id'>>): void {
    const row = this.rows[index];
    if (row === undefined) throw new RangeError(`No row ${index}: the job has ${this.rows.length}.`);
    if (change.outcome !== undefined && change.outcome !== row.outcome) {
      this.tally[row.outcome]--;
      this.tally[change.outcome]++;
    }
    Object.assign(row, change);
    this.haystacks[index] = undefined;
    this.version++;
  }

  /** Rows matching the query, failed first. */
  count(query: RowQuery): number {
    return this.order(query).length;
  }

  /** Up to `limit` rows of the ordered, filtered view, starting at `offset`. */
  page(query: RowQuery, offset: number, limit: number): JobRow[] {
    const order = this.order(query);
    const start = Math.max(0, Math.min(offset, order.length));
    const end = Math.min(order.length, start + Math.max(0, limit));
    const out: JobRow[] = [];
    for (let i = start; i < end; i++) out.push({ ...this.rows[order[i]] });
    return out;
  }

  /** Every row, failed first: what a saved report lists. */
  ordered(): JobRow[] {
    return this.page({ filter: 'all', search: '' }, 0, this.rows.length);
  }

  private order(query: RowQuery): Uint32Array {
    const needle = query.search.trim().toLowerCase();
    const key = `${query.filter}\u0000${needle}`;
    if (this.view !== undefined && this.view.version === this.version && this.view.key === key) return this.view.order;
    // A counting sort by outcome keeps input order within each outcome.
    const starts = new Uint32Array(JOB_OUTCOMES.length + 1);
    const matches = new Uint8Array(this.rows.length);
    this.rows.forEach((row, i) => {
      if (query.filter !== 'all' && row.outcome !== query.filter) return;
      if (needle !== '' && !this.haystack(i).includes(needle)) return;
      matches[i] = 1;
      starts[RANK[row.outcome] + 1]++;
    });
    for (let r = 1; r < starts.length; r++) starts[r] += starts[r - 1];
    const order = new Uint32Array(starts[starts.length - 1]);
    this.rows.forEach((row, i) => {
      if (matches[i] === 1) order[starts[RANK[row.outcome]]++] = i;
    });
    this.view = { version: this.version, key, order };
    return order;
  }

  private haystack(index: number): string {
    let text = this.haystacks[index];
    if (text === undefined) {
      const row = this.rows[index];
      // Fields joined by a line break, which a search box cannot hold, so no match spans two fields.
      text = [row.id, row.origin, row.reason ?? '', row.detail ?? '', row.errorCode ?? ''].join('\n').toLowerCase();
      this.haystacks[index] = text;
    }
    return text;
  }
}
