// Extension start without an editor: bundle size, the heaviest inputs of the bundle, and the time
// to require the minified dist/extension.js and run activate() against a stand-in `vscode` module
// (every API a no-op). Each measurement runs in a fresh node process; the median of RUNS is printed.
// Figures only, nothing asserted. For activation inside a real VS Code see bench/extension.ts.
//   npx tsx bench/startup.ts          (STARTUP_RUNS=N for another number of runs)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const repoRoot = path.resolve(__dirname, '..');
const RUNS = Number(process.env.STARTUP_RUNS ?? 7);

// Runs in the child: a `vscode` whose every member is a callable, constructible no-op (promises of
// it resolve to undefined), a context with real storage shapes, then require + activate timed.
const CHILD = String.raw`
const Module = require('node:module');
const stub = () => {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === Symbol.iterator) return function* () {};
      if (!cache.has(prop)) cache.set(prop, stub());
      return cache.get(prop);
    },
    apply: () => stub(),
    construct: () => stub(),
  });
};
// esbuild's ESM interop copies the module's own keys: list the API's top-level names (from @types/vscode).
const names = process.argv[4].split(',');
const members = new Map();
const vscode = new Proxy({}, {
  get: (_t, prop) => {
    if (typeof prop !== 'string' || !names.includes(prop)) return undefined;
    if (!members.has(prop)) members.set(prop, stub());
    return members.get(prop);
  },
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_t, prop) => (names.includes(prop) ? { configurable: true, enumerable: true, get: () => vscode[prop] } : undefined),
});
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const memory = () => { const m = new Map(); return { get: (k) => m.get(k), update: (k, v) => { m.set(k, v); return Promise.resolve(); }, keys: () => [...m.keys()], setKeysForSync() {} }; };
const secrets = { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: () => ({ dispose() {} }) };
const dir = process.argv[3];
const context = { subscriptions: [], extensionPath: dir, extensionUri: { fsPath: dir, path: dir, scheme: 'file' }, globalStorageUri: { fsPath: dir, path: dir, scheme: 'file' },
  globalState: memory(), workspaceState: memory(), secrets, extensionMode: 1, logUri: { fsPath: dir } };
const cpuMs = (u) => (u.user + u.system) / 1000;
const c0 = process.cpuUsage();
const t0 = performance.now();
const extension = require(process.argv[2]);
const t1 = performance.now();
const c1 = process.cpuUsage();
extension.activate(context);
const t2 = performance.now();
const c2 = process.cpuUsage();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, requireCpuMs: cpuMs(c1) - cpuMs(c0), activateMs: t2 - t1, activateCpuMs: cpuMs(c2) - cpuMs(c1), heapMb: process.memoryUsage().heapUsed / 2 ** 20 }));
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dps-startup-'));
  try {
    const out = path.join(dir, 'extension.js');
    // The published bundle's options (scripts/build.mjs, production).
    const result = await build({
      entryPoints: [path.join(repoRoot, 'src', 'extension.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      external: ['vscode'], define: { navigator: 'undefined' }, alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' }, minify: true, metafile: true, logLevel: 'silent',
    });
    const bytes = readFileSync(out);
    console.log(`dist/extension.js (minified): ${(bytes.length / 1024).toFixed(1)} KiB, gzip ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB`);
    const byPackage = new Map<string, number>();
    for (const [input, facts] of Object.entries(result.metafile.outputs[path.relative(process.cwd(), out)]?.inputs ?? {})) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = m ? m[1] : input.startsWith('src/') ? `src/${input.split('/')[1]}` : input;
      byPackage.set(name, (byPackage.get(name) ?? 0) + facts.bytesInOutput);
    }
    const heaviest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`heaviest inputs: ${heaviest.map(([n, b]) => `${n} ${(b / 1024).toFixed(0)} KiB`).join(', ')}`);

    const typings = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
    const apiNames = [...new Set([...typings.matchAll(/^\s+export (?:namespace|class|enum|const|function|let) (\w+)/gm)].map((m) => m[1] ?? ''))];
    const childFile = path.join(dir, 'child.cjs');
    writeFileSync(childFile, CHILD);
    type Run = { requireMs: number; requireCpuMs: number; activateMs: number; activateCpuMs: number; heapMb: number };
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const text = spawnSync(process.execPath, [childFile, out, dir, apiNames.join(',')], { encoding: 'utf8' });
      if (text.status !== 0) throw new Error(`activate in the stand-in failed: ${text.stderr.split('\n').filter((l) => /^\w*Error|^ {4}at /.test(l)).slice(0, 4).join(' | ').slice(0, 600)}`);
      runs.push(JSON.parse(text.stdout) as Run);
    }
    const ms = (pick: (r: Run) => number): string => median(runs.map(pick)).toFixed(1);
    console.log(`require ${ms((r) => r.requireMs)} ms (CPU ${ms((r) => r.requireCpuMs)} ms), activate ${ms((r) => r.activateMs)} ms (CPU ${ms((r) => r.activateCpuMs)} ms), heap after ${ms((r) => r.heapMb)} MB` +
      ` (median of ${RUNS} fresh processes, stand-in vscode)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
