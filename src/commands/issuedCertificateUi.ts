// The certificate part of "Provision Test Device…" on api-version 2026-11-01 connections: offers a
// CSR (suggested when the item references an ADR certificate policy, opt-in otherwise), asks where
// the certificate and key go before anything is sent (so a cancel loses nothing), and saves them
// after the registration. The key stays in memory until it is written to the chosen folder.
import * as vscode from 'vscode';
import { normalize } from 'node:path';
import { DEFAULT_API_VERSION, supportsCertificatePolicy } from '../dps/apiVersion';
import { certificatePolicyOf, describeCertificatePolicy } from '../dps/certificatePolicy';
import { getItem, type ItemReadApi } from '../dps/items';
import type { IssuedCertificate } from '../device/csr';
import { existingIssuedFiles, folderProblem, issuedCertificateFacts, issuedCertificatePaths, saveIssuedCertificate, type IssuedCertificatePaths } from '../device/issuedCertificateFiles';
import { issuedCertificateMarkdown } from '../device/report';
import { UserCancelledError } from '../common/errorPresentation';
import type { CommandContext } from './commandContext';
import type { ItemTarget } from './targets';

/** Where an issued certificate will be saved; `replace` when the user agreed to replace files. */
export interface CertificateRequestPlan {
  paths: IssuedCertificatePaths;
  replace: boolean;
}

/** Undefined when no certificate is to be requested (older api-version, or the user said no). */
export async function planCertificateRequest(client: ItemReadApi, target: ItemTarget, registrationId: string): Promise<CertificateRequestPlan | undefined> {
  if (!supportsCertificatePolicy(target.connection.apiVersion ?? DEFAULT_API_VERSION)) return undefined;
  const policy = certificatePolicyOf(target.item ?? (await getItem(client, target.kind, target.id)));
  const request = { label: 'Request a certificate', description: 'new EC P-384 key and CSR (CN = registration id)', csr: true };
  const without = { label: 'Register without a certificate', description: '', csr: false };
  const choices = policy
    ? [{ ...request, detail: `Issued under the certificate policy ${describeCertificatePolicy(policy)}.` }, without]
    : [without, { ...request, label: 'Request a certificate anyway', detail: `"${target.id}" references no certificate policy, so DPS is expected to refuse the CSR.` }];
  const picked = await vscode.window.showQuickPick(choices, { title: `Operational certificate for ${registrationId}`, placeHolder: 'Request an operational certificate with this registration?', ignoreFocusOut: true });
  if (picked === undefined) throw new UserCancelledError();
  if (!picked.csr) return undefined;
  const paths = issuedCertificatePaths(await chooseFolder(registrationId), registrationId);
  const existing = await existingIssuedFiles(paths);
  if (existing.length === 0) return { paths, replace: false };
  const names = existing.map((p) => vscode.workspace.asRelativePath(p)).join(' and ');
  const answer = await vscode.window.showWarningMessage(`${names} already ${existing.length > 1 ? 'exist' : 'exists'}. Replace with the new certificate and key?`, { modal: true }, 'Replace');
  if (answer !== 'Replace') throw new UserCancelledError();
  return { paths, replace: true };
}

/** A folder of the workspace (default: one named for the registration id), or one picked without a workspace. */
async function chooseFolder(registrationId: string): Promise<string> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (root === undefined || root.scheme !== 'file') {
    const picked = await vscode.window.showOpenDialog({ title: 'Folder for the issued certificate and key', canSelectFiles: false, canSelectFolders: true, canSelectMany: false });
    if (picked?.[0] === undefined) throw new UserCancelledError();
    return picked[0].fsPath;
  }
  const relative = await vscode.window.showInputBox({
    title: 'Save the issued certificate and key',
    prompt: `Folder inside the workspace; the files are ${registrationId}.cert.pem and ${registrationId}.key.pem (the key readable by you only)`,
    value: registrationId.replace(/:/g, '_'),
    ignoreFocusOut: true,
    validateInput: folderProblem,
  });
  if (relative === undefined) throw new UserCancelledError();
  return vscode.Uri.joinPath(root, normalize(relative.trim())).fsPath;
}

/** Saves the chain and the key; returns the Markdown for the result view and the certificate's Uri. */
export async function saveIssued(ctx: CommandContext, plan: CertificateRequestPlan, issued: IssuedCertificate): Promise<{ markdown: string; certificate: vscode.Uri }> {
  ctx.logger.addSecret(issued.privateKeyPem);
  try {
    await saveIssuedCertificate(plan.paths, issued, { replace: plan.replace });
  } catch (error) {
    throw new Error(`The device was registered and its certificate issued, but saving it failed: ${(error as Error).message} Provision again to get a new certificate.`, { cause: error });
  }
  const markdown = issuedCertificateMarkdown(issuedCertificateFacts(issued), {
    certificate: vscode.workspace.asRelativePath(plan.paths.certificatePath),
    key: vscode.workspace.asRelativePath(plan.paths.keyPath),
  });
  return { markdown, certificate: vscode.Uri.file(plan.paths.certificatePath) };
}
