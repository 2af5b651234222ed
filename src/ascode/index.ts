// Enrollments as code: desired-state files, plan, apply, drift and export, for the extension and the
// CLI alike. Plain Node: no editor API.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ItemKind } from '../dps/items';
import { parseDesiredState } from './parse';
import { computePlan, type Plan } from './plan';
import { readLiveState, type LiveClient } from './live';
import { resolveDesiredState, type ResolveOptions, type ResolvedItem } from './resolve';

export * from './format';
export { parseDesiredState } from './parse';
export { resolveDesiredState } from './resolve';
export type { ResolvedItem, ResolveOptions } from './resolve';
export { readLiveState, liveKey } from './live';
export type { LiveClient, LiveItem, LiveState, ReadLiveOptions } from './live';
export { computePlan, planHasChanges, PLAN_FORMAT, PLAN_VERSION } from './plan';
export type { FieldChange, Plan, PlanAction, PlanEntry, PlanOptions } from './plan';
export { applyPlan } from './apply';
export type { ApplyClient, ApplyOptions, ApplyOutcome, ApplyProgress, ApplyReport, AppliedItem, SettledApplyItem } from './apply';
export { desiredStateOf, exportDesiredState, formatDesiredState } from './export';
export type { DesiredStateDocument } from './export';
export { renderApplyText, renderNotInFileText, renderPlanMarkdown, renderPlanText, summariseApply, summarisePlan } from './render';
export { readPlanFile } from './planFile';

/** Reads, checks and resolves a desired-state file; throws DesiredStateError with positions. */
export async function loadDesiredState(path: string, options: ResolveOptions & { text?: string } = {}): Promise<ResolvedItem[]> {
  const text = options.text ?? (await readFile(path, 'utf8'));
  const state = parseDesiredState(text, { fileName: basename(path), baseDir: dirname(resolve(path)) });
  return resolveDesiredState(state, options);
}

export interface PlanFileOptions extends ResolveOptions {
  prune: boolean;
  operationsPerMinute?: number;
  signal?: AbortSignal;
  onProgress?: (read: number) => void;
  /** The file's current text (an unsaved editor buffer); read from disk when absent. */
  text?: string;
}

/** Reads the file and the instance and plans; the one call behind plan, apply and drift. */
export async function planDesiredStateFile(client: LiveClient, path: string, options: PlanFileOptions): Promise<{ plan: Plan; requests: number }> {
  const desired = await loadDesiredState(path, options);
  const keysFor: Array<{ kind: ItemKind; id: string }> = desired.filter((d) => d.keyValues !== undefined).map((d) => ({ kind: d.kind, id: d.id }));
  const live = await readLiveState(client, { keysFor, operationsPerMinute: options.operationsPerMinute, signal: options.signal, onProgress: options.onProgress });
  return { plan: computePlan(desired, live, { prune: options.prune, fileName: basename(path), ...(client.apiVersion !== undefined ? { apiVersion: client.apiVersion } : {}) }), requests: live.requests };
}
