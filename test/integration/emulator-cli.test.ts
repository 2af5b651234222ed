// The CLI as a user runs it: --json prints one line once listening, the server answers, SIGTERM
// stops it with exit code 0 and the data file holds what was written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { readDataFiles } from '../../src/emulator/persistence';
import type { RunningEmulator } from '../../src/emulator/server';
import { repoRoot } from '../support/spec';
import { request, tempDir } from '../support/emulator';

const cli = join(repoRoot, 'src', 'emulator', 'cli.ts');

void test('--json prints exactly one line, serves requests and exits 0 on SIGTERM with the data saved', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--json', '--data-dir', dataDir, '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (l) => lines.push(l));
  const deadline = Date.now() + 30_000;
  while (lines.length === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.equal(lines.length, 1, `no JSON line; stderr: ${stderr}`);
  const info = JSON.parse(lines[0] ?? '') as { url: string; connectionString: string; caCertificate: string };
  assert.deepEqual(Object.keys(info).sort(), ['caCertificate', 'connectionString', 'idScope', 'url']);
  const port = Number(new URL(info.url).port);
  const emu = { port, hostName: `localhost:${port}`, connectionString: info.connectionString, caCertificatePem: readFileSync(info.caCertificate, 'utf8') } as RunningEmulator;
  const created = await request(emu, { method: 'PUT', path: '/enrollments/cli-1', body: { registrationId: 'cli-1', attestation: { type: 'none' } } });
  assert.equal(created.status, 200);

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.equal(lines.length, 1, 'nothing else on stdout');
  assert.match(stderr, /PUT \/enrollments\/cli-1 200/, 'request log goes to stderr');
  assert.doesNotMatch(stderr, /SharedAccessSignature|SharedAccessKey=/, 'no secret in the log');
  const saved = await readDataFiles(join(dataDir, 'emulator-data.json'));
  assert.deepEqual(saved.enrollments.list().map((e) => e.registrationId), ['cli-1']);
});

void test('--help documents every option; a bad option exits 2 with a message', async () => {
  const help = spawn(process.execPath, ['--import', 'tsx', cli, '--help'], { cwd: repoRoot });
  let out = '';
  help.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const [helpCode] = (await once(help, 'exit')) as [number];
  assert.equal(helpCode, 0);
  for (const flag of ['--port', '--http-port', '--data-dir', '--data-file', '--memory', '--seed', '--quota', '--fault-rate', '--fault-kinds', '--json']) {
    assert.ok(out.includes(flag), `help lacks ${flag}`);
  }
  const bad = spawn(process.execPath, ['--import', 'tsx', cli, '--fault-rate', '2'], { cwd: repoRoot });
  let err = '';
  bad.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [badCode] = (await once(bad, 'exit')) as [number];
  assert.equal(badCode, 2);
  assert.match(err, /--fault-rate must be a number from 0 to 1/);
});

void test('--bind 0.0.0.0 warns on stderr that the emulator is reachable from the network; --json stdout stays one line', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--json', '--quiet', '--memory', '--bind', '0.0.0.0', '--data-dir', dataDir, '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!stdout.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  await once(child, 'exit');
  assert.match(stderr, /WARNING: the emulator listens on 0\.0\.0\.0, so it is reachable from the network.*well-known shared access key/);
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `stdout: ${stdout}`);
  assert.ok(JSON.parse(lines[0] ?? '') !== null);
  assert.doesNotMatch(stdout, /WARNING/);
});
