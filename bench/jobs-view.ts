// Benchmark: the Jobs view's host side at 100,000 items. How long loading the outcome takes, the
// first failed-first page, a filter, a search, a page from the middle, and the size of the biggest
// message the page receives (a page of 200 rows) next to what one message with every row would be.
// Run: npx tsx bench/jobs-view.ts [items]
import { performance } from 'node:perf_hooks';
import { JobModel, type JobRow } from '../src/jobs';
import { MAX_PAGE_ROWS } from '../src/jobsView/protocol';

const ITEMS = Number(process.argv[2] ?? 100_000);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function time<T>(label: string, work: () => T): T {
  const start = performance.now();
  const result = work();
  console.log(`${label.padEnd(44)} ${(performance.now() - start).toFixed(1).padStart(8)} ms`);
  return result;
}

const rows: JobRow[] = Array.from({ length: ITEMS }, (_, i) => (i % 50 === 7
  ? { kind: 'enrollment', origin: `row ${i + 2}`, id: `device-${String(i).padStart(6, '0')}`, outcome: 'failed', attempts: 2, errorCode: 409201, reason: 'Enrollment already exists.' }
  : { kind: 'enrollment', origin: `row ${i + 2}`, id: `device-${String(i).padStart(6, '0')}`, outcome: 'done', attempts: 1, detail: 'created' }));
const model = new JobModel({ header: { title: 'Create individual enrollments', source: 'bench.csv', quotaPerSecond: 16.7 } });

console.log(`Jobs view host side, ${ITEMS.toLocaleString('en-US')} items (${(ITEMS / 50).toLocaleString('en-US')} failed)`);
time('finish (load every row)', () => model.finish(rows, ['bench'], false));
const all = { filter: 'all' as const, search: '' };
const first = time('first page, failed first (builds the view)', () => model.rows.page(all, 0, MAX_PAGE_ROWS));
time('next page (view cached)', () => model.rows.page(all, MAX_PAGE_ROWS, MAX_PAGE_ROWS));
time(`page at ${(ITEMS / 2).toLocaleString('en-US')}`, () => model.rows.page(all, ITEMS / 2, MAX_PAGE_ROWS));
time('filter: failed', () => model.rows.page({ filter: 'failed', search: '' }, 0, MAX_PAGE_ROWS));
time('search: "device-0999" (first search)', () => model.rows.page({ filter: 'all', search: 'device-0999' }, 0, MAX_PAGE_ROWS));
time('search: "already" (later searches)', () => model.rows.page({ filter: 'all', search: 'already' }, 0, MAX_PAGE_ROWS));
time('1,000 single-row updates', () => {
  for (let i = 0; i < 1000; i++) model.rows.update(i * 3, { outcome: 'failed', reason: 'again' });
});
time('every row, failed first (for a report)', () => model.rows.ordered().length);
const pageMessage = JSON.stringify({ type: 'rows', requestId: 1, total: ITEMS, offset: 0, rows: first });
const everything = JSON.stringify(rows);
console.log(`${'one page message (200 rows)'.padEnd(44)} ${kb(Buffer.byteLength(pageMessage)).padStart(11)}`);
console.log(`${'all rows as one message (never sent)'.padEnd(44)} ${kb(Buffer.byteLength(everything)).padStart(11)}`);
console.log(`${'snapshot message'.padEnd(44)} ${kb(Buffer.byteLength(JSON.stringify(model.snapshot()))).padStart(11)}`);
