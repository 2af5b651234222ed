// Composition root: builds the services, the tree and the commands, and returns. No logic here.
import { IdScopeStore } from './connections/idScopeStore';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './commands/commandTable';
import type { CommandContext } from './commands/commandContext';
import { ClientFactory } from './connections/clientFactory';
import { ConnectionStore, EMULATOR_CONNECTION_ID } from './connections/connectionStore';
import { CURRENT_VERSION_SCHEME, DOCUMENT_SCHEME } from './documents/documentUri';
import { EnrollmentFileSystem } from './documents/enrollmentFileSystem';
import { EmulatorController } from './emulatorHost/emulatorController';
import { emulatorAutoStart } from './emulatorHost/autoStart';
import { describeError } from './common/errorPresentation';
import { ErrorHandler } from './ui/errorHandler';
import { createLogger } from './common/logger';
import { SettingsService } from './ui/settingsService';
import { AzureSignIn } from './ui/azureSignIn';
import { FilterState } from './tree/filterState';
import type { DpsTreeNode } from './tree/treeModel';
import { DpsTreeProvider, TREE_VIEW_ID } from './tree/treeProvider';
import { registerDesiredStateDiagnostics } from './ui/desiredStateDiagnostics';
import { registerReportDocuments } from './ui/reportDocuments';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('DPS Enrollments', { log: true });
  const logger = createLogger(channel);
  const settings = new SettingsService();
  const store = new ConnectionStore(context.secrets, context.globalState);
  const azure = new AzureSignIn(store);
  const clients = new ClientFactory(store, logger, () => settings.value.requestTimeoutSeconds * 1000, (c) =>
    azure.tokenProvider(c.azure ?? { cloud: azure.configuredCloud().name }, 'dps'),
  );
  const filter = new FilterState();
  const tree = new DpsTreeProvider(store, {
    clientFor: (c) => clients.clientFor(c),
    pageSize: () => settings.value.pageSize,
    filter: () => filter.value,
    describeError,
    // Loaded when a CA folder is first expanded: the module brings the attestation library with it.
    caCertificatesOf: async (c) => (await import('./commands/azureCommands.js')).readCaCertificates({ azure }, c),
  });
  const treeView = vscode.window.createTreeView<DpsTreeNode>(TREE_VIEW_ID, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const emulator = new EmulatorController({
    scriptPath: path.join(context.extensionPath, 'dist', 'emulator.js'),
    dataDir: path.join(context.globalStorageUri.fsPath, 'emulator'),
    port: () => settings.value.emulatorPort,
    seedDemo: () => settings.value.emulatorSeedDemo,
    store,
    logger,
    onStateChange: (running) => void vscode.commands.executeCommand('setContext', 'dpsEnrollments.emulatorRunning', running),
    onStartingChange: (starting) => void vscode.commands.executeCommand('setContext', 'dpsEnrollments.emulatorStarting', starting),
  });
  // An emulator an earlier window started on the same folder can be stopped from here too.
  emulator.announceState();
  const documents = new EnrollmentFileSystem({
    clientFor: (id) => {
      const record = store.get(id);
      return record ? clients.clientFor(record) : Promise.reject(new Error('This document belongs to a connection that was removed.'));
    },
    logger,
    onSaved: () => tree.repaint(),
  });
  const errors = new ErrorHandler(logger, {
    refresh: () => tree.refresh(),
    updateConnection: () => vscode.commands.executeCommand('dpsEnrollments.updateConnection'),
    // Commands on items show the item's current version as well (see commandTable).
    reloadAndCompare: () => tree.refresh(),
    startEmulator: () => vscode.commands.executeCommand('dpsEnrollments.startEmulator'),
  });
  // TPM items offer "Provision Test Device…" only with a TPM set up, else the item that says one is missing.
  const announceTpm = (): void => void vscode.commands.executeCommand('setContext', 'dpsEnrollments.tpmConfigured', settings.value.deviceTpmTcti !== '');
  const ctx: CommandContext = { extensionUri: context.extensionUri, globalStorageUri: context.globalStorageUri, store, idScopes: new IdScopeStore(context.globalState), clients, tree, treeView, documents, emulator, errors, logger, settings, filter, azure };

  context.subscriptions.push(
    channel,
    settings,
    tree,
    treeView,
    documents,
    vscode.workspace.registerFileSystemProvider(DOCUMENT_SCHEME, documents, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(CURRENT_VERSION_SCHEME, documents),
    settings.onDidChange(() => {
      clients.invalidate();
      tree.refresh();
      announceTpm();
    }),
    store.onDidChange(() => void vscode.commands.executeCommand('setContext', 'dpsEnrollments.hasConnections', store.list().length > 0)),
    ...registerCommands(ctx),
    registerDesiredStateDiagnostics(),
    registerReportDocuments(),
    // The child process flushes its data file on SIGTERM; nothing to await here.
    { dispose: () => void emulator.dispose() },
  );
  void vscode.commands.executeCommand('setContext', 'dpsEnrollments.hasConnections', store.list().length > 0);
  announceTpm();

  // In the background: activation returns at once, the tree fills when the emulator is up. The setting is
  // checked again when it changes and when the workspace becomes trusted (it is a restricted setting).
  const autoStart = emulatorAutoStart(() => settings.value.emulatorAutoStart, () => void errors.run('Could not start the local emulator', async () => {
    await emulator.start();
    clients.invalidate(EMULATOR_CONNECTION_ID);
    tree.refresh();
  }));
  context.subscriptions.push(
    settings.onDidChange(() => autoStart.check()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      autoStart.reset(); // restricted settings are read anew once the workspace is trusted
      autoStart.check();
    }),
  );
  autoStart.check();
  logger.info(`Activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything, including the emulator process, is disposed through context.subscriptions.
}
