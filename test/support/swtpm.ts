// A software TPM (swtpm, socket mode, TPM 2.0) on loopback ports in a temp state dir, for tests.
// `startSwtpm()` resolves undefined when swtpm or tpm2-tools are not installed, so tests can skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningSwtpm {
  tcti: string;
  stop(): Promise<void>;
}

export const SWTPM_MISSING = 'swtpm and tpm2-tools are not installed (apt-get install swtpm swtpm-tools tpm2-tools); TPM tests skipped.';

export function swtpmAvailable(): boolean {
  return ['swtpm', 'tpm2_createek', 'tpm2_activatecredential'].every((tool) => spawnSync('which', [tool]).status === 0);
}

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}

/** The swtpm TCTI expects the control channel on the next port: find a free pair. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await listenOn(0);
    if (port !== undefined && port < 65535 && (await listenOn(port + 1)) !== undefined) return port;
  }
  throw new Error('No two adjacent free loopback ports for swtpm.');
}

export async function startSwtpm(): Promise<RunningSwtpm | undefined> {
  if (!swtpmAvailable()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'swtpm-'));
  const port = await freePortPair();
  const ctrl = port + 1;
  const child: ChildProcess = spawn('swtpm', [
    'socket', '--tpm2', '--tpmstate', `dir=${dir}`,
    '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
    '--flags', 'not-need-init,startup-clear',
  ], { stdio: 'ignore' });
  const tcti = `swtpm:host=127.0.0.1,port=${port}`;
  for (let i = 0; i < 50; i++) {
    if (spawnSync('tpm2_getrandom', ['-T', tcti, '4', '--hex']).status === 0) break;
    await sleep(100);
  }
  return {
    tcti,
    async stop() {
      child.kill('SIGTERM');
      await sleep(50);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
