// The one place that decides which Chromium the tests, benchmarks and scripts launch, and launches it.
//
// Order (DPS_BROWSER unset or `auto`): CHROME_PATH, CHROMIUM_PATH, then a system Chromium/Chrome
// (/usr/bin/chromium, …), then the Chromium shipped inside the npm package @sparticuz/chromium (a
// devDependency), unpacked once into .cache/chromium-<version>/ without root or apt.
// DPS_BROWSER=bundled forces the npm one, DPS_BROWSER=system forbids it, any other value is a path.
//
//   node --import tsx scripts/browser.ts   -> unpacks if needed, prints which browser and where
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

const repoRoot = path.resolve(__dirname, '..');

/** Flags every launch uses: no sandbox (root in CI), and no background traffic on a closed network. */
export const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

export interface BrowserChoice {
  source: 'env' | 'system' | 'bundled';
  executablePath: string;
  /** Extra environment for the browser process (the bundled one brings its own NSS libraries and fonts). */
  env: Record<string, string>;
}

export class BrowserNotFoundError extends Error {}

function bundledPackageDir(): string | undefined {
  const dir = path.join(repoRoot, 'node_modules', '@sparticuz', 'chromium');
  return existsSync(path.join(dir, 'bin', 'chromium.br')) ? dir : undefined;
}

function bundledTarget(pkgDir: string): string {
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  return path.join(repoRoot, '.cache', `chromium-${version}`);
}

function bundledChoice(dir: string): BrowserChoice {
  const libs = path.join(dir, 'lib');
  return {
    source: 'bundled',
    executablePath: path.join(dir, 'chromium'),
    env: {
      // NSS/NSPR/expat from the package (built for Amazon Linux, glibc 2.34): a machine without Debian's
      // chromium usually lacks libnss3, and these are the only libraries beyond libc the binary needs.
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: path.join(dir, 'fonts'),
    },
  };
}

/** Extracts a .tar.br from the package into `dest` (brotli in Node, tar by the system's tar). */
function untarBrotli(file: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  const r = spawnSync('tar', ['-x', '-C', dest], { input: brotliDecompressSync(readFileSync(file)), maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`Extracting ${file} failed: ${r.error?.message ?? String(r.stderr)}`);
}

/** Unpacks @sparticuz/chromium into .cache once; a temp folder and a rename keep parallel callers apart. */
function unpackBundled(pkgDir: string, target: string, log: (line: string) => void): void {
  if (existsSync(path.join(target, '.complete'))) return;
  log(`Unpacking the Chromium of @sparticuz/chromium into ${target} (one time)...`);
  const bin = path.join(pkgDir, 'bin');
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(path.join(tmp, 'chromium'), brotliDecompressSync(readFileSync(path.join(bin, 'chromium.br'))), { mode: 0o755 });
    untarBrotli(path.join(bin, 'swiftshader.tar.br'), tmp); // libGLESv2/libEGL beside the binary, where it looks
    untarBrotli(path.join(bin, 'al2023.tar.br'), tmp); // lib/: NSS, NSPR, expat
    untarBrotli(path.join(bin, 'fonts.tar.br'), path.join(tmp, 'fonts-pkg'));
    // The package's fonts.conf names Lambda folders; ours reads the system's fonts first, then its Open Sans.
    mkdirSync(path.join(tmp, 'fonts'), { recursive: true });
    writeFileSync(
      path.join(tmp, 'fonts', 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <dir>${path.join(target, 'fonts-pkg', 'fonts')}</dir>\n` +
        `  <cachedir>${path.join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    writeFileSync(path.join(tmp, '.complete'), '');
    try {
      renameSync(tmp, target);
    } catch (error) {
      // Another process finished first: use its copy.
      if (!existsSync(path.join(target, '.complete'))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function notFound(tried: string[], fix?: string): BrowserNotFoundError {
  return new BrowserNotFoundError(
    `No Chromium to launch. Tried: ${tried.join('; ')}.\n` +
      (fix ??
        'Fix: run `npm ci` (it installs the devDependency @sparticuz/chromium, which needs no root), ' +
          'or install a system one (`apt-get install chromium`), or set CHROME_PATH to a Chromium/Chrome binary.'),
  );
}

/**
 * Which Chromium to launch, unpacking the npm-provided one on first use. Throws BrowserNotFoundError
 * saying what was tried and what to do.
 */
export function resolveBrowser({ log = (line: string) => console.error(line) } = {}): BrowserChoice {
  const mode = process.env.DPS_BROWSER ?? 'auto';
  const tried: string[] = [];
  if (mode !== 'auto' && mode !== 'system' && mode !== 'bundled') {
    if (existsSync(mode)) return { source: 'env', executablePath: mode, env: {} };
    throw notFound([`DPS_BROWSER=${mode} (no such file)`], 'Fix: set DPS_BROWSER to an existing binary, or to auto, system or bundled.');
  }
  if (mode !== 'bundled') {
    for (const name of ['CHROME_PATH', 'CHROMIUM_PATH']) {
      const value = process.env[name];
      if (!value) continue;
      if (existsSync(value)) return { source: 'env', executablePath: value, env: {} };
      // An explicit choice that is wrong is an error, not a reason to quietly take another browser.
      throw notFound([`${name}=${value} (no such file)`], `Fix: point ${name} at an existing Chromium/Chrome binary, or unset it.`);
    }
    for (const p of SYSTEM_PATHS) {
      if (existsSync(p)) return { source: 'system', executablePath: p, env: {} };
    }
    tried.push(`CHROME_PATH/CHROMIUM_PATH (unset), ${SYSTEM_PATHS.join(', ')} (absent)`);
    if (mode === 'system') throw notFound(tried);
  }
  const pkgDir = bundledPackageDir();
  if (!pkgDir) {
    tried.push(`node_modules/@sparticuz/chromium (not installed${process.arch === 'x64' ? '' : `; it ships x64 Linux only, this is ${process.arch}`})`);
    throw notFound(tried);
  }
  const target = bundledTarget(pkgDir);
  unpackBundled(pkgDir, target, log);
  return bundledChoice(target);
}

/** Why no browser can be launched here, or undefined when one can (for test skips). */
export function browserUnavailableReason(): string | undefined {
  try {
    resolveBrowser({ log: () => undefined });
    return undefined;
  } catch (error) {
    if (error instanceof BrowserNotFoundError) return error.message;
    throw error;
  }
}

/** Launches the resolved Chromium headless with the project's flags. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const choice = resolveBrowser();
  return chromium.launch({
    ...options,
    executablePath: choice.executablePath,
    args: [...BROWSER_ARGS, ...(options.args ?? [])],
    env: { ...process.env, ...choice.env, ...options.env },
  });
}

if (require.main === module) {
  try {
    const choice = resolveBrowser({ log: (line) => console.log(line) });
    console.log(`browser: ${choice.executablePath} (${choice.source})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
