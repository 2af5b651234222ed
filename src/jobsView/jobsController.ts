// The Jobs view's logic without the editor: answers the page's row queries from the job model,
// turns its buttons into the host's actions, and sends snapshots no more often than a person can
// read them. Every inbound message passes the guards first; a refused one is logged and dropped.
import type { JobModel } from '../jobs/jobModel';
import { MAX_PAGE_ROWS, type HostMessage, type SaveFormat } from './protocol';
import { MessageRejection, parsePageMessage } from './protocolGuards';

export interface JobsControllerDeps {
  post(message: HostMessage): void;
  run(): void;
  cancel(): void;
  retryFailed(): void;
  save(format: SaveFormat): void;
  log(line: string): void;
  /** Whether Save Report can write Markdown (a bulk job can, an apply cannot). */
  canSaveMarkdown(): boolean;
  /** For throttling snapshots; default Date.now. */
  now?: () => number;
  /** Runs `send` after `ms` (the throttle's trailing snapshot); default setTimeout. Returns a cancel. */
  schedule?: (send: () => void, ms: number) => () => void;
}

const scheduleWithTimer = (send: () => void, ms: number): (() => void) => {
  const timer = setTimeout(send, ms);
  return () => clearTimeout(timer);
};

/** Snapshots while running: at most one per this many ms; a change within it goes out at its end. */
const SNAPSHOT_INTERVAL_MS = 250;

export class JobsController {
  private lastSnapshotMs = Number.NEGATIVE_INFINITY;
  private ready = false;
  /** Cancels the pending trailing snapshot. */
  private cancelTrailing?: () => void;

  constructor(private readonly model: JobModel, private readonly deps: JobsControllerDeps) {}

  handle(raw: unknown): void {
    const message = parsePageMessage(raw);
    if (message instanceof MessageRejection) {
      this.deps.log(`Jobs view: refused a message from the page (${message.reason}).`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot(true);
        return;
      case 'query': {
        const query = { filter: message.filter, search: message.search };
        const limit = Math.min(message.limit, MAX_PAGE_ROWS);
        this.deps.post({
          type: 'rows',
          requestId: message.requestId,
          total: this.model.rows.count(query),
          offset: message.offset,
          rows: this.model.rows.page(query, message.offset, limit),
        });
        return;
      }
      case 'run':
        if (this.model.snapshot().canRun) this.deps.run();
        return;
      case 'cancel':
        this.deps.cancel();
        return;
      case 'retryFailed':
        if (this.model.snapshot().retryable > 0) this.deps.retryFailed();
        return;
      case 'save':
        if (message.format === 'md' && !this.deps.canSaveMarkdown()) return;
        this.deps.save(message.format);
        return;
      case 'pageProblem':
        this.deps.log(`Jobs view: the page refused a message (${message.reason}).`);
        return;
    }
  }

  /** Sends the model's state; `force` skips the throttle (phase changes, the end of a run). */
  sendSnapshot(force = false): void {
    if (!this.ready) return; // the page asks with `ready` and gets the latest then
    const now = (this.deps.now ?? Date.now)();
    const sinceLast = now - this.lastSnapshotMs;
    if (!force && sinceLast < SNAPSHOT_INTERVAL_MS) {
      // The latest state still goes out at the end of the interval: a pause after a burst (a long
      // 429 wait) must not leave the last settled rows and counts unseen.
      this.cancelTrailing ??= (this.deps.schedule ?? scheduleWithTimer)(() => {
        this.cancelTrailing = undefined;
        this.sendSnapshot(true);
      }, SNAPSHOT_INTERVAL_MS - sinceLast);
      return;
    }
    this.cancelTrailing?.();
    this.cancelTrailing = undefined;
    this.lastSnapshotMs = now;
    this.deps.post({ type: 'snapshot', snapshot: this.model.snapshot(), markdown: this.deps.canSaveMarkdown() });
  }

  /** The panel closed: nothing more is sent. */
  dispose(): void {
    this.cancelTrailing?.();
    this.cancelTrailing = undefined;
    this.ready = false;
  }

  notice(text: string): void {
    if (this.ready) this.deps.post({ type: 'notice', text });
  }
}
