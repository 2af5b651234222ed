// The dps-enrollments CLI run as a user runs it: `node --import tsx src/cli/main.ts …` in a child
// process (the same code esbuild bundles to dist/cli.js), in a working directory of the test's.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
// The working directory is a temp folder, so tsx is named by path.
const TSX = pathToFileURL(require.resolve('tsx')).href;

export interface CliOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** The running process, for a test that signals it (Ctrl-C). */
  onSpawn?: (child: ChildProcess) => void;
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return runProgram(process.execPath, ['--import', TSX, MAIN, ...args], { ...options, env: { ...process.env, ...options.env } });
}

/** Any program (an installed `dps-enrollments`, say) with exactly the environment given, its output captured. */
export function runProgram(command: string, args: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
