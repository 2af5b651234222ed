// A small stand-in for the `vscode` module so UI modules can be loaded and driven under plain
// node. It records what the extension does (registered commands, messages, settings writes,
// clipboard) and answers prompts from a script the test supplies. Install it before importing
// any module that imports `vscode`.
import Module from 'node:module';
import { posix } from 'node:path';

/** A canned reply; a function computes it from the items offered. */
type Answer = unknown;

export interface VscodeRecorder {
  registeredCommands: string[];
  executedCommands: Array<{ id: string; args: unknown[] }>;
  messages: Array<{ level: 'info' | 'warn' | 'error'; text: string; items: string[]; detail?: string }>;
  settingsWrites: Array<{ key: string; value: unknown }>;
  clipboard: string[];
  /** Answers for showInputBox / showQuickPick / show*Message, consumed in order. */
  answers: Answer[];
  statusMessages: string[];
  /** QuickPicks made with createQuickPick, newest last (their items and placeholder as last set). */
  quickPicks: Array<{ items: unknown[]; placeholder: string; value: string }>;
  /** Documents opened with workspace.openTextDocument: untitled ones ({ content }) and those of a content provider (by URI), in order. */
  documents: Array<{ language?: string; content: string; uri?: string }>;
  /** What diagnostic collections hold, by document URI string. */
  diagnostics: Map<string, unknown[]>;
  /** Every authentication.getSession call, in order. */
  sessionRequests: SessionRequest[];
  /**
   * Answers authentication.getSession: a session, or undefined for none. Unset, the user is signed out
   * and declines to sign in (as VS Code: a `createIfNone` request rejects).
   */
  signIn?: (request: SessionRequest) => { accessToken: string; account?: { id: string; label: string } } | undefined;
}

export interface SessionRequest {
  providerId: string;
  scopes: string[];
  options: { createIfNone?: boolean; silent?: boolean; forceNewSession?: unknown; clearSessionPreference?: boolean };
}

export const recorder: VscodeRecorder = {
  registeredCommands: [],
  executedCommands: [],
  messages: [],
  settingsWrites: [],
  clipboard: [],
  answers: [],
  statusMessages: [],
  quickPicks: [],
  documents: [],
  diagnostics: new Map(),
  sessionRequests: [],
};

export function resetRecorder(): void {
  recorder.registeredCommands.length = 0;
  recorder.executedCommands.length = 0;
  recorder.messages.length = 0;
  recorder.settingsWrites.length = 0;
  recorder.clipboard.length = 0;
  recorder.answers.length = 0;
  recorder.statusMessages.length = 0;
  recorder.quickPicks.length = 0;
  recorder.documents.length = 0;
  recorder.diagnostics.clear();
  recorder.sessionRequests.length = 0;
  recorder.signIn = undefined;
  settings.clear();
}

function nextAnswer(items?: unknown): unknown {
  const answer = recorder.answers.shift();
  return typeof answer === 'function' ? (answer as (i: unknown) => unknown)(items) : answer;
}

const disposable = { dispose: () => undefined };

class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  accessibilityInformation?: unknown;
  constructor(
    public label: string,
    public collapsibleState: number,
  ) {}
}

class ThemeIcon {
  constructor(
    public id: string,
    public color?: ThemeColor,
  ) {}
}
class ThemeColor {
  constructor(public id: string) {}
}

class FileSystemError extends Error {
  /** As VS Code's: the name of the factory that made it. */
  constructor(message: string, readonly code = 'Unknown') {
    super(message);
  }
  static FileNotFound = (m?: string) => new FileSystemError(m ?? 'FileNotFound', 'FileNotFound');
  static NoPermissions = (m?: string) => new FileSystemError(m ?? 'NoPermissions', 'NoPermissions');
  static Unavailable = (m?: string) => new FileSystemError(m ?? 'Unavailable', 'Unavailable');
}

/** A file URI as VS Code makes one: path and fsPath the same on POSIX. */
class StubUri {
  constructor(readonly scheme: string, readonly path: string, readonly fsPath = path) {}
  toString(): string {
    return this.scheme === 'file' ? `file://${this.path}` : `${this.scheme}:${this.path}`;
  }
  static from(c: { scheme: string; path: string }): StubUri {
    return new StubUri(c.scheme, c.path);
  }
  static file(path: string): StubUri {
    return new StubUri('file', path);
  }
  // As VS Code's: path segments joined with "/", the scheme kept.
  static joinPath(base: { scheme: string; path: string }, ...segments: string[]): StubUri {
    return new StubUri(base.scheme, posix.join(base.path, ...segments));
  }
}


const settings = new Map<string, unknown>();

/** Sets what getConfiguration reads, by full key (e.g. "dpsEnrollments.azure.cloud"); undefined unsets it. */
export function setSetting(key: string, value: unknown): void {
  if (value === undefined) settings.delete(key);
  else settings.set(key, value);
}
const contentProviders = new Map<string, { provideTextDocumentContent(uri: unknown): string }>();

/** Document events a test fires, as VS Code would when the user opens, edits or closes a file. */
export const documentEvents = {
  open: new EventEmitter<unknown>(),
  change: new EventEmitter<{ document: unknown }>(),
  close: new EventEmitter<{ uri: { toString(): string } }>(),
};

class Position {
  constructor(readonly line: number, readonly character: number) {}
}
class Range {
  constructor(readonly start: Position, readonly end: Position) {}
}
class Diagnostic {
  source?: string;
  constructor(readonly range: Range, readonly message: string, readonly severity: number) {}
}

export const vscodeStub = {
  EventEmitter,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  FileSystemError,
  Disposable: class {
    static from(...items: Array<{ dispose(): unknown }>) {
      return { dispose: () => items.forEach((i) => i.dispose()) };
    }
    constructor(private readonly fn: () => void) {}
    dispose(): void {
      this.fn();
    }
  },
  Position,
  Range,
  Diagnostic,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  languages: {
    createDiagnosticCollection: () => ({
      set: (uri: { toString(): string }, diagnostics: unknown[]) => recorder.diagnostics.set(uri.toString(), diagnostics),
      delete: (uri: { toString(): string }) => recorder.diagnostics.delete(uri.toString()),
      dispose: () => undefined,
    }),
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ViewColumn: { Active: -1, Beside: -2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  FileType: { Unknown: 0, File: 1, Directory: 2 },
  FileChangeType: { Changed: 1, Created: 2, Deleted: 3 },
  // A class, so `arg instanceof vscode.Uri` works as in VS Code (a file clicked in the Explorer).
  Uri: StubUri,
  commands: {
    registerCommand: (id: string) => {
      recorder.registeredCommands.push(id);
      return disposable;
    },
    executeCommand: (id: string, ...args: unknown[]) => {
      recorder.executedCommands.push({ id, args });
      return Promise.resolve(undefined);
    },
  },
  window: {
    // A function answer sees the box's options (its prefilled value, prompt).
    showInputBox: (options: { validateInput?: (v: string) => string | undefined }) => {
      const answer = nextAnswer(options);
      // Like VS Code: an answer that fails validation cannot be accepted.
      if (typeof answer === 'string' && options.validateInput?.(answer)) {
        return Promise.reject(new Error(`stub: input "${answer.slice(0, 12)}…" failed validation: ${options.validateInput(answer)}`));
      }
      return Promise.resolve(answer);
    },
    showQuickPick: (items: unknown) => Promise.resolve(nextAnswer(items)),
    // A QuickPick the script answers: a string is typed and accepted, undefined hides it (cancel).
    // The answer is read after the suggestions settled (a macrotask), so a function answer sees them.
    createQuickPick: () => {
      const accept = new EventEmitter<void>();
      const hide = new EventEmitter<void>();
      const change = new EventEmitter<string>();
      const picker = {
        value: '', items: [] as unknown[], selectedItems: [] as unknown[], title: '', placeholder: '', busy: false, ignoreFocusOut: false, matchOnDescription: false,
        onDidAccept: accept.event, onDidHide: hide.event, onDidChangeValue: change.event,
        hide: () => hide.fire(),
        dispose: () => undefined,
        show: () => {
          setTimeout(() => {
            const answer = nextAnswer(picker);
            if (typeof answer !== 'string') return hide.fire();
            picker.value = answer;
            change.fire(answer);
            accept.fire();
          }, 10);
        },
      };
      recorder.quickPicks.push(picker);
      return picker;
    },
    showInformationMessage: (text: string, ...items: unknown[]) => message('info', text, items),
    showWarningMessage: (text: string, ...items: unknown[]) => message('warn', text, items),
    showErrorMessage: (text: string, ...items: unknown[]) => message('error', text, items),
    showOpenDialog: () => Promise.resolve(nextAnswer()),
    // A function answer sees the dialog's options (its defaultUri, filters).
    showSaveDialog: (options: unknown) => Promise.resolve(nextAnswer(options)),
    showTextDocument: (document: unknown) => Promise.resolve({ document }),
    setStatusBarMessage: (text: string) => {
      recorder.statusMessages.push(text);
      return disposable;
    },
    withProgress: <T>(_o: unknown, task: (p: unknown, token: unknown) => Promise<T>) =>
      task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => disposable }),
  },
  workspace: {
    getConfiguration: (section?: string) => ({
      get: (key: string) => settings.get(section ? `${section}.${key}` : key),
      update: (key: string, value: unknown) => {
        recorder.settingsWrites.push({ key: section ? `${section}.${key}` : key, value });
        return Promise.resolve();
      },
    }),
    onDidChangeConfiguration: () => disposable,
    /** None unless a test sets some (a window with no folder open). */
    workspaceFolders: undefined as Array<{ uri: unknown; name: string; index: number }> | undefined,
    textDocuments: [] as unknown[],
    onDidOpenTextDocument: documentEvents.open.event,
    onDidChangeTextDocument: documentEvents.change.event,
    onDidCloseTextDocument: documentEvents.close.event,
    // As VS Code: a URI of a registered content provider's scheme reads its text from the provider.
    openTextDocument: (init: { language?: string; content?: string } | { scheme: string; path: string; toString(): string }) => {
      const provider = 'scheme' in init ? contentProviders.get(init.scheme) : undefined;
      if ('scheme' in init && provider === undefined) return Promise.reject(new Error(`stub: no content provider for ${init.toString()}`));
      const document = 'scheme' in init
        ? { language: init.path.endsWith('.md') ? 'markdown' : undefined, content: provider?.provideTextDocumentContent(init) ?? '', uri: init.toString() }
        : { language: init.language, content: init.content ?? '' };
      recorder.documents.push(document);
      return Promise.resolve(document);
    },
    registerTextDocumentContentProvider: (scheme: string, provider: { provideTextDocumentContent(uri: unknown): string }) => {
      contentProviders.set(scheme, provider);
      return { dispose: () => contentProviders.delete(scheme) };
    },
  },
  authentication: {
    getSession: (providerId: string, scopes: readonly string[], options: SessionRequest['options'] = {}) => {
      const request = { providerId, scopes: [...scopes], options: { ...options } };
      recorder.sessionRequests.push(request);
      const session = recorder.signIn?.(request);
      if (session === undefined && options.createIfNone) return Promise.reject(new Error('User did not consent to login.'));
      return Promise.resolve(session === undefined ? undefined : { id: 'session-1', account: { id: 'user', label: 'user@example.com' }, scopes: request.scopes, ...session });
    },
  },
  env: {
    clipboard: {
      writeText: (text: string) => {
        recorder.clipboard.push(text);
        return Promise.resolve();
      },
    },
  },
};

function message(level: 'info' | 'warn' | 'error', text: string, items: unknown[]): Promise<unknown> {
  const buttons = items.filter((i): i is string => typeof i === 'string');
  const options = items.find((i): i is { detail?: unknown } => typeof i === 'object' && i !== null);
  recorder.messages.push({ level, text, items: buttons, ...(typeof options?.detail === 'string' ? { detail: options.detail } : {}) });
  return Promise.resolve(nextAnswer(buttons));
}

let installed = false;

/** Makes `require('vscode')` return the stub. */
export function installVscodeStub(): void {
  if (installed) return;
  installed = true;
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function load(request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscodeStub;
    return original.call(this, request, parent, isMain);
  };
}
