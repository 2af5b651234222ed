// The Jobs view page: the job's header and summary, Run / Cancel before and during the run, live
// counts and the throughput chart, then the rows (failed first) with filter and search, Retry
// Failed and Save Report. Everything arrives by message; the page only shows and asks.
import type { JobSnapshot } from '../../jobs/jobModel';
import type { OutcomeFilter } from '../../jobs/jobRows';
import type { HostMessage, SaveFormat } from '../protocol';
import { drawChart } from './chart';
import { byId, el, formatCount } from './dom';
import { parseHostMessage } from './hostGuards';
import { RowList } from './rowList';
import { post, savedViewState, saveViewState } from './vscodeApi';

const OUTCOME_CHIPS: Array<[OutcomeFilter, string]> = [['failed', 'Failed'], ['notSent', 'Not sent'], ['invalid', 'Invalid'], ['planned', 'Planned'], ['done', 'Done']];
const PHASE_TEXT = { dryRun: 'Dry run: nothing has been sent yet', running: 'Running', finished: 'Finished' } as const;
const SEARCH_DELAY_MS = 150;

function buildPage(): void {
  const app = byId('app');
  app.removeAttribute('aria-busy');
  const filter = el('select', { id: 'filter', 'aria-label': 'Show' });
  filter.append(el('option', { value: 'all' }, 'All items'), ...OUTCOME_CHIPS.map(([value, label]) => el('option', { value }, label)));
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.id = 'chart';
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Requests per second against the configured rate, with retries and 429s');
  app.replaceChildren(
    el('header', {}),
    el('section', { id: 'summary', class: 'summary' }),
    el('div', { id: 'actions', class: 'actions' }),
    el('div', { id: 'live', class: 'live' }),
    el('div', { id: 'counts', class: 'counts' }),
    el('figure', { id: 'chart-box', class: 'chart' }),
    el('div', { class: 'filters' }),
    el('div', { id: 'rows-header', class: 'row header', role: 'row' }),
    el('div', { id: 'rows', class: 'rows', role: 'table', tabindex: '0', 'aria-label': 'Items' }),
    el('p', { id: 'status', class: 'status', role: 'status' }),
  );
  const header = app.querySelector('header') as HTMLElement;
  header.append(el('h1', { id: 'job-title' }), el('p', { id: 'job-source', class: 'subheading' }), el('p', { id: 'job-phase', class: 'phase' }));
  const actions = byId('actions');
  actions.append(
    el('button', { id: 'run', type: 'button' }, 'Run'),
    el('button', { id: 'cancel', type: 'button', class: 'secondary' }, 'Cancel'),
    el('button', { id: 'retry', type: 'button' }, 'Retry Failed'),
    el('button', { id: 'save-csv', type: 'button', class: 'secondary' }, 'Save Report (CSV)'),
    el('button', { id: 'save-json', type: 'button', class: 'secondary' }, 'Save Report (JSON)'),
    el('button', { id: 'save-md', type: 'button', class: 'secondary' }, 'Save as Markdown'),
  );
  byId('live').append(el('progress', { id: 'bar', max: '1', value: '0' }), el('span', { id: 'live-text' }));
  const chartBox = byId('chart-box');
  chartBox.append(svg, el('figcaption', { id: 'chart-reading' }));
  const filters = app.querySelector('.filters') as HTMLElement;
  filters.append(filter, el('input', { id: 'search', type: 'search', placeholder: 'Search id, row or reason', 'aria-label': 'Search', maxlength: '200' }), el('span', { id: 'row-count', class: 'subheading' }));
  byId('rows-header').append(...['Outcome', 'Id', 'Row', 'Code', 'Reason / action'].map((t) => el('span', { class: 'cell', role: 'columnheader' }, t)));
}

/** Outcomes a counts-only job never lists (only counts): their chips do not filter. */
const COUNTED_ONLY: ReadonlySet<OutcomeFilter> = new Set(['planned', 'done']);

function start(): void {
  buildPage();
  let listed = 0;
  let countsOnly = false;
  const showRowCount = (): void => {
    // A counts-only job lists some items: say so, so the list is not read as all of them.
    byId('row-count').textContent = `${formatCount(listed)} item${listed === 1 ? '' : 's'}${countsOnly ? ' listed (the counts cover all)' : ''}`;
  };
  const list = new RowList(byId('rows'), post, (total) => {
    listed = total;
    showRowCount();
  });
  const filter = byId<HTMLSelectElement>('filter');
  const search = byId<HTMLInputElement>('search');
  let rowsPhase = '';
  let rowsCounts = '';
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  // The panel does not keep a hidden page alive; the filter and search come back with it.
  const saved = savedViewState();
  if (saved !== undefined) {
    filter.value = saved.filter;
    search.value = saved.search;
  }
  const requery = (): void => {
    saveViewState({ filter: filter.value as OutcomeFilter, search: search.value });
    list.reset(filter.value as OutcomeFilter, search.value);
  };
  filter.addEventListener('change', requery);
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(requery, SEARCH_DELAY_MS);
  });
  byId('run').addEventListener('click', () => {
    byId<HTMLButtonElement>('run').disabled = true; // one run per dry run; the next snapshot says what happened
    post({ type: 'run' });
  });
  byId('cancel').addEventListener('click', () => post({ type: 'cancel' }));
  byId('retry').addEventListener('click', () => {
    byId<HTMLButtonElement>('retry').disabled = true;
    post({ type: 'retryFailed' });
  });
  for (const format of ['csv', 'json', 'md'] as SaveFormat[]) byId(`save-${format}`).addEventListener('click', () => post({ type: 'save', format }));
  byId('counts').addEventListener('click', (event) => {
    const chip = (event.target as HTMLElement).closest('button[data-filter]');
    if (chip === null) return;
    filter.value = chip.getAttribute('data-filter') ?? 'all';
    requery();
  });

  const showSnapshot = (snapshot: JobSnapshot, markdown: boolean): void => {
    byId('job-title').textContent = snapshot.header.title;
    byId('job-source').textContent = snapshot.header.source;
    byId('job-phase').textContent = snapshot.cancelled ? 'Finished (cancelled)' : PHASE_TEXT[snapshot.phase];
    document.body.dataset.phase = snapshot.phase;
    byId('summary').replaceChildren(...snapshot.summary.map((line) => el('p', {}, line)));
    const show = (id: string, visible: boolean): void => {
      byId(id).hidden = !visible;
    };
    show('run', snapshot.phase === 'dryRun');
    byId<HTMLButtonElement>('run').disabled = !snapshot.canRun;
    show('cancel', snapshot.phase !== 'finished');
    show('retry', snapshot.phase === 'finished' && snapshot.retryable > 0);
    byId<HTMLButtonElement>('retry').disabled = false;
    byId('retry').textContent = `Retry Failed (${formatCount(snapshot.retryable)})`;
    for (const id of ['save-csv', 'save-json']) show(id, snapshot.phase === 'finished');
    show('save-md', snapshot.phase === 'finished' && markdown);

    const { live } = snapshot;
    const settled = live.done + live.failed;
    show('live', snapshot.phase !== 'dryRun');
    const bar = byId<HTMLProgressElement>('bar');
    bar.value = live.total > 0 ? settled / live.total : snapshot.phase === 'finished' ? 1 : 0;
    const seconds = snapshot.elapsedMs / 1000;
    byId('live-text').textContent = `${formatCount(settled)} of ${formatCount(live.total)} settled · ${formatCount(live.failed)} failed · ${formatCount(live.requests)} requests in ${seconds.toFixed(1)} s`;

    countsOnly = snapshot.countsOnly;
    showRowCount();
    byId('counts').replaceChildren(...OUTCOME_CHIPS
      .filter(([outcome]) => snapshot.counts[outcome as keyof typeof snapshot.counts] > 0)
      .map(([outcome, label]) => {
        const text = `${label}: ${formatCount(snapshot.counts[outcome as keyof typeof snapshot.counts])}`;
        return countsOnly && COUNTED_ONLY.has(outcome)
          ? el('span', { class: `chip counted outcome-${outcome}`, id: `count-${outcome}` }, text)
          : el('button', { type: 'button', class: `chip outcome-${outcome}`, 'data-filter': outcome, id: `count-${outcome}` }, text);
      }));

    show('chart-box', snapshot.phase !== 'dryRun');
    byId('chart-reading').textContent = drawChart(byId('chart') as unknown as SVGSVGElement, { ...snapshot.chart, quotaPerSecond: snapshot.header.quotaPerSecond });

    // A new phase lists other rows (from the top); while running, rows settle in place, and the
    // changed counts say so: the rows in view are asked for again where the person is reading.
    const counts = JSON.stringify(snapshot.counts);
    if (snapshot.phase !== rowsPhase) {
      rowsPhase = snapshot.phase;
      rowsCounts = counts;
      requery();
    } else if (counts !== rowsCounts) {
      rowsCounts = counts;
      list.refresh();
    }
  };

  const handle = (message: HostMessage): void => {
    switch (message.type) {
      case 'snapshot':
        showSnapshot(message.snapshot, message.markdown);
        return;
      case 'rows':
        list.receive(message.requestId, message.total, message.offset, message.rows);
        return;
      case 'notice':
        byId('status').textContent = message.text;
        return;
    }
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parseHostMessage(event.data);
    if (typeof message === 'string') {
      post({ type: 'pageProblem', reason: message.slice(0, 500) });
      return;
    }
    try {
      handle(message);
    } catch (error) {
      post({ type: 'pageProblem', reason: `showing a ${message.type} message failed: ${(error as Error).message}`.slice(0, 500) });
    }
  });
  post({ type: 'ready' });
}

start();
