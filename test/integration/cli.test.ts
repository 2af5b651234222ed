// The dps-enrollments CLI run as a user runs it (`node --import tsx src/cli/main.ts …` in a child
// process, the same code esbuild bundles to dist/cli.js) against the emulator: every command, its
// text and --json output, and its exit code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveDeviceKey, generateSymmetricKey } from '../../src/attestation';
import { DpsClient } from '../../src/dps/client';
import { runCli, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;
let env: Record<string, string>;

const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> => runCli(args, { cwd: dir, env: { ...env, ...extraEnv } });

before(async () => {
  emulator = await startTestEmulator();
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('ascode-cli-');
  env = { DPS_CONNECTION_STRING: emulator.emu.connectionString };
  await client.createOrUpdateEnrollment({ registrationId: 'cli-1', attestation: { type: 'symmetricKey' } });
  await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'cli-group', attestation: { type: 'symmetricKey' } });
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const ca = () => ['--ca', emulator.emu.caCertificatePath];

void describe('dps-enrollments CLI against the emulator', () => {
  void test('export writes the file; plan and drift of it exit 0', async () => {
    const exported = await cli(['export', 'state.dps.json', ...ca()]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Wrote 1 enrollments and 1 enrollment groups of .* to state\.dps\.json\./);
    const file = readFileSync(join(dir, 'state.dps.json'), 'utf8');
    assert.match(file, /"keys": "keep"/);
    assert.equal((await cli(['export', 'state.dps.json', ...ca()])).code, 1, 'no overwrite without --force');

    const plan = await cli(['plan', 'state.dps.json', ...ca()]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /0 to create, 0 to update, 0 to delete, 2 unchanged\./);
    const drift = await cli(['drift', 'state.dps.json', '--json', ...ca()]);
    assert.equal(drift.code, 0);
    assert.equal((JSON.parse(drift.stdout) as { drift: boolean }).drift, false);
  });

  void test('an edit: plan exits 2 (text and --json), apply exits 0, then drift exits 0', async () => {
    const doc = JSON.parse(readFileSync(join(dir, 'state.dps.json'), 'utf8')) as { enrollments: Array<Record<string, unknown>> };
    doc.enrollments[0].provisioningStatus = 'disabled';
    doc.enrollments.push({ registrationId: 'cli-2', attestation: { type: 'none' } });
    writeFileSync(join(dir, 'edited.dps.json'), JSON.stringify(doc, null, 2));

    const plan = await cli(['plan', 'edited.dps.json', ...ca(), '--out', 'plan.json']);
    assert.equal(plan.code, 2);
    assert.match(plan.stdout, /\+ individual enrollment cli-2 \(line \d+\)/);
    assert.match(plan.stdout, /~ individual enrollment cli-1 \(line \d+\)\n {4}provisioningStatus: disabled\n/);
    assert.match(plan.stdout, /1 to create, 1 to update, 0 to delete, 1 unchanged\./);
    const json = await cli(['plan', 'edited.dps.json', '--json', ...ca()]);
    assert.equal(json.code, 2);
    const parsed = JSON.parse(json.stdout) as { counts: Record<string, number>; entries: Array<{ id: string; etag?: string }> };
    assert.deepEqual(parsed.counts, { create: 1, update: 1, delete: 0, unchanged: 1 });
    assert.ok(parsed.entries.find((e) => e.id === 'cli-1')?.etag);

    const driftBefore = await cli(['drift', 'edited.dps.json', ...ca()]);
    assert.equal(driftBefore.code, 2);
    assert.match(driftBefore.stdout, /^Drift: /);

    const apply = await cli(['apply', '--plan', 'plan.json', '--json', ...ca()]);
    assert.equal(apply.code, 0, apply.stderr);
    const report = (JSON.parse(apply.stdout) as { report: { counts: Record<string, number> } }).report;
    assert.deepEqual(report.counts, { done: 2, failed: 0, notSent: 0 });
    assert.equal((await client.getEnrollment('cli-1')).provisioningStatus, 'disabled');
    const drift = await cli(['drift', 'edited.dps.json', ...ca()]);
    assert.equal(drift.code, 0);
    assert.match(drift.stdout, /^No drift: /);
    assert.equal(apply.stderr, '', 'no progress on a non-terminal stderr');
  });

  void test('apply of a saved plan after someone else changed the item: reported, not overwritten, exit 1', async () => {
    const doc = JSON.parse(readFileSync(join(dir, 'edited.dps.json'), 'utf8')) as { enrollments: Array<Record<string, unknown>> };
    doc.enrollments[0].initialTwin = { tags: { owner: 'pipeline' } };
    writeFileSync(join(dir, 'race.dps.json'), JSON.stringify(doc, null, 2));
    assert.equal((await cli(['plan', 'race.dps.json', ...ca(), '--out', 'race-plan.json'])).code, 2);
    const current = await client.getEnrollment('cli-1');
    await client.createOrUpdateEnrollment({ ...current, attestation: await client.getEnrollmentAttestation('cli-1'), initialTwin: { tags: { owner: 'someone-else' } } }, { ifMatch: current.etag });
    const apply = await cli(['apply', '--plan', 'race-plan.json', ...ca()]);
    assert.equal(apply.code, 1);
    assert.match(apply.stdout, /! individual enrollment cli-1: update failed \(412\d{3}\): Changed on the service since the plan was made/);
    assert.match(apply.stdout, /plan again and apply to finish/);
    assert.deepEqual((await client.getEnrollment('cli-1')).initialTwin?.tags, { owner: 'someone-else' });
    // Resume = plan again and apply: the file wins now that the other change has been seen.
    const again = await cli(['apply', 'race.dps.json', ...ca()]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual((await client.getEnrollment('cli-1')).initialTwin?.tags, { owner: 'pipeline' });
  });

  void test('prune: off keeps items not in the file, on deletes them', async () => {
    const doc = JSON.parse(readFileSync(join(dir, 'race.dps.json'), 'utf8')) as { enrollments: Array<Record<string, unknown>> };
    doc.enrollments = doc.enrollments.filter((e) => e.registrationId !== 'cli-2');
    writeFileSync(join(dir, 'pruned.dps.json'), JSON.stringify(doc, null, 2));
    const off = await cli(['plan', 'pruned.dps.json', ...ca()]);
    assert.equal(off.code, 0);
    assert.match(off.stdout, /1 on the service but not in the file \(kept: prune is off\)/);
    const on = await cli(['apply', 'pruned.dps.json', '--prune', ...ca()]);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /- individual enrollment cli-2: deleted/);
    await assert.rejects(client.getEnrollment('cli-2'), /not found|404|does not exist/i);
  });

  void test('a bad file: exit 1 with file:line:column, as text and --json', async () => {
    writeFileSync(join(dir, 'bad.dps.json'), '{\n  "version": 1,\n  "enrollments": [\n    { "registrationId": "x", "attestation": { "type": "symmetricKey", "keys": "c2VjcmV0c2VjcmV0" } }\n  ]\n}\n');
    const text = await cli(['plan', 'bad.dps.json', ...ca()]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /bad\.dps\.json:4:79: "keys" must be "generate", "keep"/);
    assert.ok(!text.stderr.includes('c2VjcmV0c2VjcmV0'), 'a pasted key is not echoed');
    writeFileSync(join(dir, 'syntax.dps.json'), '{\n  "version": 1\n  "enrollments": []\n}\n');
    const json = await cli(['plan', 'syntax.dps.json', '--json', ...ca()]);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { problems: Array<{ line: number; column: number; message: string }> };
    assert.deepEqual(body.problems.map((p) => [p.line, p.column, p.message]), [[3, 3, 'JSON syntax: comma expected.']]);
  });

  void test('import creates the items of an extension export; existing ones fail per item, exit 1', async () => {
    const exportDoc = {
      format: 'dps-enrollments-export', version: 1, exportedAtUtc: new Date().toISOString(), sourceHost: 'x', keysIncluded: false,
      enrollments: [{ registrationId: 'imp-1', attestation: { type: 'none' } }, { registrationId: 'cli-1', attestation: { type: 'none' } }],
      enrollmentGroups: [],
    };
    writeFileSync(join(dir, 'export.json'), JSON.stringify(exportDoc));
    const run = await cli(['import', 'export.json', '--json', ...ca()]);
    assert.equal(run.code, 1);
    const body = JSON.parse(run.stdout) as { kinds: Array<{ counts: Record<string, number> }>; failedSample: Array<{ id: string; errorCode?: number }> };
    assert.deepEqual(body.kinds.map((k) => k.counts), [{ done: 1, failed: 1, notSent: 0, invalid: 0 }]);
    assert.equal(body.failedSample.find((i) => i.id === 'cli-1')?.errorCode, 409201);
    assert.equal((await client.getEnrollment('imp-1')).registrationId, 'imp-1');
  });

  void test('derive-keys writes device keys to a 0600 file only, never to stdout', async () => {
    const groupKey = generateSymmetricKey();
    const run = await cli(['derive-keys', '--group-key-env', 'GROUP_KEY', '--ids', 'dev-{01..03}', '--out', 'keys.csv'], { GROUP_KEY: groupKey });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Wrote 3 device keys to keys.csv.\n');
    const csv = readFileSync(join(dir, 'keys.csv'), 'utf8');
    assert.ok(csv.includes(`dev-02,${deriveDeviceKey(groupKey, 'dev-02')}`));
    assert.equal(statSync(join(dir, 'keys.csv')).mode & 0o777, 0o600);
    const noOut = await cli(['derive-keys', '--group-key-env', 'GROUP_KEY', '--ids', 'a'], { GROUP_KEY: groupKey });
    assert.equal(noOut.code, 1);
    assert.match(noOut.stderr, /needs --out FILE/);
    const badKey = await cli(['derive-keys', '--group-key-env', 'GROUP_KEY', '--ids', 'a', '--out', 'k.csv'], { GROUP_KEY: 'not a key!' });
    assert.equal(badKey.code, 1);
    assert.ok(!badKey.stderr.includes('not a key!'));
  });

  void test('usage and connection errors are specific and exit 1', async () => {
    const foreignKey = Buffer.alloc(32, 1).toString('base64');
    const emulatorKey = /SharedAccessKey=([^;]+)/.exec(emulator.emu.connectionString)?.[1] ?? '';
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['plna'], {}, /Unknown command "plna"/],
      [['plan', 'state.dps.json', '--bogus'], {}, /Unknown option '--bogus'/],
      [['plan', 'state.dps.json', '--auth', 'entra'], {}, /--auth entra needs the service's host name/],
      [['provision-test-device'], {}, /provision-test-device needs --registration-id ID/],
      [['plan', 'state.dps.json'], { DPS_CONNECTION_STRING: '' }, /Set DPS_CONNECTION_STRING/],
      [['plan', 'state.dps.json', '--ca', 'ca.pem'], { DPS_CONNECTION_STRING: 'HostName=x.azure-devices-provisioning.net;SharedAccessKeyName=p;SharedAccessKey=' + foreignKey }, /--ca .* accepted only for a loopback host/],
      [['plan', 'state.dps.json', '--operations-per-minute', '5'], {}, /--operations-per-minute must be a whole number from 10 to 10000/],
    ];
    for (const [args, extra, message] of cases) {
      const run = await cli(args, extra);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, message);
      assert.ok(!run.stderr.includes(foreignKey) && !run.stderr.includes(emulatorKey), 'no key in errors');
    }
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 no changes \/ success, 2 changes planned or drift found, 1 error\./);
  });
});
