// Provisioning N devices (default 1,000; BENCH_DEVICES=...) through one symmetric-key group against
// an emulator in its own process: devices per second and the emulator's memory, for src/device and
// for the official Node device SDK, side by side. Both poll as fast as the emulator allows
// (Retry-After 0; the SDK's polling interval 10 ms) with the same concurrency.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deriveDeviceKey, generateSymmetricKey } from '../src/attestation';
import { provisionDevice } from '../src/device/client';
import { parseConnectionString } from '../src/dps/connectionString';
import { createSasToken, expiryFromNow } from '../src/dps/sas';
import { sdkRegisterWithKey } from '../test/support/deviceSdk';

const N = Number(process.env.BENCH_DEVICES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 25);

interface Emulator { url: string; hostName: string; port: number; connectionString: string; caCertificatePem: string; idScope: string; pid: number; stop(): void }

async function startEmulatorProcess(): Promise<Emulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'emulator', 'cli.ts'), '--json', '--memory', '--quiet', '--device-retry-after', '0',
    '--data-dir', join(tmpdir(), 'dps-bench-device')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const info = JSON.parse(line) as { url: string; connectionString: string; caCertificate: string; idScope: string };
  const port = Number(new URL(info.url).port);
  return { ...info, hostName: `localhost:${port}`, port, caCertificatePem: readFileSync(info.caCertificate, 'utf8'), pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

function putGroup(emu: Emulator, groupId: string, key: string): Promise<void> {
  const cs = parseConnectionString(emu.connectionString);
  const body = JSON.stringify({ enrollmentGroupId: groupId, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: generateSymmetricKey() } } });
  return new Promise((resolve, reject) => {
    const req = https.request(`${emu.url}/enrollmentGroups/${groupId}?api-version=2021-10-01`, {
      method: 'PUT', ca: emu.caCertificatePem,
      headers: { 'content-type': 'application/json', authorization: createSasToken({ resourceUri: cs.hostName, keyName: cs.sharedAccessKeyName, key: cs.sharedAccessKey, expiry: expiryFromNow() }) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT group: ${res.statusCode ?? 0}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(label: string, emu: Emulator, register: (id: string) => Promise<unknown>): Promise<void> {
  const before = rssMb(emu.pid);
  let next = 0;
  let failures = 0;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(emu.pid))), 100);
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) {
      const id = `${label.replace(/[^a-z0-9-]/gi, '-')}-${next++}`;
      await register(id).catch(() => (failures += 1));
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  console.log(`${label.padEnd(12)} ${String(N).padStart(6)} devices  ${(N / seconds).toFixed(0).padStart(5)} devices/s  ${seconds.toFixed(1).padStart(6)} s  failures ${failures}  emulator RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB`);
}

void (async () => {
  const emu = await startEmulatorProcess();
  try {
    const groupKey = generateSymmetricKey();
    await putGroup(emu, 'bench-group', groupKey);
    console.log(`provisioning through a symmetric-key group, concurrency ${CONCURRENCY}, emulator pid ${emu.pid}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
    await run('src/device', emu, (id) => provisionDevice({ host: emu.hostName, ca: emu.caCertificatePem, idScope: emu.idScope, registrationId: id, credential: { kind: 'groupKey', groupKey } }));
    await run('device-sdk', emu, (id) => sdkRegisterWithKey(emu, id, deriveDeviceKey(groupKey, id), undefined, 10));
  } finally {
    emu.stop();
  }
})();
