// Handlers for the Explorer right-click on a certificate file:
//   dpsEnrollments.enrollCertificateFile          -> the form, individual enrollment, prefilled
//   dpsEnrollments.createGroupFromCertificateFile -> the form, enrollment group, prefilled
//   dpsEnrollments.quickEnrollCertificateFile     -> no form: checks the file, confirms, creates
// Run from the palette (no Uri), each asks for the file with a QuickPick of the workspace's certificates.

import * as vscode from 'vscode';
import { putItem, type ItemKind } from '../dps/items';
import { createFormAttestation } from '../enrollmentForm/attestationAdapter';
import { serviceObjectId } from '../enrollmentForm/draftMapping';
import { CERTIFICATE_GLOB, fileFromUri, openEnrollmentForm, type FormConnection, type FormHostDeps } from '../enrollmentForm/enrollmentFormPanel';
import { existsOnService } from '../enrollmentForm/formController';
import { planQuickEnrollment } from '../enrollmentForm/quickEnrollment';

/** The Explorer passes the clicked file's Uri; from the palette there is none and the user picks. */
async function chooseCertificateFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const found = await vscode.workspace.findFiles(CERTIFICATE_GLOB, '{**/node_modules/**,**/.git/**}', 500);
  const items: { label: string; uri?: vscode.Uri }[] = [
    ...found.map((uri) => ({ label: fileFromUri(uri).label, uri })),
    { label: '$(folder-opened) Browse…' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Certificate file', placeHolder: 'Choose a certificate file of the workspace' });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Certificates: ['pem', 'crt', 'cer', 'der'] } });
  return chosen?.[0];
}

export async function enrollCertificateFile(deps: FormHostDeps, uri?: unknown): Promise<void> {
  const file = await chooseCertificateFile(uri);
  if (file) await openEnrollmentForm(deps, { kind: 'enrollment', mode: 'create', certificateUri: file });
}

export async function createGroupFromCertificateFile(deps: FormHostDeps, uri?: unknown): Promise<void> {
  const file = await chooseCertificateFile(uri);
  if (file) await openEnrollmentForm(deps, { kind: 'group', mode: 'create', certificateUri: file });
}

/**
 * The common case without the form (see quickEnrollment.ts): checks, confirms, creates. A problem
 * with the certificate or an existing id offers the form; a service error goes to the error path.
 */
export async function quickEnrollCertificateFile(deps: FormHostDeps, uri?: unknown): Promise<void> {
  const fileUri = await chooseCertificateFile(uri);
  if (!fileUri) return;
  const file = fileFromUri(fileUri);
  const plan = planQuickEnrollment(await file.read(), deps.attestation ?? createFormAttestation());
  const openForm = (kind: ItemKind, connection?: FormConnection): Promise<void> =>
    openEnrollmentForm(deps, { kind, mode: 'create', certificateUri: fileUri, ...(connection ? { connection } : {}) });
  // Through the one error path (logged, with its buttons), like every other failure of the command.
  const kind = plan.kind;
  if (kind === undefined) throw new Error(`${file.label} cannot be enrolled: ${plan.ok ? '' : plan.reason}`);
  // Chosen once: the form, if it opens after this, saves to the same connection without asking again.
  const connection = await deps.pickConnection();
  if (!connection) return;
  // A CA certificate makes a group, not the individual enrollment the command's name promises: say so.
  const caNote = kind === 'group' ? `${file.label} is a CA certificate, so it makes an enrollment group (for the devices whose certificates it signs), not an individual enrollment.` : undefined;
  if (!plan.ok) {
    const answer = await vscode.window.showWarningMessage(`${file.label}: ${[caNote, plan.reason].filter(Boolean).join(' ')}`, 'Open form');
    if (answer === 'Open form') await openForm(kind, connection);
    return;
  }
  const what = plan.kind === 'group' ? 'enrollment group' : 'individual enrollment';
  const answer = await vscode.window.showInformationMessage(
    `Create the ${what} "${plan.id}" from ${file.label} on ${connection.label}?`,
    { modal: true, detail: [caNote, ...plan.warnings].filter(Boolean).join(' ') || undefined },
    'Create',
    'Open form',
  );
  if (answer === 'Open form') return openForm(plan.kind, connection);
  if (answer !== 'Create') return;
  // A service error propagates to the command wrapper: logged, mapped, with Retry and the other buttons.
  const client = await connection.getClient();
  if (await existsOnService(client, plan.kind, plan.id)) {
    const next = await vscode.window.showWarningMessage(`An ${what} "${plan.id}" already exists on ${connection.label}; nothing was changed.`, 'Open form');
    if (next === 'Open form') await openForm(plan.kind, connection);
    return;
  }
  const saved = await putItem(client, plan.kind, plan.object);
  deps.onSaved(plan.kind, saved, connection);
  void vscode.window.showInformationMessage(`Created the ${what} "${serviceObjectId(plan.kind, saved)}".`);
}
