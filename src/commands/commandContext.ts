// Everything a command may use, built once by the composition root.
import type * as vscode from 'vscode';
import type { ClientFactory } from '../connections/clientFactory';
import type { ConnectionStore } from '../connections/connectionStore';
import type { IdScopeStore } from '../connections/idScopeStore';
import type { EnrollmentFileSystem } from '../documents/enrollmentFileSystem';
import type { EmulatorController } from '../emulatorHost/emulatorController';
import type { ErrorHandler } from '../ui/errorHandler';
import type { Logger } from '../common/logger';
import type { SettingsService } from '../ui/settingsService';
import type { FilterState } from '../tree/filterState';
import type { DpsTreeProvider } from '../tree/treeProvider';
import type { DpsTreeNode } from '../tree/treeModel';
import type { AzureSignIn } from '../ui/azureSignIn';

export interface CommandContext {
  /** Root of the installed extension, for webview assets. */
  extensionUri: vscode.Uri;
  /** The extension's private folder (reports of streamed imports are kept there). */
  globalStorageUri: vscode.Uri;
  store: ConnectionStore;
  /** The device API's ID scope per connection (not a secret). */
  idScopes: IdScopeStore;
  clients: ClientFactory;
  tree: DpsTreeProvider;
  treeView: vscode.TreeView<DpsTreeNode>;
  documents: EnrollmentFileSystem;
  emulator: EmulatorController;
  errors: ErrorHandler;
  logger: Logger;
  settings: SettingsService;
  filter: FilterState;
  azure: AzureSignIn;
}

/** One signature for every command: the context, then whatever VS Code passes (node, selected nodes). */
export type CommandHandler = (ctx: CommandContext, ...args: unknown[]) => Promise<unknown>;
