// Entry point of the `dps-enrollments` command (dist/cli.js). Exit codes: 0 no changes or success,
// 2 changes planned or drift found, 1 error. Errors are one readable message on stderr (and with
// --json also a JSON object on stdout); never a stack trace, never a secret.
import { DesiredStateError } from '../ascode';
import { DpsError } from '../dps/errors';
import { HELP, parseCliArgs, type CliArgs } from './args';
import {
  applyCommand, deriveKeysCommand, driftCommand, exportCommand, planCommand, type CliIo,
} from './commands';
import { importCommand } from './import';
import { connect } from './connect';
import { provisionTestDeviceCommand } from './provision';
import { DeviceProvisioningError } from '../device/errors';
import { howToFix } from '../device/report';
import { CliError, EXIT_ERROR, EXIT_OK } from './exitCodes';

async function run(argv: readonly string[], signal: AbortSignal): Promise<number> {
  let args: CliArgs | undefined;
  try {
    args = parseCliArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(HELP);
      return EXIT_OK;
    }
    const a = args;
    const io: CliIo = { out: (text) => process.stdout.write(text), env: process.env, connect: () => connect({ auth: a.auth, ca: a.ca, host: a.host, apiVersion: a.apiVersion, env: process.env }) };
    switch (a.command) {
      case 'plan': return await planCommand(a, io, signal);
      case 'drift': return await driftCommand(a, io, signal);
      case 'apply': return await applyCommand(a, io, signal);
      case 'export': return await exportCommand(a, io);
      case 'import': return await importCommand(a, io, signal);
      case 'derive-keys': return await deriveKeysCommand(a, io);
      case 'provision-test-device': return await provisionTestDeviceCommand(a, io, signal);
      default: return EXIT_ERROR;
    }
  } catch (error: unknown) {
    const message = describe(error);
    process.stderr.write(`dps-enrollments: ${message}\n`);
    if (args?.json === true) {
      const problems = error instanceof DesiredStateError ? error.problems.map((p) => ({ file: error.fileName, ...p.position, message: p.message })) : undefined;
      const device = error instanceof DeviceProvisioningError
        ? { registrationId: error.details.registrationId, kind: error.kind, status: error.status, errorCode: error.errorCode, trackingId: error.trackingId }
        : undefined;
      const details = error instanceof CliError ? error.details : undefined;
      process.stdout.write(JSON.stringify({ error: message, ...details, ...(problems ? { problems } : {}), ...(device ? { device } : {}) }, null, 2) + '\n');
    }
    return EXIT_ERROR;
  }
}

function describe(error: unknown): string {
  if (error instanceof DesiredStateError) return `${error.problems.length} problem(s) in the desired-state file:\n${error.message}`;
  if (error instanceof DpsError) {
    const status = error.status !== undefined ? `HTTP ${error.status}` : error.kind;
    return `${error.operation} failed (${status}${error.errorCode ? `, ${error.errorCode}` : ''}): ${error.message}${error.trackingId ? ` [tracking id ${error.trackingId}]` : ''}`;
  }
  if (error instanceof DeviceProvisioningError) {
    const codes = [error.status !== undefined ? `HTTP ${error.status}` : error.kind, ...(error.errorCode !== undefined ? [String(error.errorCode)] : [])].join(', ');
    const who = error.details.registrationId !== undefined ? `${error.details.registrationId} was not provisioned` : 'Not provisioned';
    return `${who} (${codes}): ${error.message}${error.trackingId ? ` [tracking id ${error.trackingId}]` : ''}\n${howToFix(error)}`;
  }
  if (error instanceof CliError) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'Cancelled.';
  // Our libraries' own errors carry no secret; anything else is reported by its message only.
  return error instanceof Error ? error.message : String(error);
}

const controller = new AbortController();
// First Ctrl-C: stop sending and report what was and was not done; second: leave at once.
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ndps-enrollments: cancelling; items not yet sent are reported as not sent (Ctrl-C again to quit now)\n');
  controller.abort();
});

run(process.argv.slice(2), controller.signal).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dps-enrollments: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_ERROR;
  },
);
