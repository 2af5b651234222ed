// The Jobs view page in headless Chromium under the panel's CSP, connected to the real host logic
// (the jobs controller and model in Node): counts, failed first, filter and search, a 100,000-row
// job of which the DOM only ever holds a window, Run on the dry run, a counts-only dry run (a streamed
// import), and malformed messages refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { JobModel, type JobRow } from '../../src/jobs';
import { JobsController } from '../../src/jobsView/jobsController';
import { renderJobsHtml } from '../../src/jobsView/jobsHtml';
import { MAX_PAGE_ROWS, type HostMessage, type PageMessage } from '../../src/jobsView/protocol';
import { browserSkipReason, launchBrowser, openFormPage, startWebviewPageServer, type FormPage, type FormPageServer } from '../support/webviewPage';

const skip = browserSkipReason();
const HOSTILE = '"><img src=x onerror=alert(1)>';
const ROWS = 100_000;

interface Connected {
  page: FormPage;
  model: JobModel;
  controller: JobsController;
  calls: string[];
  /** Messages the page posted, as the host received them. */
  received: PageMessage[];
}

function bigJob(): JobRow[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const failed = i % 100 === 42;
    return {
      kind: 'enrollment',
      origin: `row ${i + 2}`,
      id: `dev-${String(i).padStart(6, '0')}`,
      outcome: failed ? 'failed' : 'done',
      attempts: 1,
      ...(failed ? { errorCode: 409201, reason: 'Enrollment already exists.' } : { detail: 'created' }),
    } satisfies JobRow;
  });
}

void describe('Jobs view page', { skip }, () => {
  let server: FormPageServer;
  let browser: Browser;

  before(async () => {
    server = await startWebviewPageServer({
      entry: 'src/jobsView/page/main.ts',
      script: 'jobs.js',
      style: 'jobs.css',
      html: (origin, nonce, scriptUri, styleUri) => renderJobsHtml({ cspSource: origin, nonce, scriptUri, styleUri }),
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function connected(prepare: (model: JobModel) => void): Promise<Connected> {
    const model = new JobModel({ header: { title: 'Create individual enrollments', source: 'devices.csv → emulator', quotaPerSecond: 15 } });
    prepare(model);
    const calls: string[] = [];
    const received: PageMessage[] = [];
    let deliver: (page: FormPage) => void = () => undefined;
    const pageReady = new Promise<FormPage>((resolve) => {
      deliver = resolve;
    });
    const controller = new JobsController(model, {
      // A reply to a page query can arrive after the test closed the page; only then is a failed send expected.
      post: (message: HostMessage) => void pageReady.then((page) => page.send(message as never).catch((error: unknown) => {
        if (!page.page.isClosed()) throw error;
      })),
      run: () => calls.push('run'),
      cancel: () => calls.push('cancel'),
      retryFailed: () => calls.push('retryFailed'),
      save: (format) => calls.push(`save ${format}`),
      log: (line) => calls.push(`log ${line}`),
      canSaveMarkdown: () => true,
    });
    const page = await openFormPage(browser, server, 'dark', (message) => {
      received.push(message as PageMessage);
      controller.handle(message);
      return Promise.resolve();
    });
    deliver(page);
    return { page, model, controller, calls, received };
  }

  async function close(page: FormPage): Promise<void> {
    assert.deepEqual(await page.cspViolations(), [], 'the page violated its CSP');
    assert.deepEqual(page.errors, [], 'the page logged errors');
    await page.page.context().close();
  }

  const rowCountInDom = (page: FormPage): Promise<number> => page.page.evaluate<number>('document.querySelectorAll("#rows .row").length');
  const idsInDom = (page: FormPage): Promise<string[]> => page.page.evaluate<string[]>('[...document.querySelectorAll("#rows .row[data-id]")].map((r) => r.dataset.id)');

  void test('shows the counts and lists the failed items first with the service reason', async () => {
    const { page } = await connected((model) => model.finish(bigJob(), ['99,000 done, 1,000 failed'], false));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    assert.equal(await page.page.locator('#job-title').textContent(), 'Create individual enrollments');
    assert.equal(await page.page.locator('#count-failed').textContent(), 'Failed: 1,000');
    assert.equal(await page.page.locator('#count-done').textContent(), 'Done: 99,000');
    assert.equal(await page.page.locator('#row-count').textContent(), '100,000 items');
    const first = page.page.locator('#rows .row[data-index="0"]');
    assert.equal(await first.getAttribute('data-id'), 'dev-000042');
    assert.match((await first.textContent()) ?? '', /Failed.*409201.*Enrollment already exists\./);
    const ids = await idsInDom(page);
    assert.ok(ids.length > 5);
    assert.ok(ids.every((id) => Number(id.slice(4)) % 100 === 42), `the first rows are the failed ones: ${ids.join(' ')}`);
    assert.equal(await page.page.locator('#retry').isVisible(), true);
    assert.equal(await page.page.locator('#retry').textContent(), 'Retry Failed (1,000)');
    await page.screenshot('jobs-view-finished');
    await close(page);
  });

  void test('100,000 rows: the DOM holds a window of them and rows come a page at a time as it scrolls', async () => {
    const { page, received } = await connected((model) => model.finish(bigJob(), ['done'], false));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    const target = 60_000;
    await page.page.evaluate(`document.getElementById('rows').scrollTop = ${target} * 24`);
    await page.waitUntil(`document.querySelector('#rows .row[data-index="${target}"][data-id]')`);
    // Failed rows (1,000) come first, so index 60,000 is done row number 59,000 in input order.
    const id = await page.page.locator(`#rows .row[data-index="${target}"]`).getAttribute('data-id');
    const expectedDone = bigJob().filter((r) => r.outcome === 'done')[target - 1000].id;
    assert.equal(id, expectedDone);
    const inDom = await rowCountInDom(page);
    assert.ok(inDom > 10 && inDom < 120, `the DOM holds ${inDom} rows, a window of the ${ROWS}`);
    const queries = received.filter((m): m is Extract<PageMessage, { type: 'query' }> => m.type === 'query');
    assert.ok(queries.every((q) => q.limit <= MAX_PAGE_ROWS), 'every query asks for at most a page');
    assert.ok(queries.length <= 6, `only the pages looked at were asked for (${queries.length})`);
    await close(page);
  });

  void test('filter and search narrow the list and the count', async () => {
    const { page } = await connected((model) => model.finish(bigJob(), ['done'], false));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    await page.page.selectOption('#filter', 'done');
    await page.waitUntil('document.getElementById("row-count").textContent === "99,000 items"');
    assert.equal(await page.page.locator('#rows .row[data-index="0"]').getAttribute('data-id'), 'dev-000000');
    await page.page.locator('#search').fill('dev-0999');
    await page.waitUntil('document.getElementById("row-count").textContent === "99 items"');
    await page.page.selectOption('#filter', 'all');
    await page.waitUntil('document.getElementById("row-count").textContent === "100 items"');
    assert.equal(await page.page.locator('#rows .row[data-index="0"]').getAttribute('data-id'), 'dev-099942', 'the failed match first');
    // A count chip filters too.
    await page.page.locator('#search').fill('');
    await page.page.locator('#count-failed').click();
    await page.waitUntil('document.getElementById("row-count").textContent === "1,000 items"');
    assert.equal(await page.page.locator('#filter').inputValue(), 'failed');
    await close(page);
  });

  void test('the filter and search come back when the page is rebuilt (a hidden tab shown again)', async () => {
    const { page } = await connected((model) => model.finish(bigJob(), ['done'], false));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    await page.page.selectOption('#filter', 'done');
    await page.page.locator('#search').fill('dev-0999');
    await page.waitUntil('document.getElementById("row-count").textContent === "99 items"');
    await page.page.reload();
    await page.waitUntil('document.getElementById("row-count")?.textContent === "99 items"');
    assert.equal(await page.page.locator('#filter').inputValue(), 'done');
    assert.equal(await page.page.locator('#search').inputValue(), 'dev-0999');
    await close(page);
  });

  void test('the dry run shows Run and Cancel; Run is posted once; hostile ids stay text', async () => {
    const rows: JobRow[] = [
      { kind: 'enrollment', origin: 'row 2', id: HOSTILE, outcome: 'invalid', attempts: 0, reason: `Bad id ${HOSTILE}` },
      { kind: 'enrollment', origin: 'row 3', id: 'ok-1', outcome: 'planned', attempts: 0, detail: 'create (new)' },
    ];
    const { page, calls } = await connected((model) => model.showDryRun(rows, ['1 to send in 1 bulk request (1 create (new)). 1 invalid row will not be sent.']));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    assert.equal(await page.page.locator('#run').isVisible(), true);
    assert.equal(await page.page.locator('#cancel').isVisible(), true);
    assert.equal(await page.page.locator('#save-csv').isVisible(), false, 'nothing to save before the run');
    assert.equal(await page.page.locator('#chart-box').isVisible(), false);
    assert.match((await page.page.locator('#summary').textContent()) ?? '', /1 invalid row will not be sent/);
    assert.equal(await page.page.locator('#rows .row[data-index="0"]').getAttribute('data-id'), HOSTILE);
    assert.equal(await page.page.locator('#rows img').count(), 0, 'the id is shown as text');
    await page.page.locator('#run').click();
    await page.waitForPosted('run' as never);
    assert.equal(await page.page.locator('#run').isDisabled(), true, 'no second Run');
    assert.deepEqual(calls, ['run']);
    await close(page);
  });

  void test('while running: live counts and the throughput chart against the limit', async () => {
    let now = 0;
    const model = new JobModel({ header: { title: 'T', source: 'S', quotaPerSecond: 15 }, now: () => now });
    model.showDryRun([{ kind: 'group', origin: 'item 1', id: 'g', outcome: 'planned', attempts: 0 }], ['1 to send']);
    model.startRun();
    for (let s = 0; s < 10; s++) {
      now = s * 1000 + 10;
      model.progress({ total: 1000, done: s * 90, failed: s, requests: s * 12 });
      if (s === 4) model.retried(true);
    }
    const { page } = await connected(() => undefined);
    // The connected model is new; send this one's snapshot as the host would.
    await page.send({ type: 'snapshot', snapshot: model.snapshot(), markdown: false } as never);
    await page.waitUntil('document.body.dataset.phase === "running"');
    assert.match((await page.page.locator('#live-text').textContent()) ?? '', /^819 of 1,000 settled · 9 failed · 108 requests/);
    assert.equal(await page.page.locator('#chart polyline.requests').count(), 1);
    assert.equal(await page.page.locator('#chart line.quota').count(), 1);
    assert.equal(await page.page.locator('#chart rect.throttled').count(), 1);
    assert.match((await page.page.locator('#chart-reading').textContent()) ?? '', /12\.0 requests\/s \(limit 15\.0\/s\) · 0 retries · 1 throttled \(429\)/);
    assert.equal(await page.page.locator('#run').isVisible(), false);
    assert.equal(await page.page.locator('#cancel').isVisible(), true);
    await page.page.locator('#cancel').click();
    await page.waitForPosted('cancel' as never);
    await page.screenshot('jobs-view-running');
    await close(page);
  });

  void test('while running: a failed row is listed first before the job finishes, and the list keeps its place', async () => {
    const planned = (i: number): JobRow => ({ kind: 'enrollment', origin: `row ${i + 2}`, id: `dev-${String(i).padStart(6, '0')}`, outcome: 'planned', attempts: 0, detail: 'create (new)' });
    const { page, model, controller } = await connected((m) => {
      m.showDryRun(Array.from({ length: 600 }, (_, i) => planned(i)), ['600 to send']);
      m.startRun();
    });
    await page.waitUntil('document.querySelector("#rows .row[data-index=\'0\'][data-id]")');
    assert.equal(await page.page.locator('#rows .row[data-index="0"]').getAttribute('data-id'), 'dev-000000');
    await page.page.evaluate('document.getElementById("rows").scrollTop = 100 * 24');
    await page.waitUntil('document.querySelector("#rows .row[data-index=\'100\'][data-id=\'dev-000100\']")');

    // The first batch settles: ten done, one failed far down the input.
    model.settleRows([
      ...Array.from({ length: 10 }, (_, i) => ({ index: i, row: { ...planned(i), outcome: 'done' as const, attempts: 1, detail: 'created' } })),
      { index: 450, row: { kind: 'enrollment', origin: 'row 452', id: 'dev-000450', outcome: 'failed', attempts: 1, errorCode: 400004, reason: 'Invalid attestation.' } },
    ]);
    controller.sendSnapshot(true);
    await page.waitUntil('document.getElementById("count-failed")?.textContent === "Failed: 1"');
    // The rows in view are asked for again where the person is reading: index 100 is now planned row 110.
    await page.waitUntil('document.querySelector("#rows .row[data-index=\'100\'][data-id=\'dev-000109\']")');
    assert.equal(await page.page.evaluate<number>('document.getElementById("rows").scrollTop'), 2400, 'the list kept its place');
    assert.equal(await page.page.evaluate<string>('document.body.dataset.phase'), 'running');
    await page.page.evaluate('document.getElementById("rows").scrollTop = 0');
    await page.waitUntil('document.querySelector("#rows .row[data-index=\'0\'][data-id=\'dev-000450\']")');
    assert.match((await page.page.locator('#rows .row[data-index="0"]').textContent()) ?? '', /Failed.*400004.*Invalid attestation\./);
    assert.equal(await page.page.locator('#count-done').textContent(), 'Done: 10');
    assert.equal(await page.page.locator('#count-planned').textContent(), 'Planned: 589');
    await close(page);
  });

  void test('a counts-only dry run: the counts of all, the invalid rows listed, planned counted not filtered; Run is posted', async () => {
    const invalid: JobRow[] = Array.from({ length: 3 }, (_, i) => ({ kind: 'enrollment', origin: `item ${i * 40 + 7}`, id: `bad id ${i}`, outcome: 'invalid', attempts: 0, reason: 'The id does not allow spaces.' }));
    const { page, calls } = await connected((model) => model.showDryRun(invalid, ['Create individual enrollments from big.json: 99,997 to send in 10,000 bulk requests.', 'The rows to send are counted, not listed (the file is large).'], { failed: 0, notSent: 0, invalid: 3, planned: 99_997, done: 0 }));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    assert.equal(await page.page.locator('#count-planned').textContent(), 'Planned: 99,997');
    assert.equal(await page.page.locator('#count-invalid').textContent(), 'Invalid: 3');
    assert.equal(await page.page.locator('#row-count').textContent(), '3 items listed (the counts cover all)');
    assert.deepEqual(await idsInDom(page), ['bad id 0', 'bad id 1', 'bad id 2']);
    assert.equal(await page.page.evaluate<string>('document.getElementById("count-planned").tagName'), 'SPAN', 'the planned count is not a filter: none are listed');
    await page.page.locator('#count-invalid').click();
    assert.equal(await page.page.locator('#filter').inputValue(), 'invalid');
    assert.match((await page.page.locator('#summary').textContent()) ?? '', /counted, not listed/);
    assert.equal(await page.page.locator('#run').isEnabled(), true);
    await page.screenshot('jobs-view-counts-only');
    await page.page.locator('#run').click();
    await page.waitForPosted('run' as never);
    assert.deepEqual(calls, ['run']);
    await close(page);
  });

  void test('malformed host messages are refused and reported; the page keeps working', async () => {
    const { page, received } = await connected((model) => model.finish(bigJob().slice(0, 50), ['ok'], false));
    await page.waitUntil('document.querySelector("#rows .row[data-id]")');
    for (const bad of [
      'a string',
      { type: 'snapshot', snapshot: { phase: 'exploded' }, markdown: false },
      { type: 'rows', requestId: 1, total: 1, offset: 0, rows: [{ id: 7 }] },
      { type: 'notice' },
      { type: 'eval', code: 'alert(1)' },
    ]) await page.send(bad as never);
    await page.waitUntil('window.__recorded.posted.filter((m) => m.type === "pageProblem").length === 5');
    const problems = received.filter((m) => m.type === 'pageProblem').map((m) => (m as { reason: string }).reason);
    assert.deepEqual(problems, ['message is not an object', 'snapshot phase is unknown', 'a row is malformed', 'notice text is missing', 'unknown message type "eval"']);
    assert.equal(await page.page.locator('#job-title').textContent(), 'Create individual enrollments');
    await page.page.locator('#save-json').click();
    await page.waitForPosted('save' as never);
    await close(page);
  });
});
