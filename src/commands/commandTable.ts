// The one table of commands: every id in commandIds maps to exactly one handler (the type checker
// enforces completeness), and every handler runs through the one error path.
import * as vscode from 'vscode';
import type { CommandContext, CommandHandler } from './commandContext';
import type { CommandId } from './commandIds';
import { addConnection, removeConnection, renameConnection, startEmulator, stopEmulator, updateConnection } from './connectionCommands';
import { copyId, deleteItems, deleteRegistration, disable, enable, openJson } from './itemCommands';
import { copyPrimaryKey, deriveDeviceKey, showKeys } from './keyCommands';
import { clearFilter, filter, loadMore, refresh, retry, showLogs } from './viewCommands';

// Modules behind rarely first-used commands load on the first call, not at activation: forms,
// bulk, export/import, Azure, as-code and device provisioning bring node-forge, @peculiar/x509,
// csv-parse and the device client with them (esbuild keeps a dynamically imported module unevaluated).
const forms = (): Promise<typeof import('./formCommands')> => import('./formCommands.js');
const bulk = (): Promise<typeof import('./bulkCommands')> => import('./bulkCommands.js');
const deviceKeys = (): Promise<typeof import('./deviceKeysCommands')> => import('./deviceKeysCommands.js');
const exportImport = (): Promise<typeof import('./exportImportCommands')> => import('./exportImportCommands.js');
const azure = (): Promise<typeof import('./azureCommands')> => import('./azureCommands.js');
const asCode = (): Promise<typeof import('./asCodeCommands')> => import('./asCodeCommands.js');
const provision = (): Promise<typeof import('./provisionCommands')> => import('./provisionCommands.js');

/** A handler whose module is imported on its first call. */
function onFirstUse<M>(load: () => Promise<M>, pick: (module: M) => CommandHandler): CommandHandler {
  return async (ctx, ...args) => pick(await load())(ctx, ...args);
}

interface CommandEntry {
  handler: CommandHandler;
  /** What the error message says was being done. */
  failure: string;
  /** For commands that enter a connection string: "Update Connection" means "try again", not "edit a saved one". */
  retriesForCredentials?: boolean;
  /** For commands that write items with If-Match: on 412, "Reload and Compare" shows each item's current version. */
  writesItems?: boolean;
}

export const commandTable: Record<CommandId, CommandEntry> = {
  'dpsEnrollments.addConnection': { handler: addConnection, failure: 'Could not add the connection', retriesForCredentials: true },
  'dpsEnrollments.renameConnection': { handler: renameConnection, failure: 'Could not rename the connection' },
  'dpsEnrollments.removeConnection': { handler: removeConnection, failure: 'Could not remove the connection' },
  'dpsEnrollments.updateConnection': { handler: updateConnection, failure: 'Could not update the connection', retriesForCredentials: true },
  'dpsEnrollments.startEmulator': { handler: startEmulator, failure: 'Could not start the local emulator' },
  'dpsEnrollments.stopEmulator': { handler: stopEmulator, failure: 'Could not stop the local emulator' },
  'dpsEnrollments.refresh': { handler: refresh, failure: 'Could not refresh' },
  'dpsEnrollments.refreshNode': { handler: refresh, failure: 'Could not refresh' },
  'dpsEnrollments.loadMore': { handler: loadMore, failure: 'Could not load more' },
  'dpsEnrollments.retry': { handler: retry, failure: 'Could not load' },
  'dpsEnrollments.filter': { handler: filter, failure: 'Could not set the filter' },
  'dpsEnrollments.clearFilter': { handler: clearFilter, failure: 'Could not clear the filter' },
  'dpsEnrollments.showLogs': { handler: showLogs, failure: 'Could not show the log' },
  'dpsEnrollments.openJson': { handler: openJson, failure: 'Could not open the document' },
  'dpsEnrollments.enable': { handler: enable, failure: 'Could not enable', writesItems: true },
  'dpsEnrollments.disable': { handler: disable, failure: 'Could not disable', writesItems: true },
  'dpsEnrollments.delete': { handler: deleteItems, failure: 'Could not delete', writesItems: true },
  'dpsEnrollments.deleteRegistration': { handler: deleteRegistration, failure: 'Could not delete the registration' },
  'dpsEnrollments.showKeys': { handler: showKeys, failure: 'Could not read the keys' },
  'dpsEnrollments.copyPrimaryKey': { handler: copyPrimaryKey, failure: 'Could not copy the key' },
  'dpsEnrollments.deriveDeviceKey': { handler: deriveDeviceKey, failure: 'Could not derive the device key' },
  'dpsEnrollments.copyId': { handler: copyId, failure: 'Could not copy the id' },
  'dpsEnrollments.createEnrollment': { handler: onFirstUse(forms, (m) => m.createEnrollment), failure: 'Could not create the enrollment' },
  'dpsEnrollments.createEnrollmentGroup': { handler: onFirstUse(forms, (m) => m.createEnrollmentGroup), failure: 'Could not create the enrollment group' },
  'dpsEnrollments.editWithForm': { handler: onFirstUse(forms, (m) => m.editWithForm), failure: 'Could not open the enrollment' },
  'dpsEnrollments.enrollCertificateFile': { handler: onFirstUse(forms, (m) => m.enrollCertificateFile), failure: 'Could not enroll the certificate' },
  'dpsEnrollments.createGroupFromCertificateFile': { handler: onFirstUse(forms, (m) => m.createGroupFromCertificateFile), failure: 'Could not create the group' },
  'dpsEnrollments.quickEnrollCertificateFile': { handler: onFirstUse(forms, (m) => m.quickEnrollCertificateFile), failure: 'Could not enroll the certificate' },
  'dpsEnrollments.bulkCreate': { handler: onFirstUse(bulk, (m) => m.bulkCreate), failure: 'Bulk create failed' },
  'dpsEnrollments.bulkUpdate': { handler: onFirstUse(bulk, (m) => m.bulkUpdate), failure: 'Bulk update failed' },
  'dpsEnrollments.bulkUpdateIfMatchETag': { handler: onFirstUse(bulk, (m) => m.bulkUpdateIfMatchETag), failure: 'Bulk update failed' },
  'dpsEnrollments.bulkDelete': { handler: onFirstUse(bulk, (m) => m.bulkDelete), failure: 'Bulk delete failed' },
  'dpsEnrollments.exportEnrollments': { handler: onFirstUse(exportImport, (m) => m.exportEnrollments), failure: 'Could not export the enrollments' },
  'dpsEnrollments.importEnrollments': { handler: onFirstUse(exportImport, (m) => m.importEnrollments), failure: 'Could not import the enrollments' },
  'dpsEnrollments.deriveDeviceKeysCsv': { handler: onFirstUse(deviceKeys, (m) => m.deriveDeviceKeysCsv), failure: 'Could not derive the device keys' },
  'dpsEnrollments.addConnectionFromAzure': { handler: onFirstUse(azure, (m) => m.addConnectionFromAzure), failure: 'Could not add the connection from Azure' },
  'dpsEnrollments.listCaCertificates': { handler: onFirstUse(azure, (m) => m.listCaCertificates), failure: 'Could not list the CA certificates' },
  'dpsEnrollments.uploadCaCertificate': { handler: onFirstUse(azure, (m) => m.uploadCaCertificate), failure: 'Could not upload the CA certificate' },
  'dpsEnrollments.verifyCaCertificate': { handler: onFirstUse(azure, (m) => (ctx, arg) => m.verifyCaCertificateCommand(ctx, arg, m.certificateNameOf(arg))), failure: 'Could not verify the CA certificate' },
  'dpsEnrollments.deleteCaCertificate': { handler: onFirstUse(azure, (m) => (ctx, arg) => m.deleteCaCertificate(ctx, arg, m.certificateNameOf(arg))), failure: 'Could not delete the CA certificate' },
  'dpsEnrollments.createGroupWithCaCertificate': { handler: onFirstUse(forms, (m) => m.createGroupWithCaCertificate), failure: 'Could not create the enrollment group' },
  'dpsEnrollments.planDesiredState': { handler: onFirstUse(asCode, (m) => m.planDesiredState), failure: 'Could not plan the desired state' },
  'dpsEnrollments.applyDesiredState': { handler: onFirstUse(asCode, (m) => m.applyDesiredState), failure: 'Could not apply the desired state' },
  'dpsEnrollments.checkDrift': { handler: onFirstUse(asCode, (m) => m.checkDrift), failure: 'Could not check for drift' },
  'dpsEnrollments.exportDesiredState': { handler: onFirstUse(asCode, (m) => m.exportDesiredStateFile), failure: 'Could not export the desired state' },
  'dpsEnrollments.provisionTestDevice': { handler: onFirstUse(provision, (m) => m.provisionTestDevice), failure: 'Could not provision the test device' },
  // One handler: it says at once that a TPM is missing, and provisions if one was set up meanwhile.
  'dpsEnrollments.provisionTestDeviceNeedsTpm': { handler: onFirstUse(provision, (m) => m.provisionTestDevice), failure: 'Could not provision the test device' },
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.entries(commandTable) as Array<[CommandId, CommandEntry]>).map(([id, entry]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) =>
      ctx.errors.run(entry.failure, () => entry.handler(ctx, ...args), {
        // "Retry" re-runs the same command with the same arguments.
        retry: () => vscode.commands.executeCommand(id, ...args),
        ...(entry.retriesForCredentials ? { updateConnection: () => vscode.commands.executeCommand(id, ...args) } : {}),
        ...(entry.writesItems ? { reloadAndCompare: () => reloadAndShow(ctx, args) } : {}),
      }),
    ),
  );
}

/**
 * After a 412 the tree is reloaded (its nodes carry the ETags the next try uses) and each item's
 * current version opens beside, to compare with what was intended before acting again.
 */
async function reloadAndShow(ctx: CommandContext, args: unknown[]): Promise<void> {
  ctx.tree.refresh();
  await vscode.commands.executeCommand('dpsEnrollments.openJson', ...args);
}
