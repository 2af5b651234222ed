#!/usr/bin/env node
// Runs the test tiers with node's own test runner (its summary lines are what CI reads).
// `npm test` = typecheck + lint + every tier; `npm test -- unit` (or integration, browser, e2e) = one tier.
// On a fresh clone it first runs `npm ci` (Node built-ins only until then); the browser tiers get a
// Chromium from scripts/browser.ts, and the e2e tier code-server from .cache plus a .vsix packed here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies } from './deps.mjs';

const started = Date.now();
try {
  ensureDependencies();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const tiers = ['unit', 'integration', 'browser', 'e2e'];
const asked = process.argv.slice(2).filter((a) => tiers.includes(a));
const selected = asked.length > 0 ? asked : tiers;
const full = asked.length === 0;

const runnerEnv = {};

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

let failed = 0;
if (full) {
  console.log('== typecheck'); failed |= run('npm', ['run', '--silent', 'typecheck']);
  console.log('== lint'); failed |= run('npx', ['eslint', '--max-warnings', '0', '.']);
}
// The browser and e2e tiers load the bundles, so build them first.
if (selected.some((t) => t === 'browser' || t === 'e2e')) {
  console.log('== build'); failed |= run('npm', ['run', '--silent', 'build']);
}
// Resolved (and the npm-provided Chromium unpacked) once here, not raced by parallel test files.
if (selected.some((t) => t === 'browser' || t === 'e2e')) {
  console.log('== browser'); failed |= run(process.execPath, ['--import', 'tsx', join('scripts', 'browser.ts')]);
}
// Test files run two at a time; code-server is installed and the .vsix packed once here rather than
// by each e2e file. Every e2e workbench installs that .vsix, as a user would.
if (selected.includes('e2e')) {
  try {
    console.log('== code-server');
    const { ensureCodeServer } = await import('./code-server.mjs');
    ensureCodeServer({ log: (line) => console.log(line) });
    console.log('== package');
    const { packageExtension } = await import('./package.mjs');
    runnerEnv.DPS_TEST_VSIX = packageExtension({ out: join('.cache', 'test', 'dps-enrollments.vsix') });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    failed |= 1;
  }
}
const files = selected.flatMap((t) => testFiles(join('test', t)));
if (files.length === 0) {
  console.error('no test files found for', selected.join(', '));
  process.exit(1);
}
// Each file runs in its own process, two at a time. The e2e files drive a whole workbench each and time
// out when they share this 2-core machine with the integration tier's scale tests, so they run after the
// rest, one at a time.
const isE2e = (f) => f.startsWith(join('test', 'e2e'));
const phases = [
  { files: files.filter((f) => !isE2e(f)), concurrency: 2 },
  { files: files.filter(isE2e), concurrency: 1 },
];
for (const phase of phases.filter((p) => p.files.length > 0)) {
  // --test-force-exit: a file whose clean-up failed (leaving a server or browser open) is reported and
  // ended, instead of hanging the run until CI's time limit.
  failed |= run(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${phase.concurrency}`, ...phase.files], runnerEnv);
}
console.log(`npm test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s (install and set-up included)`);
process.exit(failed ? 1 : 0);
