// Refresh, paging, retry and filters of the tree view.
import * as vscode from 'vscode';
import type { AttestationType, ProvisioningStatus } from '../dps/models';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import { describeFilter, isFilterActive, matchesFilter, type EnrollmentFilter } from '../tree/filters';
import { loadUntilMatches } from '../tree/loadUntilMatches';
import { ITEM_KIND_FACTS } from '../dps/items';
import { CaCertificatesNode, ErrorNode, findConnection } from '../tree/nodes';
import type { DpsTreeNode } from '../tree/treeModel';
import { TREE_VIEW_ID } from '../tree/treeProvider';
import type { CommandContext } from './commandContext';
import { pagedNodeOf } from './targets';

export function refresh(ctx: CommandContext, node?: unknown): Promise<void> {
  ctx.tree.refresh(isTreeNode(node) ? node : undefined);
  return Promise.resolve();
}

function isTreeNode(value: unknown): value is DpsTreeNode {
  return typeof value === 'object' && value !== null && typeof (value as DpsTreeNode).describe === 'function';
}

export async function loadMore(ctx: CommandContext, node?: unknown): Promise<void> {
  const owner = pagedNodeOf(node);
  if (!owner) throw new Error('Use "Load more…" in the DPS Enrollments view.');
  await withProgress('Loading more…', () => ctx.tree.loadMore(owner), { viewId: TREE_VIEW_ID });
  // A failed page shows as an error node under the list; nothing else to report here.
}

export async function retry(ctx: CommandContext, node?: unknown): Promise<void> {
  const owner = pagedNodeOf(node);
  if (!owner) {
    ctx.tree.refresh();
    return;
  }
  // Only a SAS connection's DPS list refusal is about a key (ErrorNode.isAuth is never set under Entra ID);
  // the CA folder's is about the Azure sign-in or a role, which a retry may find granted.
  if (node instanceof ErrorNode && node.isAuth && !(owner instanceof CaCertificatesNode)) {
    // A retry with the same key would fail the same way: offer the fix first.
    const choice = await vscode.window.showWarningMessage('The service refused this connection\'s key.', 'Update Connection', 'Retry Anyway');
    if (choice === 'Update Connection') {
      await vscode.commands.executeCommand('dpsEnrollments.updateConnection', ctx.tree.rootFor(findConnection(owner).id));
      return;
    }
    if (choice !== 'Retry Anyway') return;
  }
  await withProgress('Loading more…', () => ctx.tree.loadMore(owner), { viewId: TREE_VIEW_ID });
}

const attestationChoices: Array<{ label: string; type: AttestationType }> = [
  { label: 'X.509', type: 'x509' },
  { label: 'Symmetric key', type: 'symmetricKey' },
  { label: 'TPM', type: 'tpm' },
  { label: 'None', type: 'none' },
];

export async function filter(ctx: CommandContext): Promise<void> {
  const current = ctx.filter.value;
  const idPrefix = await vscode.window.showInputBox({
    title: 'Filter Enrollments (1/2)',
    prompt: 'Show ids starting with (empty: any id)',
    value: current.idPrefix ?? '',
    ignoreFocusOut: true,
  });
  if (idPrefix === undefined) throw new UserCancelledError();
  type Choice = vscode.QuickPickItem & { type?: AttestationType; status?: ProvisioningStatus };
  const choices: Choice[] = [
    { label: 'Attestation', kind: vscode.QuickPickItemKind.Separator },
    ...attestationChoices.map((c) => ({ label: c.label, type: c.type, picked: current.attestationTypes?.includes(c.type) ?? false })),
    { label: 'Status', kind: vscode.QuickPickItemKind.Separator },
    { label: 'Enabled only', status: 'enabled' as const, picked: current.status === 'enabled' },
    { label: 'Disabled only', status: 'disabled' as const, picked: current.status === 'disabled' },
  ];
  const picked = await vscode.window.showQuickPick(choices, {
    title: 'Filter Enrollments (2/2)',
    placeHolder: 'Attestation types and status to show (none checked: all)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) throw new UserCancelledError();
  const statuses = picked.flatMap((p) => (p.status ? [p.status] : []));
  const next: EnrollmentFilter = {
    ...(idPrefix.trim() ? { idPrefix: idPrefix.trim() } : {}),
    attestationTypes: picked.flatMap((p) => (p.type ? [p.type] : [])),
    // Both statuses checked means no status filter.
    ...(statuses.length === 1 && statuses[0] ? { status: statuses[0] } : {}),
  };
  await applyFilter(ctx, next);
}

export async function clearFilter(ctx: CommandContext): Promise<void> {
  await applyFilter(ctx, {});
}

async function applyFilter(ctx: CommandContext, next: EnrollmentFilter): Promise<void> {
  ctx.filter.set(next);
  const active = isFilterActive(next);
  ctx.treeView.description = active ? describeFilter(next) : undefined;
  await vscode.commands.executeCommand('setContext', 'dpsEnrollments.filterActive', active);
  ctx.tree.repaint();
  if (active) await loadPagesForFilter(ctx, next);
}

/**
 * Fetches further pages of every list already shown until it has matches (or ends), with a
 * cancellable progress: a filter that found nothing in the loaded pages has not searched yet.
 */
async function loadPagesForFilter(ctx: CommandContext, next: EnrollmentFilter): Promise<void> {
  const lists = ctx.tree.connectionNodes().flatMap((root) => [root.enrollments, root.groups]).filter((list) => list.pages.hasLoaded && list.pages.hasMore);
  const needing = lists.filter((list) => !list.pages.items.some((item) => matchesFilter(item, next)));
  if (needing.length === 0) return;
  await withProgress('Searching further pages for the filter…', async (signal, report) => {
    for (const list of needing) {
      const name = ITEM_KIND_FACTS[list.kind].plural;
      await loadUntilMatches(list.pages, (item) => matchesFilter(item, next), {
        signal,
        onPage: (loaded, found) => {
          report({ message: `${loaded} ${name} of ${list.connection.label} loaded, ${found} match${found === 1 ? '' : 'es'}` });
          ctx.tree.repaint(list);
        },
      });
      ctx.tree.repaint(list);
      if (signal.aborted) throw new UserCancelledError();
    }
  });
}

export function showLogs(ctx: CommandContext): Promise<void> {
  ctx.logger.show?.();
  return Promise.resolve();
}
