// Turns what VS Code passes to a command (a node, a multi-selection, or nothing from the palette)
// into targets. From the palette the user picks with a QuickPick instead of getting an error.
import * as vscode from 'vscode';
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment, QueryPage } from '../dps/models';
import { isDpsError } from '../dps/errors';
import { choicesFor, idPlaceholder, suggestionChoices, type IdChoice } from './idSuggestions';
import { getItem, ITEM_KIND_FACTS, itemIdOf, queryItems, type Item, type ItemKind } from '../dps/items';
import type { ConnectionRecord } from '../connections/connectionStore';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import { ConnectionNode, EnrollmentNode, GroupNode, RegistrationNode, CategoryNode, LoadMoreNode, ErrorNode, CaCertificatesNode, CaCertificateNode, type PagedNode } from '../tree/nodes';
import type { DpsTreeNode } from '../tree/treeModel';
import type { CommandContext } from './commandContext';


export interface ItemTarget {
  connection: ConnectionRecord;
  kind: ItemKind;
  id: string;
  item?: IndividualEnrollment | EnrollmentGroup;
  node?: EnrollmentNode | GroupNode;
}

export interface RegistrationTarget {
  connection: ConnectionRecord;
  id: string;
  etag?: string;
  node?: RegistrationNode;
}

function isNode(value: unknown): value is DpsTreeNode {
  return typeof value === 'object' && value !== null && typeof (value as DpsTreeNode).describe === 'function';
}

/** The clicked node plus the rest of the multi-selection, in order, without duplicates. */
export function selectedNodes(args: unknown[]): DpsTreeNode[] {
  const [first, second] = args;
  const list: DpsTreeNode[] = Array.isArray(second) && second.every(isNode) ? [...second] : isNode(first) ? [first] : [];
  if (isNode(first) && !list.includes(first)) list.unshift(first);
  return list;
}

export function itemTargetOf(node: DpsTreeNode): ItemTarget | undefined {
  if (node instanceof EnrollmentNode) return { connection: node.connection, kind: 'enrollment', id: node.itemId, item: node.enrollment, node };
  if (node instanceof GroupNode) return { connection: node.connection, kind: 'group', id: node.itemId, item: node.group, node };
  return undefined;
}

export async function pickConnection(ctx: CommandContext, arg?: unknown): Promise<ConnectionRecord> {
  if (arg instanceof ConnectionNode) return arg.connection;
  if (arg instanceof CategoryNode || arg instanceof CaCertificatesNode || arg instanceof CaCertificateNode) return arg.connection;
  const connections = ctx.store.list();
  if (connections.length === 0) throw new Error('There is no connection yet: add one or start the local emulator first.');
  if (connections.length === 1 && connections[0]) return connections[0];
  const picked = await vscode.window.showQuickPick(
    connections.map((c) => ({ label: c.label, description: `${c.hostName} · ${c.keyName}`, connection: c })),
    { placeHolder: 'Choose a DPS connection', ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.connection;
}

/** Items from the arguments, or any item by its id (typed, or picked from the first page). */
export async function resolveItemTargets(ctx: CommandContext, args: unknown[], only?: ItemKind): Promise<ItemTarget[]> {
  const fromNodes = selectedNodes(args)
    .map(itemTargetOf)
    .filter((t): t is ItemTarget => t !== undefined && (!only || t.kind === only));
  if (fromNodes.length > 0) return fromNodes;
  const connection = await pickConnection(ctx, args[0]);
  const kind = only ?? (await pickKind(args[0]));
  const client = await ctx.clients.clientFor(connection);
  const id = await askItemId(kind, (signal) => queryItems(client, kind, { pageSize: 100 }, { signal }));
  // A GET by id, not a search of a list: any item is reachable, however large the fleet.
  const item = await withProgress(`Opening "${id}"…`, async (signal) => {
    try {
      return await getItem(client, kind, id, { signal });
    } catch (error) {
      if (isDpsError(error) && error.status === 404) throw new Error(`There is no ${ITEM_KIND_FACTS[kind].singular} "${id}" on ${connection.label}. Check the id (ids are not case-sensitive).`, { cause: error });
      throw error;
    }
  });
  return [{ connection, kind, id: itemIdOf(kind, item) || id, item }];
}

/**
 * A QuickPick that accepts any typed id and suggests the service's first page while it loads in the
 * background; the user never waits for the list to type an id.
 */
export function askItemId(kind: ItemKind, firstPage: (signal: AbortSignal) => Promise<QueryPage<Item>>): Promise<string> {
  const picker = vscode.window.createQuickPick<IdChoice & vscode.QuickPickItem>();
  const controller = new AbortController();
  let suggestions: IdChoice[] = [];
  picker.title = `Open ${ITEM_KIND_FACTS[kind].singular} by id`;
  picker.placeholder = idPlaceholder(kind, 0, false);
  picker.ignoreFocusOut = true;
  picker.matchOnDescription = false;
  picker.busy = true;
  const show = (): void => {
    picker.items = choicesFor(kind, picker.value, suggestions);
  };
  firstPage(controller.signal).then(
    (page) => {
      suggestions = suggestionChoices(kind, page.items);
      picker.placeholder = idPlaceholder(kind, suggestions.length, page.continuationToken !== undefined);
      picker.busy = false;
      show();
    },
    () => {
      // Suggestions are a convenience: typing an id still works without them.
      picker.busy = false;
    },
  );
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    picker.onDidChangeValue(show);
    picker.onDidAccept(() => {
      const id = (picker.selectedItems[0]?.id ?? picker.value).trim();
      if (!id) return;
      settled = true;
      resolve(id);
      picker.hide();
    });
    picker.onDidHide(() => {
      controller.abort();
      picker.dispose();
      if (!settled) reject(new UserCancelledError());
    });
    picker.show();
  });
}

async function pickKind(arg: unknown): Promise<ItemKind> {
  if (arg instanceof CategoryNode) return arg.kind;
  // Not `kind`: QuickPickItem already has a property of that name.
  const choices: Array<vscode.QuickPickItem & { itemKind: ItemKind }> = [
    { label: 'Individual enrollment', itemKind: 'enrollment' },
    { label: 'Enrollment group', itemKind: 'group' },
  ];
  const picked = await vscode.window.showQuickPick(
    choices,
    { placeHolder: 'Which kind?', ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.itemKind;
}

export async function resolveRegistrationTargets(ctx: CommandContext, args: unknown[]): Promise<RegistrationTarget[]> {
  const fromNodes = selectedNodes(args).filter((n): n is RegistrationNode => n instanceof RegistrationNode);
  if (fromNodes.length > 0) {
    return fromNodes.map((n) => ({ connection: n.connection, id: n.itemId, ...(n.registration.etag ? { etag: n.registration.etag } : {}), node: n }));
  }
  const [group] = await resolveItemTargets(ctx, args, 'group');
  if (!group) throw new UserCancelledError();
  const client = await ctx.clients.clientFor(group.connection);
  const page = await withProgress('Loading device registrations…', (signal) =>
    client.queryRegistrationStates(group.id, { pageSize: 100 }, { signal }),
  );
  if (page.items.length === 0) throw new Error(`The enrollment group "${group.id}" has no device registrations.`);
  const picked = await vscode.window.showQuickPick(
    page.items.map((r: DeviceRegistrationState) => ({ label: r.registrationId ?? '', description: r.status, r })),
    { placeHolder: 'Choose device registrations', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) throw new UserCancelledError();
  return picked.map((p) => ({ connection: group.connection, id: p.r.registrationId ?? '', ...(p.r.etag ? { etag: p.r.etag } : {}) }));
}

/** The paged container a "Load more" or "Retry" node belongs to. */
export function pagedNodeOf(arg: unknown): PagedNode | undefined {
  if (arg instanceof LoadMoreNode || arg instanceof ErrorNode) return arg.parent;
  if (arg instanceof CategoryNode || arg instanceof GroupNode || arg instanceof CaCertificatesNode) return arg;
  return undefined;
}
