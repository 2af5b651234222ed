// The CLI with YAML desired-state files against the emulator: export writes YAML for a .dps.yaml
// name, plan/apply/drift read it, and a bad YAML file fails with file:line:column.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { runCli, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;

before(async () => {
  emulator = await startTestEmulator();
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('cli-yaml-');
  await client.createOrUpdateEnrollment({ registrationId: 'yaml-1', attestation: { type: 'symmetricKey' } });
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const cli = (args: string[]): Promise<CliRun> =>
  runCli([...args, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { DPS_CONNECTION_STRING: emulator.emu.connectionString } });

void describe('dps-enrollments with YAML desired-state files', () => {
  void test('export writes YAML; an added item plans (exit 2), applies (exit 0), then no drift', async () => {
    const exported = await cli(['export', 'state.dps.yaml']);
    assert.equal(exported.code, 0, exported.stderr);
    const text = readFileSync(join(dir, 'state.dps.yaml'), 'utf8');
    assert.match(text, /^version: 1\nenrollments:\n {2}- registrationId: yaml-1\n/);
    assert.equal((await cli(['plan', 'state.dps.yaml'])).code, 0);

    writeFileSync(join(dir, 'more.dps.yml'), text.replace(/^enrollmentGroups:/m, '  - registrationId: yaml-2\n    attestation:\n      type: none\n    provisioningStatus: disabled\nenrollmentGroups:'));
    const plan = await cli(['plan', 'more.dps.yml']);
    assert.equal(plan.code, 2, plan.stderr);
    assert.match(plan.stdout, /\+ individual enrollment yaml-2 \(line \d+\)/);
    const apply = await cli(['apply', 'more.dps.yml']);
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal((await client.getEnrollment('yaml-2')).provisioningStatus, 'disabled');
    const drift = await cli(['drift', 'more.dps.yml']);
    assert.equal(drift.code, 0);
    assert.match(drift.stdout, /^No drift: /);
  });

  void test('a bad YAML file: exit 1 with file:line:column, as text and --json; nothing is sent', async () => {
    writeFileSync(join(dir, 'bad.dps.yaml'), 'version: 1\nenrollments:\n  - registrationId: yaml-3\n    attestation: { type: symmetricKey, keys: c2VjcmV0c2VjcmV0 }\n');
    const text = await cli(['apply', 'bad.dps.yaml']);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /bad\.dps\.yaml:4:46: "keys" must be "generate", "keep"/);
    assert.ok(!text.stderr.includes('c2VjcmV0c2VjcmV0'), 'a pasted key is not echoed');
    await assert.rejects(client.getEnrollment('yaml-3'));
    writeFileSync(join(dir, 'syntax.dps.yaml'), 'version: 1\nenrollments:\n  - registrationId: a\n   attestation: x\n');
    const json = await cli(['plan', 'syntax.dps.yaml', '--json']);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { problems: Array<{ file: string; line: number; message: string }> };
    assert.equal(body.problems[0].file, 'syntax.dps.yaml');
    assert.equal(body.problems[0].line, 4);
    assert.match(body.problems[0].message, /^YAML syntax: /);
  });
});
