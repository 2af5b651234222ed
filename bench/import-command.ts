// The editor's Import command at scale: peak heap (and RSS) growth of the command's process while it
// imports N items (default 100,000) into an emptied emulator, for the command as the palette runs it
// (the file is over 8 MiB, so streamed: counts in the Jobs view, a report on disk) and for the
// row-per-item flow the command keeps for small files. One run each, nothing asserted.
// Run: npx tsx bench/import-command.ts [items]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../src/bulk';
import type { ImportFigures } from './import-command-worker';

const ITEMS = Number(process.argv[2] ?? 100_000);

function runWorker(emu: RunningEmulator, flow: 'command' | 'in-memory', file: string): Promise<ImportFigures> {
  const job = { flow, file, connectionString: emu.connectionString, caCertificatePem: emu.caCertificatePem };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'import-command-worker.ts')], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ImportFigures) : reject(new Error(`${flow} exited with ${code}`))));
  });
}

/** An export document as the Export command writes it (without keys), one line per item. */
function writeExport(file: string, count: number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({
      registrationId: `imported-${String(i).padStart(7, '0')}`, attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled',
      initialTwin: { tags: { line: i % 13, site: 'bench' }, properties: { desired: { interval: 30 } } }, capabilities: { iotEdge: false },
    }));
  }
  writeFileSync(file, `{"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"enrollments":[\n${lines.join(',\n')}\n],"enrollmentGroups":[]}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dps-import-command-'));
  const emu = await startEmulator({ port: 0, dataDir: dir, dataFile: null, seed: 'none' });
  try {
    const file = join(dir, 'export.json');
    writeExport(file, ITEMS);
    console.log(`Import command, ${ITEMS.toLocaleString('en-US')} items (file ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB), create into an emptied emulator, node ${process.version}`);
    console.log('flow                          time s   peak heap growth MB   peak RSS growth MB   Jobs view');
    for (const flow of ['command', 'in-memory'] as const) {
      emu.store.clear();
      const f = await runWorker(emu, flow, file);
      const label = flow === 'command' ? 'command (streamed)' : 'row per item (small files)';
      const view = `${f.countsOnly ? 'counts only' : 'every row'}: ${f.counts.done ?? 0} done, ${f.counts.failed ?? 0} failed`;
      console.log(`${label.padEnd(28)} ${(f.elapsedMs / 1000).toFixed(1).padStart(7)}   ${(f.peakHeapMb - f.baseHeapMb).toFixed(1).padStart(19)}   ${(f.peakRssMb - f.baseRssMb).toFixed(1).padStart(18)}   ${view}`);
    }
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
