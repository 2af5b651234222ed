// Adds to the shared vscode stub what the bulk commands use and the stub lacks (documents, save
// dialogs, workspace.fs, Uri.file), recording opened documents and answering save dialogs from a
// queue. Import after vscodeStubInstall; it changes the stub only in this test process.
import { promises as fs } from 'node:fs';
import type { CommandContext } from '../../src/commands/commandContext';
import { readSettings } from '../../src/common/settings';
import type { ConnectionRecord } from '../../src/connections/connectionStore';
import type { DpsApi } from '../../src/dps/api';
import { createLogger } from '../../src/common/logger';
import { ConnectionNode } from '../../src/tree/nodes';
import { describeError } from '../../src/common/errorPresentation';
import { LogRecorder } from './vscodeFakes';
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
  reset(): void {
    this.documents.length = 0;
    this.saveAnswers.length = 0;
    this.progressMessages.length = 0;
    this.cancelAfterReports = undefined;
  },
};

export function fileUri(fsPath: string): FakeUri {
  return { scheme: 'file', fsPath, path: fsPath };
}

const window = vscodeStub.window as Record<string, unknown>;
const workspace = vscodeStub.workspace as Record<string, unknown>;
(vscodeStub.Uri as Record<string, unknown>).file = fileUri;
window.showSaveDialog = () => {
  const path = bulkUi.saveAnswers.shift();
  return Promise.resolve(path === undefined ? undefined : fileUri(path));
};
window.showTextDocument = () => Promise.resolve(undefined);
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
  } as unknown as CommandContext;
  return { ctx, log, refreshes: () => refreshes, connection };
}

/** The enrollment nodes of the connection's first page, as the tree shows them. */
export async function loadEnrollmentNodes(connection: ConnectionRecord, client: DpsApi): Promise<unknown[]> {
  const root = new ConnectionNode(connection, { clientFor: () => Promise.resolve(client), pageSize: () => 100, filter: () => ({}), describeError });
  return root.enrollments.getChildren();
}
