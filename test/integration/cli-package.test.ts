// The CLI as a pipeline gets it: `npm run package:cli` packs the production bundles, npm installs the
// .tgz offline into an empty prefix (it declares no dependencies), and the installed `dps-enrollments`
// exports, plans and drifts against the emulator with a connection string, and with an Entra token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorTokenProvider } from '../../src/azure/tokenSources';
import { DPS_ENTRA_SCOPE } from '../../src/dps/auth';
import { DpsClient } from '../../src/dps/client';
import { runProgram, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let work: string;
let bin: string;
let installed: string;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none' });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  await client.createOrUpdateEnrollment({ registrationId: 'pkg-1', attestation: { type: 'symmetricKey' } });
  const out = tempDir('cli-package-');
  work = tempDir('cli-package-work-');
  const prefix = tempDir('cli-package-prefix-');
  // Imported here: the script is ESM and builds into the repository's .cache.
  const { packageCli } = (await import(join(__dirname, '..', '..', 'scripts', 'package-cli.mjs'))) as { packageCli: (o: { outDir: string; log: () => void }) => string };
  const tgz = packageCli({ outDir: out, log: () => undefined });
  execFileSync('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tgz], { stdio: 'pipe' });
  bin = join(prefix, 'bin', 'dps-enrollments');
  installed = join(prefix, 'lib', 'node_modules', 'dps-enrollments-cli');
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const run = (args: string[], env: Record<string, string>): Promise<CliRun> =>
  runProgram(bin, args, { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: work, ...env } });

void describe('the packaged CLI', () => {
  void test('installs with its two bundles and nothing else', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies?: unknown };
    assert.deepEqual(manifest.bin, { 'dps-enrollments': 'cli.js' });
    assert.equal(manifest.dependencies, undefined, 'the bundles carry their dependencies');
    assert.ok(existsSync(join(installed, 'cli-identity.js')));
    assert.equal(existsSync(join(installed, 'node_modules')), false);
  });

  void test('export, plan and drift against the emulator with a connection string', async () => {
    const env = { DPS_CONNECTION_STRING: emulator.emu.connectionString };
    const ca = ['--ca', emulator.emu.caCertificatePath];
    const exported = await run(['export', 'fleet.dps.json', ...ca], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(readFileSync(join(work, 'fleet.dps.json'), 'utf8'), /"registrationId": "pkg-1"/);
    const unchanged = await run(['plan', 'fleet.dps.json', ...ca], env);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    const doc = JSON.parse(readFileSync(join(work, 'fleet.dps.json'), 'utf8')) as { enrollments: Array<Record<string, unknown>> };
    doc.enrollments[0].provisioningStatus = 'disabled';
    writeFileSync(join(work, 'fleet.dps.json'), JSON.stringify(doc, null, 2));
    const edited = await run(['plan', 'fleet.dps.json', ...ca], env);
    assert.equal(edited.code, 2, edited.stderr);
    assert.match(edited.stdout, /pkg-1/);
    doc.enrollments[0].x = 1;
    writeFileSync(join(work, 'fleet.dps.json'), JSON.stringify(doc, null, 2));
    const bad = await run(['plan', 'fleet.dps.json', ...ca], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /fleet\.dps\.json:\d+:\d+: Unknown field "x"/);
  });

  void test('--auth entra loads the identity bundle beside it and uses a token from DPS_ACCESS_TOKEN', async () => {
    const token = (await emulatorTokenProvider({ hostName: emulator.emu.hostName, ca: emulator.emu.caCertificatePem }, DPS_ENTRA_SCOPE)()).token;
    writeFileSync(join(work, 'entra.dps.json'), JSON.stringify({ version: 1, enrollments: [{ registrationId: 'pkg-1', attestation: { type: 'symmetricKey', keys: 'keep' } }] }));
    const drift = await run(['drift', 'entra.dps.json', '--auth', 'entra', '--host', emulator.emu.hostName, '--ca', emulator.emu.caCertificatePath], { DPS_ACCESS_TOKEN: token });
    assert.equal(drift.code, 0, drift.stderr);
    assert.match(drift.stdout, /No drift/);
    // Without a token the sidecar's DefaultAzureCredential is loaded; with nothing configured it says so.
    const none = await run(['drift', 'entra.dps.json', '--auth', 'entra', '--host', emulator.emu.hostName, '--ca', emulator.emu.caCertificatePath], {});
    assert.equal(none.code, 1);
    assert.doesNotMatch(none.stderr, /Cannot find module/);
  });
});
