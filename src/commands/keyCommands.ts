// Symmetric keys: fetched by the attestation-mechanism call only when asked, copied to the
// clipboard, never logged and never kept.
import * as vscode from 'vscode';
import { checkRegistrationId } from '../attestation/registrationId';
import { deriveDeviceKey as deriveKey } from '../attestation/symmetricKey';
import type { AttestationMechanism } from '../dps/models';
import { UserCancelledError } from '../common/errorPresentation';
import { withProgress } from '../ui/progress';
import type { CommandContext } from './commandContext';
import { resolveItemTargets, type ItemTarget } from './targets';
import { getItemAttestation } from '../dps/items';

async function fetchKeys(ctx: CommandContext, target: ItemTarget): Promise<{ primaryKey: string; secondaryKey?: string }> {
  const client = await ctx.clients.clientFor(target.connection);
  const mechanism: AttestationMechanism = await withProgress(`Reading the keys of ${target.id}…`, (signal) =>
    getItemAttestation(client, target.kind, target.id, { signal }),
  );
  const keys = mechanism.symmetricKey;
  if (mechanism.type !== 'symmetricKey' || !keys?.primaryKey) {
    throw new Error(`"${target.id}" uses ${mechanism.type} attestation: it has no symmetric keys.`);
  }
  ctx.logger.addSecret(keys.primaryKey);
  if (keys.secondaryKey) ctx.logger.addSecret(keys.secondaryKey);
  ctx.logger.info(`Read the symmetric keys of ${target.id}`);
  return { primaryKey: keys.primaryKey, ...(keys.secondaryKey ? { secondaryKey: keys.secondaryKey } : {}) };
}

async function single(ctx: CommandContext, args: unknown[], only?: ItemTarget['kind']): Promise<ItemTarget> {
  const [target] = await resolveItemTargets(ctx, args, only);
  if (!target) throw new UserCancelledError();
  return target;
}

export async function showKeys(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const target = await single(ctx, args);
  const keys = await fetchKeys(ctx, target);
  const items = [
    { label: 'Primary key', detail: keys.primaryKey, key: keys.primaryKey },
    ...(keys.secondaryKey ? [{ label: 'Secondary key', detail: keys.secondaryKey, key: keys.secondaryKey }] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Symmetric keys of ${target.id}`, placeHolder: 'Select a key to copy it' });
  if (!picked) return;
  await vscode.env.clipboard.writeText(picked.key);
  void vscode.window.setStatusBarMessage(`${picked.label} of "${target.id}" copied`, 3000);
}

export async function copyPrimaryKey(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const target = await single(ctx, args);
  const keys = await fetchKeys(ctx, target);
  await vscode.env.clipboard.writeText(keys.primaryKey);
  void vscode.window.setStatusBarMessage(`Primary key of "${target.id}" copied`, 3000);
}

export async function deriveDeviceKey(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const group = await single(ctx, args, 'group');
  const registrationId = await vscode.window.showInputBox({
    title: `Derive a Device Key from "${group.id}"`,
    prompt: 'Registration id of the device',
    ignoreFocusOut: true,
    validateInput: (v) => checkRegistrationId(v).find((p) => p.severity === 'error')?.message,
  });
  if (registrationId === undefined) throw new UserCancelledError();
  const keys = await fetchKeys(ctx, group);
  const deviceKey = deriveKey(keys.primaryKey, registrationId);
  ctx.logger.addSecret(deviceKey);
  await vscode.env.clipboard.writeText(deviceKey);
  ctx.logger.info(`Derived the device key of ${registrationId} from group ${group.id}`);
  void vscode.window.showInformationMessage(`The device key for "${registrationId}" (from the primary key of "${group.id}") is on the clipboard.`);
}
