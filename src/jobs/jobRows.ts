// The items of a job as people read them: failed first (then not sent, invalid, planned, done), each
// group in input order, filtered by outcome and searched by id, origin or reason. Without a search,
// each outcome's rows are a ranked set, so a row changing outcome while a job runs and a page of
// the view both cost O(log n) per row. A search builds its view once (O(n)) and keeps it until the
// items change, so paging through 100,000 rows costs a slice per page.
import type { ItemKind } from '../dps/itemKind';
import { RankedSet } from './rankedSet';

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
  /** Each outcome's rows (by RANK), built on the first unsearched query and kept while rows change in place. */
  private byOutcome?: RankedSet[];

  get size(): number {
    return this.rows.length;
  }

  get counts(): Readonly<OutcomeCounts> {
    return this.tally;
  }

  /** The row at `index` in input order (not a copy: do not change it), or undefined. */
  get(index: number): Readonly<JobRow> | undefined {
    return Number.isInteger(index) && index >= 0 ? this.rows[index] : undefined;
  }

  replace(rows: readonly JobRow[]): void {
    this.rows = [];
    this.haystacks = [];
    this.byOutcome = undefined;
    for (const outcome of JOB_OUTCOMES) this.tally[outcome] = 0;
    for (const row of rows) this.add(row);
  }

  add(row: JobRow): void {
    this.rows.push({ ...row });
    this.tally[row.outcome]++;
    this.version++;
    this.byOutcome = undefined; // sized for the old row count; rebuilt when next asked
  }

  /** Changes one row (its outcome, reason, attempts…) in place. */
  update(index: number, change: Partial<Omit<JobRow, 'kind' | 'origin' | 'id'>>): void {
    const row = this.rows[index];
    if (row === undefined) throw new RangeError(`No row ${index}: the job has ${this.rows.length}.`);
    if (change.outcome !== undefined) this.move(index, row.outcome, change.outcome);
    Object.assign(row, change);
    this.haystacks[index] = undefined;
    this.version++;
  }

  /** Replaces one row with another (a planned row with its outcome), keeping its place in input order. */
  set(index: number, row: JobRow): void {
    const old = this.rows[index];
    if (old === undefined) throw new RangeError(`No row ${index}: the job has ${this.rows.length}.`);
    this.move(index, old.outcome, row.outcome);
    this.rows[index] = { ...row };
    this.haystacks[index] = undefined;
    this.version++;
  }

  /** Rows matching the query, failed first. */
  count(query: RowQuery): number {
    if (query.search.trim() === '') return query.filter === 'all' ? this.rows.length : this.tally[query.filter];
    return this.order(query).length;
  }

  /** Up to `limit` rows of the ordered, filtered view, starting at `offset`. */
  page(query: RowQuery, offset: number, limit: number): JobRow[] {
    if (query.search.trim() === '') return this.rankedPage(query.filter, offset, limit);
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

  private move(index: number, from: JobOutcome, to: JobOutcome): void {
    if (from === to) return;
    this.tally[from]--;
    this.tally[to]++;
    if (this.byOutcome !== undefined) {
      this.byOutcome[RANK[from]].delete(index);
      this.byOutcome[RANK[to]].add(index);
    }
  }

  /** A page of the unsearched view: skip whole outcomes by their counts, then pick rows by rank. */
  private rankedPage(filter: OutcomeFilter, offset: number, limit: number): JobRow[] {
    const sets = this.outcomeSets();
    const outcomes = filter === 'all' ? JOB_OUTCOMES : [filter];
    const out: JobRow[] = [];
    let skip = Math.max(0, offset);
    let wanted = Math.max(0, limit);
    for (const outcome of outcomes) {
      if (wanted === 0) break;
      const set = sets[RANK[outcome]];
      if (skip >= set.size) {
        skip -= set.size;
        continue;
      }
      const end = Math.min(set.size, skip + wanted);
      for (let k = skip; k < end; k++) out.push({ ...this.rows[set.select(k)] });
      wanted -= end - skip;
      skip = 0;
    }
    return out;
  }

  private outcomeSets(): RankedSet[] {
    this.byOutcome ??= JOB_OUTCOMES.map((outcome) => new RankedSet(this.rows.length, (i) => this.rows[i].outcome === outcome));
    return this.byOutcome;
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
