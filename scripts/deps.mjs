// Installs the project's npm dependencies when they are missing or older than package-lock.json, so
// `npm test` and `npm start` each work on a fresh clone. Node built-ins only: it runs before the install.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Why `npm ci` is needed, or undefined when node_modules matches package-lock.json. */
export function dependenciesStaleReason() {
  // npm rewrites node_modules/.package-lock.json on every install; older than the lock file = stale.
  const installed = join(repoRoot, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return 'node_modules is not installed';
  if (statSync(installed).mtimeMs < statSync(join(repoRoot, 'package-lock.json')).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

export function ensureDependencies({ log = console.log } = {}) {
  const reason = dependenciesStaleReason();
  if (!reason) return;
  log(`Installing dependencies with npm ci (${reason}) into ${join(repoRoot, 'node_modules')}...`);
  const r = spawnSync('npm', ['ci', '--loglevel=warn'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm ci failed (exit ${r.status ?? r.signal}); fix the error above and run the command again.`);
}
