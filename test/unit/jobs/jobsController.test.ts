import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JobModel, type JobRow } from '../../../src/jobs';
import { JobsController } from '../../../src/jobsView/jobsController';
import { MessageRejection, parsePageMessage } from '../../../src/jobsView/protocolGuards';
import type { HostMessage, SaveFormat } from '../../../src/jobsView/protocol';

function rows(n: number, outcome: JobRow['outcome']): JobRow[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'enrollment', origin: `row ${i + 2}`, id: `d-${i}`, outcome, attempts: 0 }));
}

/** Trailing snapshots the controller scheduled, to be run by the test (no real timers). */
type Scheduled = Array<{ send: () => void; ms: number; cancelled: boolean }>;

function setup(now = () => 0): { model: JobModel; controller: JobsController; posted: HostMessage[]; calls: string[]; logs: string[]; scheduled: Scheduled } {
  const model = new JobModel({ header: { title: 'Create', source: 'a.csv', quotaPerSecond: 2 }, now });
  const posted: HostMessage[] = [];
  const calls: string[] = [];
  const logs: string[] = [];
  const scheduled: Scheduled = [];
  const controller = new JobsController(model, {
    post: (m) => posted.push(m),
    run: () => calls.push('run'),
    cancel: () => calls.push('cancel'),
    retryFailed: () => calls.push('retry'),
    save: (f: SaveFormat) => calls.push(`save ${f}`),
    log: (l) => logs.push(l),
    canSaveMarkdown: () => false,
    now,
    schedule: (send, ms) => {
      const entry = { send, ms, cancelled: false };
      scheduled.push(entry);
      return () => { entry.cancelled = true; };
    },
  });
  return { model, controller, posted, calls, logs, scheduled };
}

void describe('Jobs page messages', () => {
  void test('refuses unknown types, extra fields, bad bounds and non-objects', () => {
    const refused = (raw: unknown): string => {
      const parsed = parsePageMessage(raw);
      assert.ok(parsed instanceof MessageRejection, JSON.stringify(raw));
      return parsed.reason;
    };
    assert.match(refused(null), /not an object/);
    assert.match(refused([]), /not an object/);
    assert.match(refused({ type: 'rm -rf' }), /unknown message type/);
    assert.match(refused({ type: 'run', now: true }), /unexpected field "now"/);
    assert.match(refused({ type: 'query', requestId: 1, filter: 'all', search: '', offset: 0, limit: 201 }), /limit must be 1 to 200/);
    assert.match(refused({ type: 'query', requestId: 1, filter: 'all', search: 'x'.repeat(201), offset: 0, limit: 10 }), /search must be text/);
    assert.match(refused({ type: 'query', requestId: 1, filter: 'secret', search: '', offset: 0, limit: 10 }), /filter is unknown/);
    assert.match(refused({ type: 'query', requestId: -1, filter: 'all', search: '', offset: 0, limit: 10 }), /requestId/);
    assert.match(refused({ type: 'query', requestId: 1, filter: 'all', search: '', offset: 1.5, limit: 10 }), /offset/);
    assert.match(refused({ type: 'save', format: 'exe' }), /format is unknown/);
    assert.deepEqual(parsePageMessage({ type: 'save', format: 'csv' }), { type: 'save', format: 'csv' });
  });
});

void describe('JobsController', () => {
  void test('waits for ready, then answers queries with one page at most, failed first', () => {
    const { model, controller, posted } = setup();
    model.finish([...rows(500, 'done'), ...rows(3, 'failed')], ['500 done, 3 failed'], false);
    controller.sendSnapshot(true);
    assert.equal(posted.length, 0, 'nothing before the page is ready');
    controller.handle({ type: 'ready' });
    assert.equal(posted[0].type, 'snapshot');
    controller.handle({ type: 'query', requestId: 7, filter: 'all', search: '', offset: 0, limit: 200 });
    const answer = posted[1];
    assert.ok(answer.type === 'rows');
    assert.equal(answer.requestId, 7);
    assert.equal(answer.total, 503);
    assert.equal(answer.rows.length, 200);
    assert.deepEqual(answer.rows.slice(0, 4).map((r) => r.outcome), ['failed', 'failed', 'failed', 'done']);
    controller.handle({ type: 'query', requestId: 8, filter: 'failed', search: 'd-1', offset: 0, limit: 50 });
    const filtered = posted[2];
    assert.ok(filtered.type === 'rows');
    assert.deepEqual(filtered.rows.map((r) => r.id), ['d-1']);
  });

  void test('Run only when the dry run has something to send; Retry only when something failed; Markdown only when offered', () => {
    const { model, controller, calls, logs } = setup();
    controller.handle({ type: 'ready' });
    model.showDryRun(rows(2, 'invalid'), ['nothing to send']);
    controller.handle({ type: 'run' });
    model.showDryRun(rows(2, 'planned'), ['2 to send']);
    controller.handle({ type: 'run' });
    controller.handle({ type: 'retryFailed' });
    model.finish(rows(1, 'failed'), ['1 failed'], false);
    controller.handle({ type: 'retryFailed' });
    controller.handle({ type: 'save', format: 'md' });
    controller.handle({ type: 'save', format: 'csv' });
    controller.handle({ type: 'cancel' });
    controller.handle({ type: 'run', sneaky: 1 });
    assert.deepEqual(calls, ['run', 'retry', 'save csv', 'cancel']);
    assert.deepEqual(logs, ['Jobs view: refused a message from the page (run: unexpected field "sneaky").']);
  });

  void test('snapshots while running are throttled; forced ones always go', () => {
    let now = 0;
    const { controller, posted } = setup(() => now);
    controller.handle({ type: 'ready' });
    controller.sendSnapshot();
    now = 100;
    controller.sendSnapshot();
    now = 300;
    controller.sendSnapshot();
    controller.sendSnapshot(true);
    assert.equal(posted.filter((m) => m.type === 'snapshot').length, 3, 'ready, the one at 300 ms, the forced one');
  });

  void test('a change within the throttle goes out at its end, once, even when nothing follows', () => {
    let now = 0;
    const { model, controller, posted, scheduled } = setup(() => now);
    model.showDryRun(rows(3, 'planned'), ['3 to send']);
    model.startRun();
    controller.handle({ type: 'ready' });
    const snapshots = () => posted.filter((m): m is Extract<HostMessage, { type: 'snapshot' }> => m.type === 'snapshot');
    now = 100;
    model.progress({ total: 3, done: 1, failed: 0, requests: 1 });
    controller.sendSnapshot();
    now = 150;
    model.progress({ total: 3, done: 2, failed: 0, requests: 1 });
    controller.sendSnapshot();
    assert.equal(snapshots().length, 1, 'only the ready one so far');
    assert.deepEqual(scheduled.map((e) => e.ms), [150], 'one trailing send, at the end of the interval');
    now = 250;
    scheduled[0].send();
    assert.equal(snapshots().length, 2);
    assert.equal(snapshots()[1].snapshot.live.done, 2, 'the latest counts, not the first throttled ones');
    // A send after a forced one cancels a pending trailing one; closing the panel cancels it too.
    now = 300;
    controller.sendSnapshot();
    controller.dispose();
    assert.equal(scheduled[1].cancelled, true);
  });

  void test('rows settled while running: the throttled snapshot carries the counts, and a query lists the failed row first', () => {
    let now = 0;
    const { model, controller, posted } = setup(() => now);
    model.showDryRun(rows(300, 'planned'), ['300 to send']);
    model.startRun();
    controller.handle({ type: 'ready' });
    now = 100;
    model.settleRows([{ index: 250, row: { kind: 'enrollment', origin: 'row 252', id: 'd-250', outcome: 'failed', attempts: 1, reason: 'Conflict' } }]);
    controller.sendSnapshot();
    const snapshots = () => posted.filter((m): m is Extract<HostMessage, { type: 'snapshot' }> => m.type === 'snapshot');
    assert.equal(snapshots().length, 1, 'within the throttle: no snapshot yet');
    now = 300;
    controller.sendSnapshot();
    const last = snapshots().at(-1)?.snapshot;
    assert.deepEqual([last?.phase, last?.counts.failed, last?.counts.planned], ['running', 1, 299]);
    controller.handle({ type: 'query', requestId: 1, filter: 'all', search: '', offset: 0, limit: 2 });
    const answer = posted.at(-1);
    assert.equal(answer?.type, 'rows');
    if (answer?.type !== 'rows') return;
    assert.deepEqual([answer.total, answer.rows.map((r) => [r.id, r.outcome])], [300, [['d-250', 'failed'], ['d-0', 'planned']]]);
  });
});
