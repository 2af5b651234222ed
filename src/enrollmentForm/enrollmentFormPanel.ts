// The editor side of the enrollment form: creates the webview panel with a strict CSP, connects it
// to the controller (which holds the logic), and turns the controller's needs into editor calls.
//
// Closing with unsaved input: a webview panel cannot veto being closed. So the page asks before its
// own Cancel button discards input, and when the tab is closed with unsaved input the draft is kept
// in memory and a notification offers to reopen the form with it. Once that notification is
// dismissed the draft is gone; nothing is written to disk (it may hold keys the user typed).

import * as vscode from 'vscode';
import { createFormAttestation } from './attestationAdapter';
import { serviceObjectId } from './draftMapping';
import type { FormAttestation } from './formAttestation';
import { EnrollmentFormController, type FormClient, type FormLogger, type FormSnapshot, type ReadableFile } from './formController';
import { createNonce, renderFormHtml } from './formHtml';
import type { FormMode, HostMessage } from './protocol';
import type { LinkedHubSource } from './linkedHubChoices';
import type { CaCertificateSource } from './caCertificateChoices';
import { type Item, type ItemKind, getItem } from '../dps/items';
import type { ApiVersion } from '../dps/apiVersion';

/** The connection a form saves to; chosen once when the form opens. */
export interface FormConnection {
  /** Shown on the form, e.g. the DPS host name. Never a secret. */
  label: string;
  getClient: () => Promise<FormClient>;
  /** The connection's api-version; 2021-10-01 when absent. */
  apiVersion?: ApiVersion;
  /** The hubs linked to the instance, for the hub picker; absent when the connection has no Azure ids. */
  linkedHubs?: LinkedHubSource;
  /** The instance's CA certificates, for the CA reference picker; absent when the connection has no Azure ids. */
  caCertificates?: CaCertificateSource;
}

/** What the form needs from the extension; the composition root supplies it. */
export interface FormHostDeps {
  extensionUri: vscode.Uri;
  /** Asks the user to pick a connection when there are several; undefined = cancelled or none. */
  pickConnection: () => Promise<FormConnection | undefined>;
  log: FormLogger;
  /** Called after a successful save, e.g. to refresh the tree. */
  onSaved: (kind: ItemKind, object: Item, connection: FormConnection) => void;
  /** Defaults to the `src/attestation` library. */
  attestation?: FormAttestation;
  /** Defaults to `vscode.workspace.findFiles` over certificate extensions. */
  listCertificateFiles?: () => Promise<ReadableFile[]>;
}

export interface OpenFormInit {
  kind: ItemKind;
  mode: FormMode;
  /** The service object to update (mode 'update'), as returned by a GET (with its etag). */
  existing?: Item;
  /** Prefill the primary certificate from this file. */
  certificateUri?: vscode.Uri;
  /** Prefill the primary CA reference with this CA certificate name. */
  caReference?: string;
  /** Skip the picker when the caller already knows the connection (e.g. a tree node's). */
  connection?: FormConnection;
}

export const CERTIFICATE_GLOB = '**/*.{pem,crt,cer,der,PEM,CRT,CER,DER}';
const CERTIFICATE_EXTENSIONS = ['pem', 'crt', 'cer', 'der'];
const MAX_LISTED_FILES = 500;

/** A file as the form shows it: relative to the workspace (with the folder name only in multi-root workspaces). */
export function fileFromUri(uri: vscode.Uri): ReadableFile {
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  return { label: vscode.workspace.asRelativePath(uri, multiRoot), read: async () => vscode.workspace.fs.readFile(uri) };
}

async function listWorkspaceCertificateFiles(): Promise<ReadableFile[]> {
  // Reading workspace files is what Restricted Mode protects against; the dialog stays available.
  if (!vscode.workspace.isTrusted) return [];
  const uris = await vscode.workspace.findFiles(CERTIFICATE_GLOB, '{**/node_modules/**,**/.git/**}', MAX_LISTED_FILES);
  return uris.sort((a, b) => a.path.localeCompare(b.path)).map(fileFromUri);
}

async function browseFile(purpose: 'certificate' | 'tpmKey'): Promise<ReadableFile | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: purpose === 'certificate' ? 'Use certificate' : 'Load key',
    filters: purpose === 'certificate' ? { Certificates: CERTIFICATE_EXTENSIONS, 'All files': ['*'] } : { 'Key files': ['txt', 'b64', 'pub', 'bin'], 'All files': ['*'] },
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.[0] ? fileFromUri(picked[0]) : undefined;
}

function panelTitle(init: OpenFormInit): string {
  const what = init.kind === 'group' ? 'enrollment group' : 'enrollment';
  if (init.mode === 'create') return `New ${what}`;
  const id = init.existing ? serviceObjectId(init.kind, init.existing) : '';
  return `Edit ${what}${id ? `: ${id}` : ''}`;
}

/** Opens the form. Resolves when the panel is shown (not when it is saved). */
export async function openEnrollmentForm(deps: FormHostDeps, init: OpenFormInit, restore?: FormSnapshot): Promise<void> {
  if (init.mode === 'update' && !init.existing) throw new Error('The form needs the service object to update.');
  const connection = init.connection ?? (await deps.pickConnection());
  if (!connection) return; // cancelled: silent, as every cancel is

  const mediaRoot = vscode.Uri.joinPath(deps.extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel('dpsEnrollments.enrollmentForm', panelTitle(init), vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [mediaRoot],
    // Keeps typed input when the tab is in the background; a form is small enough for this.
    retainContextWhenHidden: true,
  });
  const webview = panel.webview;
  webview.html = renderFormHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'dist', 'form.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'form.css')).toString(),
    title: panelTitle(init),
  });

  let closing = false;
  const controller = new EnrollmentFormController(
    {
      post: (message: HostMessage) => void webview.postMessage(message),
      getClient: () => connection.getClient(),
      attestation: deps.attestation ?? createFormAttestation(),
      listCertificateFiles: deps.listCertificateFiles ?? listWorkspaceCertificateFiles,
      browseFile,
      confirmDiscard: async () => {
        const answer = await vscode.window.showWarningMessage('Discard the changes on this form?', { modal: true }, 'Discard');
        return answer === 'Discard';
      },
      close: () => {
        closing = true;
        panel.dispose();
      },
      onSaved: (kind, object) => {
        panel.title = panelTitle({ kind, mode: 'update', existing: object });
        deps.onSaved(kind, object, connection);
      },
      log: deps.log,
      ...(connection.linkedHubs ? { linkedHubs: connection.linkedHubs } : {}),
      ...(connection.caCertificates ? { caCertificates: connection.caCertificates } : {}),
    },
    {
      kind: init.kind,
      mode: init.mode,
      connectionLabel: connection.label,
      ...(connection.apiVersion ? { apiVersion: connection.apiVersion } : {}),
      ...(init.existing ? { existing: init.existing } : {}),
      ...(init.certificateUri ? { certificate: fileFromUri(init.certificateUri) } : {}),
      ...(init.caReference ? { caReference: init.caReference } : {}),
      ...(restore ? { restore } : {}),
    },
  );

  const subscription = webview.onDidReceiveMessage((raw: unknown) => controller.handle(raw));
  panel.onDidDispose(() => {
    subscription.dispose();
    controller.dispose();
    if (closing || !controller.hasUnsavedInput) return;
    const snapshot = controller.snapshot();
    void vscode.window
      .showWarningMessage('The enrollment form was closed with unsaved changes.', 'Reopen with my changes', 'Discard')
      .then((answer) => {
        if (answer !== 'Reopen with my changes') return;
        return openEnrollmentForm(deps, { ...init, mode: snapshot.mode, existing: snapshot.existing, connection, certificateUri: undefined }, snapshot);
      })
      .then(undefined, (error: unknown) => deps.log.error(`Enrollment form: reopening failed: ${(error as Error).message}`));
  });
}

/** "Edit with form" on a tree item: reads the current object (with its etag) and opens it for update. */
export async function openExistingInForm(deps: FormHostDeps, connection: FormConnection, kind: ItemKind, id: string): Promise<void> {
  const client = await connection.getClient();
  const existing = await getItem(client, kind, id);
  await openEnrollmentForm(deps, { kind, mode: 'update', existing, connection });
}
