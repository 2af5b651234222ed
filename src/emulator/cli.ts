// Entry point of `npm run emulator` and dist/emulator.js. With --json, stdout carries exactly one
// JSON line once listening; everything else goes to stderr.
import { bindWarning } from './bindWarning';
import { CliUsageError, HELP, parseCliArgs, type CliCommand } from './cliOptions';
import { acquireLock, EmulatorAlreadyRunningError, liveLock, releaseLock } from './dataDirLock';
import { DEFAULT_DATA_DIR, startEmulator, type RunningEmulator } from './server';
import { DEFAULT_KEY_NAME } from './serviceKey';

/** Exit code of a start refused because another emulator runs on the same data folder. */
const EXIT_FOLDER_IN_USE = 3;

function banner(emu: RunningEmulator): string {
  return [
    'DPS emulator listening',
    `  URL:               ${emu.url}${emu.httpUrl ? `  (plain HTTP: ${emu.httpUrl})` : ''}`,
    `  Connection string: ${emu.connectionString}`,
    `  ID scope:          ${emu.idScope}   (device API: ${emu.url}/${emu.idScope}/registrations/{id}/register)`,
    `  CA certificate:    ${emu.caCertificatePath}   (trust it for https://localhost)`,
    `  Data:              ${emu.dataFile ?? 'in memory only'}`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`emulator: ${error.message}\nRun with --help to see the options.\n`);
      return 2;
    }
    throw error;
  }
  if (command.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // On stderr even with --quiet and --json: stdout stays the one JSON line.
  const warning = bindWarning(command.options.bindAddress);
  if (warning !== undefined) process.stderr.write(`emulator: ${warning}\n`);
  const log = command.quiet ? undefined : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // One emulator per data folder: two would overwrite each other's data file.
  const dataDir = command.options.dataDir ?? DEFAULT_DATA_DIR;
  const holder = liveLock(dataDir);
  if (holder) {
    process.stderr.write(`emulator: could not start: ${new EmulatorAlreadyRunningError(holder, dataDir).message}\n`);
    return EXIT_FOLDER_IN_USE;
  }
  let emu: RunningEmulator;
  try {
    emu = await startEmulator({ ...command.options, log });
  } catch (error) {
    process.stderr.write(`emulator: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    acquireLock(dataDir, {
      pid: process.pid, port: emu.port, url: emu.url, hostName: emu.hostName, keyName: command.options.keyName ?? DEFAULT_KEY_NAME,
      caCertificate: emu.caCertificatePath, startedAt: new Date().toISOString(),
    });
  } catch (error) {
    // Another emulator took the folder while this one started.
    await emu.stop().catch(() => undefined);
    process.stderr.write(`emulator: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FOLDER_IN_USE;
  }
  process.on('exit', () => releaseLock(dataDir));
  if (command.json) {
    process.stdout.write(JSON.stringify({ url: emu.url, connectionString: emu.connectionString, caCertificate: emu.caCertificatePath, idScope: emu.idScope }) + '\n');
  } else {
    process.stdout.write(banner(emu));
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`emulator: ${signal} again, exiting without waiting\n`);
        resolve(1);
        return;
      }
      stopping = true;
      process.stderr.write(`emulator: ${signal} received, stopping\n`);
      emu.stop().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
