// The one table of commands: every id in commandIds maps to exactly one handler (the type checker
// enforces completeness), and every handler runs through the one error path.
import * as vscode from 'vscode';
import type { CommandContext, CommandHandler } from './commandContext';
import type { CommandId } from './commandIds';
import { addConnection, removeConnection, renameConnection, startEmulator, stopEmulator, updateConnection } from './connectionCommands';
import { createEnrollment, createEnrollmentGroup, createGroupFromCertificateFile, editWithForm, enrollCertificateFile, quickEnrollCertificateFile } from './formCommands';
import { copyId, deleteItems, deleteRegistration, disable, enable, openJson } from './itemCommands';
import { copyPrimaryKey, deriveDeviceKey, showKeys } from './keyCommands';
import { clearFilter, filter, loadMore, refresh, retry, showLogs } from './viewCommands';
import { bulkCreate, bulkDelete, bulkUpdate, bulkUpdateIfMatchETag } from './bulkCommands';
import { deriveDeviceKeysCsv } from './deviceKeysCommands';
import { exportEnrollments, importEnrollments } from './exportImportCommands';
import { addConnectionFromAzure, certificateNameOf, deleteCaCertificate, listCaCertificates, uploadCaCertificate, verifyCaCertificateCommand } from './azureCommands';
import { applyDesiredState, checkDrift, exportDesiredStateFile, planDesiredState } from './asCodeCommands';
import { provisionTestDevice } from './provisionCommands';

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
  'dpsEnrollments.createEnrollment': { handler: createEnrollment, failure: 'Could not create the enrollment' },
  'dpsEnrollments.createEnrollmentGroup': { handler: createEnrollmentGroup, failure: 'Could not create the enrollment group' },
  'dpsEnrollments.editWithForm': { handler: editWithForm, failure: 'Could not open the enrollment' },
  'dpsEnrollments.enrollCertificateFile': { handler: enrollCertificateFile, failure: 'Could not enroll the certificate' },
  'dpsEnrollments.createGroupFromCertificateFile': { handler: createGroupFromCertificateFile, failure: 'Could not create the group' },
  'dpsEnrollments.quickEnrollCertificateFile': { handler: quickEnrollCertificateFile, failure: 'Could not enroll the certificate' },
  'dpsEnrollments.bulkCreate': { handler: bulkCreate, failure: 'Bulk create failed' },
  'dpsEnrollments.bulkUpdate': { handler: bulkUpdate, failure: 'Bulk update failed' },
  'dpsEnrollments.bulkUpdateIfMatchETag': { handler: bulkUpdateIfMatchETag, failure: 'Bulk update failed' },
  'dpsEnrollments.bulkDelete': { handler: bulkDelete, failure: 'Bulk delete failed' },
  'dpsEnrollments.exportEnrollments': { handler: exportEnrollments, failure: 'Could not export the enrollments' },
  'dpsEnrollments.importEnrollments': { handler: importEnrollments, failure: 'Could not import the enrollments' },
  'dpsEnrollments.deriveDeviceKeysCsv': { handler: deriveDeviceKeysCsv, failure: 'Could not derive the device keys' },
  'dpsEnrollments.addConnectionFromAzure': { handler: addConnectionFromAzure, failure: 'Could not add the connection from Azure' },
  'dpsEnrollments.listCaCertificates': { handler: listCaCertificates, failure: 'Could not list the CA certificates' },
  'dpsEnrollments.uploadCaCertificate': { handler: uploadCaCertificate, failure: 'Could not upload the CA certificate' },
  'dpsEnrollments.verifyCaCertificate': { handler: (ctx, arg) => verifyCaCertificateCommand(ctx, arg, certificateNameOf(arg)), failure: 'Could not verify the CA certificate' },
  'dpsEnrollments.deleteCaCertificate': { handler: (ctx, arg) => deleteCaCertificate(ctx, arg, certificateNameOf(arg)), failure: 'Could not delete the CA certificate' },
  'dpsEnrollments.planDesiredState': { handler: planDesiredState, failure: 'Could not plan the desired state' },
  'dpsEnrollments.applyDesiredState': { handler: applyDesiredState, failure: 'Could not apply the desired state' },
  'dpsEnrollments.checkDrift': { handler: checkDrift, failure: 'Could not check for drift' },
  'dpsEnrollments.exportDesiredState': { handler: exportDesiredStateFile, failure: 'Could not export the desired state' },
  'dpsEnrollments.provisionTestDevice': { handler: provisionTestDevice, failure: 'Could not provision the test device' },
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
