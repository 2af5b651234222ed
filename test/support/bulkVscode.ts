// Adds to the shared vscode stub what the bulk commands use and the stub lacks (documents, save
// dialogs, workspace.fs, Uri.file, the Jobs view's webview panel), recording opened documents,
// answering save dialogs from a queue, and playing the Jobs page: it sends `ready`, reads the first
// page of rows at each dry run and outcome, and presses the next queued button there.
// Import after vscodeStubInstall; it changes the stub only in this test process.
import { mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../src/commands/commandContext';
import { readSettings } from '../../src/common/settings';
import type { ConnectionRecord } from '../../src/connections/connectionStore';
import type { DpsApi } from '../../src/dps/api';
import { createLogger } from '../../src/common/logger';
import { ConnectionNode } from '../../src/tree/nodes';
import { describeError } from '../../src/common/errorPresentation';
import { LogRecorder } from './vscodeFakes';
import type { HostMessage, PageMessage, RowsMessage, SnapshotMessage } from '../../src/jobsView/protocol';
import { vscodeStub } from './vscodeStub';

export interface FakeUri {
  scheme: 'file';
  fsPath: string;
  path: string;
}

export const bulkUi = {
  /** Content of every untitled document the commands opened, in order. */
  documents: [] as string[],
  /** Paths returned by showSaveDialog, in order; undefined = the user dismissed it. */
  saveAnswers: [] as Array<string | undefined>,
  progressMessages: [] as string[],
  /** When set, the user presses "Cancel" on the progress notification after this many progress reports. */
  cancelAfterReports: undefined as number | undefined,
  /** What the Jobs page presses when a dry run or an outcome is shown, in order; none = it waits. */
  pageActions: [] as PageMessage[],
  /** Every Jobs view opened, with what the host posted to it. */
  views: [] as FakeJobsView[],
  /** When set, the person closes the Jobs view as soon as the run starts. */
  closeWhenRunning: false,
  reset(): void {
    this.closeWhenRunning = false;
    this.pageActions.length = 0;
    this.views.length = 0;
    this.documents.length = 0;
    this.saveAnswers.length = 0;
    this.progressMessages.length = 0;
    this.cancelAfterReports = undefined;
  },
};

export interface FakeJobsView {
  title: string;
  posted: HostMessage[];
  /** The latest snapshot; the rows of the latest first page (failed first). */
  snapshot(): SnapshotMessage['snapshot'] | undefined;
  rows(): RowsMessage['rows'];
  /** The first page of rows read while a phase was shown: 'dryRun' (planned and invalid) or 'finished'. */
  rowsOf(phase: 'dryRun' | 'finished', nth?: number): RowsMessage['rows'];
  /** Delivers a message as the page would. */
  send(message: unknown): void;
  disposed: boolean;
}

export function fileUri(fsPath: string): FakeUri {
  return { scheme: 'file', fsPath, path: fsPath };
}

const window = vscodeStub.window as Record<string, unknown>;
const workspace = vscodeStub.workspace as Record<string, unknown>;
(vscodeStub.Uri as unknown as Record<string, unknown>).file = fileUri;
window.showSaveDialog = () => {
  const path = bulkUi.saveAnswers.shift();
  return Promise.resolve(path === undefined ? undefined : fileUri(path));
};
window.showTextDocument = () => Promise.resolve(undefined);
(vscodeStub as Record<string, unknown>).ViewColumn = { Active: -1 };
(vscodeStub.Uri as unknown as Record<string, unknown>).joinPath = (base: FakeUri | undefined, ...parts: string[]) => fileUri([base?.fsPath ?? '/ext', ...parts].join('/'));
window.createWebviewPanel = (_type: string, title: string) => {
  const listeners: Array<(m: unknown) => void> = [];
  const disposeListeners: Array<() => void> = [];
  let lastPhase = '';
  let requestId = 0;
  const pages: Array<{ phase: string; rows: RowsMessage['rows'] }> = [];
  const view: FakeJobsView = {
    title,
    posted: [],
    disposed: false,
    snapshot: () => view.posted.filter((m): m is SnapshotMessage => m.type === 'snapshot').at(-1)?.snapshot,
    rows: () => view.posted.filter((m): m is RowsMessage => m.type === 'rows').at(-1)?.rows ?? [],
    rowsOf: (phase, nth = 0) => pages.filter((p) => p.phase === phase)[nth]?.rows ?? [],
    send: (message) => setImmediate(() => listeners.forEach((l) => l(message))),
  };
  bulkUi.views.push(view);
  const webview = {
    cspSource: 'test-csp',
    html: '',
    asWebviewUri: (uri: FakeUri) => ({ ...uri, toString: () => `webview:${uri.fsPath}` }),
    postMessage: (message: HostMessage) => {
      // As VS Code does: a disposed webview refuses messages.
      if (view.disposed) throw new Error('Webview is disposed');
      view.posted.push(message);
      if (message.type === 'rows') pages.push({ phase: lastPhase, rows: message.rows });
      if (message.type === 'snapshot' && message.snapshot.phase !== lastPhase) {
        lastPhase = message.snapshot.phase;
        if (lastPhase === 'running') {
          if (bulkUi.closeWhenRunning) setImmediate(() => panel.dispose());
          return Promise.resolve(true);
        }
        view.send({ type: 'query', requestId: ++requestId, filter: 'all', search: '', offset: 0, limit: 200 });
        const action = bulkUi.pageActions.shift();
        if (action !== undefined) view.send(action);
      }
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (listener: (m: unknown) => void) => {
      listeners.push(listener);
      return { dispose: () => undefined };
    },
  };
  view.send({ type: 'ready' });
  const panel = {
    webview,
    title,
    reveal: () => undefined,
    onDidDispose: (listener: () => void) => {
      disposeListeners.push(listener);
      return { dispose: () => undefined };
    },
    dispose: () => {
      view.disposed = true;
      disposeListeners.forEach((l) => l());
    },
  };
  return panel;
};
window.withProgress = <T>(_o: unknown, task: (p: unknown, token: unknown) => Promise<T>) => {
  const listeners: Array<() => void> = [];
  let reports = 0;
  const progress = {
    report: (p: { message?: string }) => {
      if (p.message !== undefined) bulkUi.progressMessages.push(p.message);
      if (++reports === bulkUi.cancelAfterReports) for (const listener of listeners) listener();
    },
  };
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: () => void) => {
      listeners.push(listener);
      return { dispose: () => undefined };
    },
  };
  return task(progress, token);
};
workspace.openTextDocument = (options: { content: string }) => {
  bulkUi.documents.push(options.content);
  return Promise.resolve({});
};
workspace.fs = {
  stat: async (uri: FakeUri) => ({ size: (await fs.stat(uri.fsPath)).size }),
  readFile: async (uri: FakeUri) => new Uint8Array(await fs.readFile(uri.fsPath)),
};

/** A command context over one connection and a real client; the tree only counts refreshes. */
export function bulkCommandContext(client: DpsApi, selection: unknown[] = []): { ctx: CommandContext; log: LogRecorder; refreshes: () => number; connection: ConnectionRecord } {
  const log = new LogRecorder();
  let refreshes = 0;
  const connection: ConnectionRecord = { id: 'c1', label: 'emulator', hostName: client.hostName, keyName: 'owner' };
  const ctx = {
    store: { list: () => [connection] },
    clients: { clientFor: () => Promise.resolve(client) },
    tree: { refresh: () => { refreshes++; } },
    treeView: { selection },
    logger: createLogger(log),
    settings: { value: readSettings(() => undefined) },
    extensionUri: fileUri('/ext'),
    globalStorageUri: fileUri(mkdtempSync(join(tmpdir(), 'bulk-storage-'))),
    errors: { report: (error: unknown, context: string) => { log.lines.push(`[error] ${context}: ${(error as Error).message}`); return Promise.resolve(); } },
  } as unknown as CommandContext;
  return { ctx, log, refreshes: () => refreshes, connection };
}

/** The enrollment nodes of the connection's first page, as the tree shows them. */
export async function loadEnrollmentNodes(connection: ConnectionRecord, client: DpsApi): Promise<unknown[]> {
  const root = new ConnectionNode(connection, { clientFor: () => Promise.resolve(client), pageSize: () => 100, filter: () => ({}), describeError });
  return root.enrollments.getChildren();
}
