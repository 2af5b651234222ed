// Commands on enrollments, groups and registrations: open as JSON, enable/disable, delete, copy ids.
import * as vscode from 'vscode';
import type { ProvisioningStatus } from '../dps/models';
import type { DpsApi } from '../dps/api';
import { documentUri } from '../documents/enrollmentFileSystem';
import type { DocumentAddress } from '../documents/documentUri';
import { withPreservedKeys } from '../documents/enrollmentDocument';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import type { CommandContext } from './commandContext';
import { resolveItemTargets, resolveRegistrationTargets, selectedNodes, type ItemTarget } from './targets';
import { EnrollmentNode, RegistrationNode } from '../tree/nodes';
import { deleteItem, getItem, getItemAttestation, ITEM_KIND_FACTS, putItem, type Item } from '../dps/items';

export function addressOf(target: ItemTarget): DocumentAddress {
  return { connectionId: target.connection.id, kind: target.kind, id: target.id };
}

function noun(kind: ItemTarget['kind'], count = 1): string {
  return count === 1 ? ITEM_KIND_FACTS[kind].singular : ITEM_KIND_FACTS[kind].plural;
}

export async function openJson(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const targets = await resolveItemTargets(ctx, args);
  for (const target of targets.slice(0, 5)) {
    const address = addressOf(target);
    // Always read the service's current version when opening from the tree.
    ctx.documents.forget(address);
    const doc = await vscode.workspace.openTextDocument(documentUri(address));
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: targets.length === 1 });
  }
}

async function setStatus(ctx: CommandContext, status: ProvisioningStatus, args: unknown[]): Promise<void> {
  const targets = await resolveItemTargets(ctx, args);
  const verb = status === 'enabled' ? 'Enabling' : 'Disabling';
  await withProgress(`${verb} ${targets.length} item${targets.length === 1 ? '' : 's'}…`, async (signal) => {
    for (const target of targets) {
      if (signal.aborted) throw new UserCancelledError();
      const client = await ctx.clients.clientFor(target.connection);
      const updated = await updateStatus(client, target, status, signal);
      ctx.logger.info(`${status === 'enabled' ? 'Enabled' : 'Disabled'} ${noun(target.kind)} ${target.id}`);
      if (target.node) {
        target.node.parent.pages.replace(updated);
        ctx.tree.repaint(target.node.parent);
      }
    }
  });
}

/** Read, change one field, write back with If-Match: a concurrent edit fails with 412 instead of being lost. */
async function updateStatus(client: DpsApi, target: ItemTarget, status: ProvisioningStatus, signal: AbortSignal): Promise<Item> {
  const current = await getItem(client, target.kind, target.id, { signal });
  // Reads withhold symmetric keys; a write without them would make the service generate new ones.
  const keys = current.attestation.type === 'symmetricKey' ? await getItemAttestation(client, target.kind, target.id, { signal }) : undefined;
  const body = withPreservedKeys({ ...current, provisioningStatus: status }, keys);
  return putItem(client, target.kind, body, { ...(current.etag ? { ifMatch: current.etag } : {}), signal });
}

export const enable = (ctx: CommandContext, ...args: unknown[]) => setStatus(ctx, 'enabled', args);
export const disable = (ctx: CommandContext, ...args: unknown[]) => setStatus(ctx, 'disabled', args);

export async function deleteItems(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const targets = await resolveItemTargets(ctx, args);
  const groups = targets.filter((t) => t.kind === 'group');
  const names = targets.length <= 3 ? targets.map((t) => `"${t.id}"`).join(', ') : `${targets.length} items`;
  const buttons = groups.length > 0 ? ['Delete', 'Delete with Registrations'] : ['Delete'];
  const choice = await vscode.window.showWarningMessage(
    `Delete ${names} from the service?`,
    {
      modal: true,
      detail:
        groups.length > 0
          ? 'Devices of a deleted group can no longer provision. "Delete with Registrations" also deletes the device registration records of the groups.'
          : targets.length === 1
            ? 'The device can no longer provision through this enrollment. This cannot be undone.'
            : `The devices can no longer provision through these ${targets.length} enrollments. This cannot be undone.`,
    },
    ...buttons,
  );
  if (!choice) throw new UserCancelledError();
  const withRegistrations = choice === 'Delete with Registrations';
  await withProgress(`Deleting ${names}…`, async (signal) => {
    for (const target of targets) {
      if (signal.aborted) throw new UserCancelledError();
      const client = await ctx.clients.clientFor(target.connection);
      const etag = target.item?.etag;
      if (target.kind === 'group' && withRegistrations) {
        const count = await deleteRegistrationsOfGroup(client, target.id, signal);
        ctx.logger.info(`Deleted ${count} registration(s) of group ${target.id}`);
      }
      await deleteItem(client, target.kind, target.id, { ...(etag ? { ifMatch: etag } : {}), signal });
      ctx.logger.info(`Deleted ${noun(target.kind)} ${target.id}`);
      if (target.node) {
        target.node.parent.pages.remove(target.id);
        ctx.tree.repaint(target.node.parent);
      }
    }
  });
}

async function deleteRegistrationsOfGroup(client: DpsApi, groupId: string, signal: AbortSignal): Promise<number> {
  // Collect first, then delete: deleting while paging would shift the pages under the cursor.
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.queryRegistrationStates(groupId, { pageSize: 100, ...(token ? { continuationToken: token } : {}) }, { signal });
    ids.push(...page.items.flatMap((r) => (r.registrationId ? [r.registrationId] : [])));
    token = page.continuationToken;
  } while (token);
  for (const id of ids) await client.deleteRegistrationState(id, { signal });
  return ids.length;
}

export async function deleteRegistration(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const targets = await resolveRegistrationTargets(ctx, args);
  const names = targets.length <= 3 ? targets.map((t) => `"${t.id}"`).join(', ') : `${targets.length} registrations`;
  const choice = await vscode.window.showWarningMessage(
    `Delete the device registration ${names}?`,
    { modal: true, detail: 'The device can then provision again (it gets a fresh assignment the next time it registers).' },
    'Delete',
  );
  if (choice !== 'Delete') throw new UserCancelledError();
  await withProgress(`Deleting ${names}…`, async (signal) => {
    for (const target of targets) {
      const client = await ctx.clients.clientFor(target.connection);
      await client.deleteRegistrationState(target.id, { ...(target.etag ? { ifMatch: target.etag } : {}), signal });
      ctx.logger.info(`Deleted registration ${target.id}`);
      const owner = target.node?.parent;
      if (owner instanceof EnrollmentNode) {
        // The enrollment carries its registration: read it again so the tree shows "not registered".
        owner.parent.pages.replace(await getItem(client, 'enrollment', owner.itemId, { signal }));
        ctx.tree.repaint(owner.parent);
      } else if (owner) {
        owner.pages.remove(target.id);
        ctx.tree.repaint(owner);
      }
    }
  });
}

export async function copyId(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const registrations = selectedNodes(args).filter((n): n is RegistrationNode => n instanceof RegistrationNode);
  const ids = registrations.length > 0 ? registrations.map((r) => r.itemId) : (await resolveItemTargets(ctx, args)).map((t) => t.id);
  await vscode.env.clipboard.writeText(ids.join('\n'));
  void vscode.window.setStatusBarMessage(`Copied ${ids.length === 1 ? `"${ids[0]}"` : `${ids.length} ids`}`, 3000);
}
