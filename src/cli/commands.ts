// The CLI's commands over the libraries. Each returns its exit code; stdout gets the result (text or
// JSON), stderr progress and errors. No key reaches either, except derive-keys' own file.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  applyPlan, exportDesiredState, formatDesiredState, planDesiredStateFile, planHasChanges, readPlanFile,
  renderApplyText, renderNotInFileText, renderPlanText, summarisePlan, type ApplyReport, type Plan,
} from '../ascode';
import { deviceKeyCsv, parseRegistrationIdList, writeFileAtomic } from '../bulk';
import type { DpsClient } from '../dps/client';
import type { CliArgs } from './args';
import { CliError, EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exitCodes';
import { progressLine } from './progress';

export interface CliIo {
  out: (text: string) => void;
  env: Record<string, string | undefined>;
  connect: () => DpsClient;
}

export function requireFile(args: CliArgs, what: string): string {
  if (args.file === undefined) throw new CliError(`${args.command} needs ${what}.`);
  return args.file;
}

async function makePlan(args: CliArgs, io: CliIo, client: DpsClient, signal?: AbortSignal): Promise<Plan> {
  const file = requireFile(args, 'a desired-state file');
  if (!existsSync(file)) throw new CliError(`${file} does not exist.`);
  const progress = progressLine();
  try {
    const { plan } = await planDesiredStateFile(client, file, {
      prune: args.prune,
      operationsPerMinute: args.operationsPerMinute,
      env: io.env,
      signal,
      onProgress: (read) => progress.update(`Reading ${client.hostName}: ${read} items`),
    });
    return plan;
  } catch (error: unknown) {
    // Ctrl-C while reading the instance: nothing was planned, so nothing was sent.
    if (signal?.aborted === true) throw new CliError(`Cancelled while reading ${client.hostName} to plan ${file}; nothing was sent.`);
    throw error;
  } finally {
    progress.done();
  }
}

export async function planCommand(args: CliArgs, io: CliIo, signal?: AbortSignal): Promise<number> {
  requireFile(args, 'a desired-state file');
  const client = io.connect();
  try {
    const plan = await makePlan(args, io, client, signal);
    if (args.out !== undefined) await writeFileAtomic(args.out, JSON.stringify(plan, null, 2) + '\n');
    io.out(args.json ? JSON.stringify(plan, null, 2) + '\n' : renderPlanText(plan));
    return planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    client.dispose();
  }
}

export async function driftCommand(args: CliArgs, io: CliIo, signal?: AbortSignal): Promise<number> {
  requireFile(args, 'a desired-state file');
  const client = io.connect();
  try {
    const plan = await makePlan(args, io, client, signal);
    const drift = planHasChanges(plan);
    if (args.json) {
      const changed = plan.entries.filter((e) => e.action !== 'unchanged').map(({ kind, id, action, changes }) => ({ kind, id, action, changes }));
      // notInFile stays the count it has always been; notInFileItems names them (prune off: kept, not drift).
      io.out(JSON.stringify({ drift, hostName: plan.hostName, counts: plan.counts, changed, notInFile: plan.notInFile.length, notInFileItems: plan.notInFile }, null, 2) + '\n');
    } else {
      // Items added by hand are not drift with prune off, but they are news: listed either way.
      const head = drift ? `Drift: ${plan.hostName} no longer matches ${plan.fileName}.\n${renderPlanText(plan)}`
        : `No drift: ${plan.hostName} matches ${plan.fileName}. ${summarisePlan(plan)}\n`;
      io.out(head + renderNotInFileText(plan));
    }
    return drift ? EXIT_CHANGES : EXIT_OK;
  } finally {
    client.dispose();
  }
}

export async function applyCommand(args: CliArgs, io: CliIo, signal: AbortSignal): Promise<number> {
  if (args.plan === undefined) requireFile(args, 'a desired-state file (or --plan PLAN)');
  const client = io.connect();
  try {
    let plan: Plan;
    if (args.plan !== undefined) {
      if (args.file !== undefined) throw new CliError('Give either a desired-state file or --plan PLAN, not both.');
      plan = readPlanFile(readTextFile(args.plan), basename(args.plan));
    } else plan = await makePlan(args, io, client, signal);
    if (!planHasChanges(plan)) {
      io.out(args.json ? JSON.stringify({ plan: { counts: plan.counts }, report: null }, null, 2) + '\n' : `Nothing to apply. ${summarisePlan(plan)}\n`);
      return EXIT_OK;
    }
    if (!args.json) io.out(renderPlanText(plan));
    const progress = progressLine();
    let report: ApplyReport;
    try {
      report = await applyPlan(client, plan, {
        operationsPerMinute: args.operationsPerMinute,
        env: io.env,
        signal,
        onProgress: (p) => progress.update(`Applying (${p.phase}): ${p.settled}/${p.total}${p.failed ? `, ${p.failed} failed` : ''}`),
      });
    } finally {
      progress.done();
    }
    io.out(args.json ? JSON.stringify({ plan: { counts: plan.counts }, report }, null, 2) + '\n' : renderApplyText(report));
    return report.counts.failed + report.counts.notSent > 0 ? EXIT_ERROR : EXIT_OK;
  } finally {
    client.dispose();
  }
}

export async function exportCommand(args: CliArgs, io: CliIo): Promise<number> {
  const file = requireFile(args, 'the file to write');
  if (existsSync(file) && !args.force) throw new CliError(`${file} exists; add --force to overwrite it.`);
  const client = io.connect();
  const progress = progressLine();
  try {
    const document = await exportDesiredState(client, {
      operationsPerMinute: args.operationsPerMinute,
      onProgress: (read) => progress.update(`Reading ${client.hostName}: ${read} items`),
    });
    progress.done();
    await writeFileAtomic(file, formatDesiredState(document, file));
    const counts = { enrollments: document.enrollments.length, enrollmentGroups: document.enrollmentGroups.length };
    io.out(args.json ? JSON.stringify({ file: resolve(file), hostName: client.hostName, ...counts }, null, 2) + '\n'
      : `Wrote ${counts.enrollments} enrollments and ${counts.enrollmentGroups} enrollment groups of ${client.hostName} to ${file}.\n`);
    return EXIT_OK;
  } finally {
    progress.done();
    client.dispose();
  }
}

export async function deriveKeysCommand(args: CliArgs, io: CliIo): Promise<number> {
  if (args.groupKeyEnv === undefined) throw new CliError('derive-keys needs --group-key-env NAME: the environment variable that holds the group\'s key.');
  if (args.out === undefined) throw new CliError('derive-keys needs --out FILE: device keys are written only to a file (mode 0600), never to the terminal or a pipeline log.');
  const groupKey = io.env[args.groupKeyEnv];
  if (groupKey === undefined || groupKey === '') throw new CliError(`The environment variable ${args.groupKeyEnv} is not set.`);
  const text = [...args.ids, ...(args.idsFile !== undefined ? [readTextFile(args.idsFile)] : [])].join('\n');
  let ids: string[];
  try {
    ids = parseRegistrationIdList(text).ids;
  } catch (error: unknown) {
    throw new CliError(error instanceof Error ? error.message : 'Bad id pattern.');
  }
  if (ids.length === 0) throw new CliError('derive-keys needs registration ids: --ids dev-{0001..0100} or --ids-file FILE.');
  let result;
  try {
    result = deviceKeyCsv(groupKey.trim(), ids);
  } catch (error: unknown) {
    // The message names the problem (not base64, wrong length), never the key.
    throw new CliError(`${args.groupKeyEnv}: ${error instanceof Error ? error.message : 'not a usable group key'}`);
  }
  await writeFileAtomic(args.out, result.csv, { mode: 0o600 });
  const rejected = result.rejected.map((r) => ({ registrationId: r.registrationId, problems: r.problems.map((p) => p.message) }));
  if (args.json) io.out(JSON.stringify({ file: resolve(args.out), count: result.count, rejected }, null, 2) + '\n');
  else {
    for (const r of rejected) io.out(`! ${r.registrationId}: ${r.problems.join(' ')}\n`);
    io.out(`Wrote ${result.count} device keys to ${args.out}${rejected.length ? `; ${rejected.length} ids rejected` : ''}.\n`);
  }
  return rejected.length > 0 ? EXIT_ERROR : EXIT_OK;
}

function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new CliError(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'could not be read'}.`);
  }
}

