// Extension figures: bundle size, activate() time in a real VS Code (code-server), and the time to
// show the first page of a DPS holding 10,000 enrollments. Needs Chromium and the code-server cache
// (installed on demand). `npm run bench -- extension`
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DpsClient } from '../src/dps/client';
import { startEmulator } from '../src/emulator/server';
import { e2eSkipReason, openDpsView, openWorkbench, pickFileInDialog, answerInput, runCommand, treeRow } from '../test/support/codeServer';

const repoRoot = path.resolve(__dirname, '..');
const ENROLLMENTS = 10_000;

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function bundleSizes(): Promise<Record<string, number>> {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'ignore' });
  const dev = readFileSync(path.join(repoRoot, 'dist', 'extension.js'));
  // The published bundle is minified: build that variant to a temp file to measure it.
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'dps-bench-')), 'extension.min.js');
  await build({ entryPoints: [path.join(repoRoot, 'src', 'extension.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], minify: true });
  const min = readFileSync(out);
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { devBytes: dev.length, minifiedBytes: min.length, minifiedGzipBytes: gzipSync(min).length };
}

/** The extension logs "Activated in N ms"; VS Code writes the log channel under the user-data-dir. */
function activationFromLog(userDataDir: string): number | undefined {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.includes('dps-enrollments') && name.endsWith('.log')) files.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  for (const f of files) {
    const m = /Activated in ([\d.]+) ms/.exec(readFileSync(f, 'utf8'));
    if (m) return Number(m[1]);
  }
  return undefined;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const sizes = await bundleSizes();
  results.bundle = sizes;
  console.log(`bundle dist/extension.js: ${kb(sizes.devBytes ?? 0)} (dev build); minified ${kb(sizes.minifiedBytes ?? 0)}, gzip ${kb(sizes.minifiedGzipBytes ?? 0)}`);

  const skip = e2eSkipReason();
  if (skip) {
    console.log(`code-server figures skipped: ${skip}`);
  } else {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dps-bench-emu-'));
    const emu = await startEmulator({ port: 0, dataDir, dataFile: null, seed: 'none' });
    for (let i = 0; i < ENROLLMENTS; i++) {
      emu.store.enrollments.put({ registrationId: `device-${String(i).padStart(5, '0')}`, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'a2V5a2V5a2V5a2V5a2V5a2V5', secondaryKey: 'a2V5a2V5a2V5a2V5a2V5a2V5' } } });
    }
    const client = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem });
    let t = performance.now();
    await client.queryEnrollments({ pageSize: 50 });
    const firstPageClientMs = performance.now() - t;
    t = performance.now();
    let requests = 0;
    for await (const _page of client.listEnrollments({ pageSize: 100 })) requests++;
    const listAllMs = performance.now() - t;
    client.dispose();
    results.client = { firstPageMs: firstPageClientMs, listAll: { items: ENROLLMENTS, pageSize: 100, requests, ms: listAllMs } };
    console.log(`client: first page (50 of ${ENROLLMENTS}) ${firstPageClientMs.toFixed(0)} ms; all ${ENROLLMENTS} in ${requests} requests, ${listAllMs.toFixed(0)} ms`);

    const wb = await openWorkbench({ settings: { 'dpsEnrollments.pageSize': 50 } });
    try {
      const { page } = wb;
      t = performance.now();
      await openDpsView(page);
      await page.locator('.welcome-view-content', { hasText: 'No DPS connection yet' }).waitFor({ timeout: 60_000 });
      const viewMs = performance.now() - t;
      await runCommand(page, 'DPS: Add Connection…');
      await answerInput(page, emu.connectionString, 'SharedAccessKeyName=<policy>');
      await answerInput(page, 'bench', 'A name for this connection');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /not trusted/ });
      await toast.waitFor({ timeout: 30_000 });
      await toast.locator('.monaco-button', { hasText: 'Select CA File…' }).click();
      await pickFileInDialog(page, emu.caCertificatePath);
      t = performance.now();
      await treeRow(page, 'device-00000').waitFor({ timeout: 60_000 });
      const addToFirstPageMs = performance.now() - t;
      // Reload the window: workbench, extension activation, secret read, first query, first row.
      await runCommand(page, 'Developer: Reload Window');
      t = performance.now();
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await treeRow(page, 'device-00000').waitFor({ timeout: 60_000 });
      const reloadMs = performance.now() - t;
      const screenshot = await wb.screenshot('bench-10000-enrollments');
      results.codeServer = { openViewToWelcomeMs: viewMs, caChosenToFirstPageMs: addToFirstPageMs, reloadWindowToFirstPageMs: reloadMs, screenshot };
      console.log(`code-server: open view → welcome ${viewMs.toFixed(0)} ms (includes activation); CA chosen → connection tested, saved and first page of ${ENROLLMENTS} shown ${addToFirstPageMs.toFixed(0)} ms; reload window → first page ${reloadMs.toFixed(0)} ms`);
    } finally {
      const ud = wb.userDataDir;
      process.env.KEEP_CODE_SERVER_DATA = '1';
      await wb.close();
      const activateMs = activationFromLog(ud);
      results.activateMs = activateMs;
      console.log(`activate(): ${activateMs === undefined ? 'not found in the log' : `${activateMs.toFixed(1)} ms`} (measured inside the extension host)`);
      rmSync(path.dirname(ud), { recursive: true, force: true });
      await emu.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  mkdirSync(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(repoRoot, 'bench', 'results', 'extension.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
