// kill -9 of the emulator CLI during a stream of writes: every write it acknowledged (200 for a PUT,
// 204 for a DELETE) is there after a restart. Several rounds on the same data dir, with a tiny
// compaction limit so kills also land during compactions. Bounded: a few seconds of writes per round.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import type { IndividualEnrollment } from '../../src/dps/models';
import type { RunningEmulator } from '../../src/emulator/server';
import { repoRoot } from '../support/spec';
import { request, tempDir } from '../support/emulator';

const cli = join(repoRoot, 'src', 'emulator', 'cli.ts');
const ROUNDS = 4;
const CONCURRENCY = 8;
const MIN_WRITES_PER_ROUND = 30;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function startCli(dataDir: string): Promise<{ child: ChildProcessWithoutNullStreams; emu: RunningEmulator; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--json', '--quiet', '--data-dir', dataDir, '--port', '0', '--compact-after-kb', '16'],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as { url: string; connectionString: string; caCertificate: string };
  const port = Number(new URL(info.url).port);
  const emu = { port, hostName: `localhost:${port}`, connectionString: info.connectionString, caCertificatePem: readFileSync(info.caCertificate, 'utf8') } as RunningEmulator;
  return { child, emu, stderr: () => stderr };
}

async function listedIds(emu: RunningEmulator): Promise<Set<string>> {
  const ids = new Set<string>();
  let continuation: string | undefined;
  do {
    const page = await request<IndividualEnrollment[]>(emu, { method: 'POST', path: '/enrollments/query', body: { query: '*' }, headers: continuation ? { 'x-ms-continuation': continuation } : {} });
    assert.equal(page.status, 200);
    for (const x of page.body) ids.add(x.registrationId);
    continuation = page.headers['x-ms-continuation'] as string | undefined;
  } while (continuation !== undefined);
  return ids;
}

void test('kill -9 during acknowledged writes loses none of them (several rounds, kills during compactions too)', { timeout: 180_000 }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const next = random(20240607);
  const present = new Set<string>(); // acknowledged PUTs not since deleted
  const absent = new Set<string>(); // acknowledged DELETEs
  let counter = 0;
  let acknowledged = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const { child, emu, stderr } = await startCli(dataDir);
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const listed = await listedIds(emu);
    for (const id of present) assert.ok(listed.has(id), `round ${round}: acknowledged ${id} is missing; stderr: ${stderr()}`);
    for (const id of absent) assert.ok(!listed.has(id), `round ${round}: deleted ${id} came back`);
    if (round === ROUNDS) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      break;
    }

    let killed = false;
    const writer = async () => {
      while (!killed) {
        const deleting = present.size > 0 && next() < 0.2;
        const id = deleting ? [...present][Math.floor(next() * present.size)] : `crash-${round}-${counter++}`;
        if (deleting) present.delete(id); // unknown until acknowledged
        try {
          const r = deleting
            ? await request(emu, { method: 'DELETE', path: `/enrollments/${id}` })
            : await request(emu, { method: 'PUT', path: `/enrollments/${id}`, body: { registrationId: id, attestation: { type: 'none' }, initialTwin: { tags: { pad: 'x'.repeat(200) } } } });
          if (deleting && r.status === 204) absent.add(id);
          if (!deleting && r.status === 200) present.add(id);
          acknowledged += 1;
        } catch {
          // the connection died with the process: not acknowledged
        }
      }
    };
    const writers = Array.from({ length: CONCURRENCY }, writer);
    // Kill after a random number of acknowledged writes (not a fixed time, which a loaded machine
    // fills with fewer writes), bounded in time all the same.
    const killAfter = acknowledged + MIN_WRITES_PER_ROUND + Math.floor(next() * MIN_WRITES_PER_ROUND);
    const deadline = Date.now() + 30_000;
    while (acknowledged < killAfter && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    killed = true;
    await Promise.all(writers);
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
  assert.ok(acknowledged >= ROUNDS * MIN_WRITES_PER_ROUND, `only ${acknowledged} writes were acknowledged`);
  t.diagnostic(`${acknowledged} acknowledged writes over ${ROUNDS} kills; ${present.size} items`);
});
