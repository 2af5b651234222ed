#!/usr/bin/env node
// `npm run package`: builds production bundles into a staging folder and packs them with @vscode/vsce
// into a .vsix (what a user installs). Prints the file's size and what it holds, read from the .vsix,
// and fails (removing the .vsix) when that differs from the .vscodeignore allow-list.
//
//   npm run package                        -> ./dps-enrollments-<version>.vsix
//   npm run package -- --out path.vsix     -> elsewhere (the test run packs into .cache/test/)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertVsixMatchesAllowList } from './vsixContents.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

/** Entry names of a zip file, read from its central directory (a .vsix is a zip). */
export function zipEntries(file) {
  const buf = readFileSync(file);
  // End-of-central-directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}).`);
}

/** Builds and packs; returns the .vsix path. */
export function packageExtension({ out, log = console.log } = {}) {
  const vsix = resolve(out ?? join(repoRoot, `${manifest.name}-${manifest.version}.vsix`));
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run `npm ci` first.');
  const stage = join(repoRoot, '.cache', 'package-stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production', '--out-root', stage], repoRoot);
  // vsce reads the manifest, documents and .vscodeignore (the allow-list) from the folder it packs.
  for (const item of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'media']) {
    cpSync(join(repoRoot, item), join(stage, item), { recursive: true, filter: (src) => !src.startsWith(join(repoRoot, 'media', 'dist')) });
  }
  mkdirSync(dirname(vsix), { recursive: true });
  // Runs on the machine's Node 20 although vsce 4 declares node >= 22: packaging works there (the e2e
  // tier installs the result); --no-dependencies because the bundles carry every runtime dependency;
  // no public repository exists yet, so none is claimed.
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], stage);
  rmSync(stage, { recursive: true, force: true });
  const entries = zipEntries(vsix).filter((name) => !name.endsWith('/'));
  const shipped = entries.filter((name) => name.startsWith('extension/'));
  const bytes = statSync(vsix).size;
  const shown = relative(process.cwd(), vsix) || vsix;
  log(`${shown}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), ${entries.length} files in the zip, ${shipped.length} of them the extension's:`);
  for (const name of shipped) log(`  ${name.slice('extension/'.length)}`);
  try {
    assertVsixMatchesAllowList(entries, readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'), shown);
  } catch (error) {
    // A package with a stray file (a source map, a key from a test) must not be left to be installed.
    rmSync(vsix, { force: true });
    throw error;
  }
  return vsix;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outArg = process.argv.indexOf('--out');
  try {
    packageExtension({ out: outArg >= 0 ? process.argv[outArg + 1] : undefined });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
