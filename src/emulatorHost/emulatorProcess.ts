// Runs the bundled emulator (dist/emulator.js) as a child process and waits for the one JSON line
// it prints once listening: {"url","connectionString","caCertificate"}. A child process keeps the
// emulator's work and any crash out of the extension host.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface EmulatorLaunchOptions {
  /** Path of dist/emulator.js. */
  scriptPath: string;
  dataDir: string;
  port: number;
  seedDemo: boolean;
  /** Node executable; the extension host's own (with ELECTRON_RUN_AS_NODE on desktop). */
  nodePath?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface EmulatorProcess {
  url: string;
  connectionString: string;
  caCertificatePath: string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

interface ReadyLine {
  url: string;
  connectionString: string;
  caCertificate: string;
}

function parseReadyLine(line: string): ReadyLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('The emulator printed something other than its JSON start line.');
  }
  const v = value as Partial<ReadyLine>;
  if (typeof v.url !== 'string' || typeof v.connectionString !== 'string' || typeof v.caCertificate !== 'string') {
    throw new Error('The emulator start line lacks url, connectionString or caCertificate.');
  }
  return { url: v.url, connectionString: v.connectionString, caCertificate: v.caCertificate };
}

/**
 * Runs the emulator script with a watchdog: when the extension host dies without deactivating
 * (a killed editor), our end of the stdin pipe closes and the emulator gets SIGTERM, so it stops
 * cleanly (flushing its data file) instead of living on as an orphan.
 */
const WATCHDOG = [
  "process.stdin.on('close', () => process.kill(process.pid, 'SIGTERM'));",
  'process.stdin.resume();',
  'const script = process.argv[1];',
  'process.argv = [process.argv[0], script, ...process.argv.slice(2)];',
  'require(script);',
].join('');

export function startEmulatorProcess(options: EmulatorLaunchOptions): Promise<EmulatorProcess> {
  const args = ['-e', WATCHDOG, options.scriptPath, '--json', '--port', String(options.port), '--data-dir', options.dataDir, '--seed', options.seedDemo ? 'demo' : 'none'];
  const child: ChildProcess = spawn(options.nodePath ?? process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const stderrTail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      options.log?.(line);
    });
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<EmulatorProcess>((resolve, reject) => {
    const timeout = setTimeout(() => {
      void stop();
      reject(new Error(`The local emulator did not start within ${(options.startTimeoutMs ?? 30000) / 1000} s.`));
    }, options.startTimeoutMs ?? 30000);
    child.once('error', (error) => {
      clearTimeout(timeout);
      reject(new Error(`Could not run the local emulator: ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`The local emulator exited (code ${code}) before it was ready. ${stderrTail.slice(-3).join(' ')}`.trim()));
    });
    if (!child.stdout) return;
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timeout);
      try {
        const ready = parseReadyLine(line);
        resolve({ url: ready.url, connectionString: ready.connectionString, caCertificatePath: ready.caCertificate, exited, stop });
      } catch (error) {
        void stop();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
