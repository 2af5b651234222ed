// The rows as a virtual list: the scroll area is as tall as all the rows, but only the rows in view
// (plus a margin) exist in the DOM, and they are asked of the host a page at a time as they come
// into view. A 100,000-row job costs a few dozen elements and the pages actually looked at.
import type { JobRow, OutcomeFilter } from '../../jobs/jobRows';
import { MAX_PAGE_ROWS, type QueryMessage } from '../protocol';
import { el } from './dom';

export const ROW_HEIGHT = 24;
const OVERSCAN = 10;

const OUTCOME_TEXT: Record<string, string> = { failed: 'Failed', notSent: 'Not sent', invalid: 'Invalid', planned: 'Planned', done: 'Done' };

export class RowList {
  private readonly spacer = el('div', { class: 'rows-spacer' });
  private readonly window = el('div', { class: 'rows-window', role: 'rowgroup' });
  private cache = new Map<number, JobRow>();
  /** Rows from before a refresh, shown until their page comes again so the list does not blink. */
  private stale = new Map<number, JobRow>();
  private pending = new Set<number>();
  private total = 0;
  private nextRequestId = 1;
  /** Answers to requests older than this belong to a previous query and are dropped. */
  private firstCurrentRequest = 1;
  private filter: OutcomeFilter = 'all';
  private search = '';

  constructor(private readonly scroller: HTMLElement, private readonly send: (query: QueryMessage) => void, private readonly onTotal: (total: number) => void) {
    this.spacer.append(this.window);
    scroller.append(this.spacer);
    scroller.addEventListener('scroll', () => this.render());
  }

  /** A new filter or search, or new rows at the host: forget what is cached and ask again. */
  reset(filter: OutcomeFilter = this.filter, search: string = this.search): void {
    this.filter = filter;
    this.search = search;
    this.cache = new Map();
    this.stale = new Map();
    this.pending = new Set();
    this.firstCurrentRequest = this.nextRequestId;
    this.scroller.scrollTop = 0;
    this.request(0);
  }

  /** The same query's rows changed at the host (they settle while a job runs): ask again for the rows in view, where they are. */
  refresh(): void {
    this.stale = this.cache;
    this.cache = new Map();
    this.pending = new Set();
    this.firstCurrentRequest = this.nextRequestId;
    this.render();
  }

  receive(requestId: number, total: number, offset: number, rows: JobRow[]): void {
    if (requestId < this.firstCurrentRequest) return;
    this.pending.delete(offset);
    rows.forEach((row, i) => this.cache.set(offset + i, row));
    if (total !== this.total) {
      this.total = total;
      this.spacer.style.height = `${total * ROW_HEIGHT}px`;
      this.onTotal(total);
    }
    this.render();
  }

  private request(offset: number): void {
    if (this.pending.has(offset)) return;
    this.pending.add(offset);
    this.send({ type: 'query', requestId: this.nextRequestId++, filter: this.filter, search: this.search, offset, limit: MAX_PAGE_ROWS });
  }

  private render(): void {
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil((this.scroller.clientHeight || 400) / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(this.total, first + visible);
    this.window.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const nodes: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = this.cache.get(i);
      if (row === undefined) this.request(Math.floor(i / MAX_PAGE_ROWS) * MAX_PAGE_ROWS);
      const shown = row ?? this.stale.get(i);
      nodes.push(shown === undefined ? el('div', { class: 'row loading', role: 'row', 'data-index': String(i) }, '…') : rowNode(shown, i));
    }
    this.window.replaceChildren(...nodes);
  }
}

function rowNode(row: JobRow, index: number): HTMLElement {
  const node = el('div', { class: `row outcome-${row.outcome}`, role: 'row', 'data-index': String(index), 'data-id': row.id });
  const why = [row.reason, row.detail].filter((t): t is string => t !== undefined && t !== '').join(' · ');
  node.append(
    el('span', { class: 'cell outcome', role: 'cell' }, OUTCOME_TEXT[row.outcome] ?? row.outcome),
    el('span', { class: 'cell id', role: 'cell', title: row.id }, row.id),
    el('span', { class: 'cell origin', role: 'cell', title: row.origin }, row.origin),
    el('span', { class: 'cell code', role: 'cell' }, row.errorCode !== undefined ? String(row.errorCode) : ''),
    el('span', { class: 'cell reason', role: 'cell', title: why }, why),
  );
  return node;
}
