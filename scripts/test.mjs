#!/usr/bin/env node
// Runs the test tiers with node's own test runner (its summary lines are what CI reads).
// `npm test` = typecheck + lint + every tier; `npm test -- unit` (or integration, browser, e2e) = one tier.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const tiers = ['unit', 'integration', 'browser', 'e2e'];
const asked = process.argv.slice(2).filter((a) => tiers.includes(a));
const selected = asked.length > 0 ? asked : tiers;
const full = asked.length === 0;

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
// Test files run two at a time; code-server is installed once here rather than raced by each e2e file.
if (selected.includes('e2e')) {
  console.log('== code-server');
  const { ensureCodeServer } = await import('./code-server.mjs');
  try {
    ensureCodeServer({ log: (line) => console.log(line) });
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
// One runner process for all tiers so CI sees one summary; each file still runs in its own process.
failed |= run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
process.exit(failed ? 1 : 0);
