// Every command id of the extension, typed. package.json declares exactly these (a unit test checks
// both directions), and the command table registers exactly these.

export const commandIds = [
  // connections
  'dpsEnrollments.addConnection',
  'dpsEnrollments.renameConnection',
  'dpsEnrollments.removeConnection',
  'dpsEnrollments.updateConnection',
  'dpsEnrollments.startEmulator',
  'dpsEnrollments.stopEmulator',
  // view
  'dpsEnrollments.refresh',
  'dpsEnrollments.refreshNode',
  'dpsEnrollments.loadMore',
  'dpsEnrollments.retry',
  'dpsEnrollments.filter',
  'dpsEnrollments.clearFilter',
  'dpsEnrollments.showLogs',
  // items
  'dpsEnrollments.openJson',
  'dpsEnrollments.enable',
  'dpsEnrollments.disable',
  'dpsEnrollments.delete',
  'dpsEnrollments.deleteRegistration',
  'dpsEnrollments.showKeys',
  'dpsEnrollments.copyPrimaryKey',
  'dpsEnrollments.deriveDeviceKey',
  'dpsEnrollments.copyId',
  // the enrollment form and the Explorer's certificate commands
  'dpsEnrollments.createEnrollment',
  'dpsEnrollments.createEnrollmentGroup',
  'dpsEnrollments.editWithForm',
  'dpsEnrollments.enrollCertificateFile',
  'dpsEnrollments.createGroupFromCertificateFile',
  'dpsEnrollments.quickEnrollCertificateFile',
  // bulk jobs, import/export, device keys at scale
  'dpsEnrollments.bulkCreate',
  'dpsEnrollments.bulkUpdate',
  'dpsEnrollments.bulkUpdateIfMatchETag',
  'dpsEnrollments.bulkDelete',
  'dpsEnrollments.exportEnrollments',
  'dpsEnrollments.importEnrollments',
  'dpsEnrollments.deriveDeviceKeysCsv',
  // Azure: connections from ARM, CA certificates
  'dpsEnrollments.addConnectionFromAzure',
  'dpsEnrollments.listCaCertificates',
  'dpsEnrollments.uploadCaCertificate',
  'dpsEnrollments.verifyCaCertificate',
  'dpsEnrollments.deleteCaCertificate',
  'dpsEnrollments.createGroupWithCaCertificate',
  // enrollments as code: desired-state files
  'dpsEnrollments.planDesiredState',
  'dpsEnrollments.applyDesiredState',
  'dpsEnrollments.checkDrift',
  'dpsEnrollments.exportDesiredState',
  // test devices
  'dpsEnrollments.provisionTestDevice',
  // the same command as the tree's TPM items show it while no TPM is set up (dpsEnrollments.tpmConfigured)
  'dpsEnrollments.provisionTestDeviceNeedsTpm',
] as const;

export type CommandId = (typeof commandIds)[number];
