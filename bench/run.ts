// `npm run bench`: every benchmark in turn, each in its own process, output as it comes.
// `npm run bench -- dps` runs the ones whose file name contains "dps".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
const skip = new Set(['run.ts', 'dps-worker.ts', 'import-command-worker.ts']);
const scripts = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !skip.has(f) && f.includes(filter))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, script)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
