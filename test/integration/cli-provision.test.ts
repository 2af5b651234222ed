// `dps-enrollments provision-test-device` in a child process against the emulator: symmetric-key
// individual enrollment and group member (keys read through the service, or from an environment
// variable), X.509 with an encrypted key, a disabled enrollment's refusal, and usage errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveDeviceKey, generateTestChain, type TestChain } from '../../src/attestation';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';
import { runCli, type CliRun } from '../support/cliProcess';
import { symmetricEnrollment, symmetricGroup, x509Group } from '../support/deviceEnrollments';

let emulator: TestEmulator;
let chain: TestChain;
let dir: string;
let env: Record<string, string>;

before(async () => {
  emulator = await startTestEmulator({ device: { retryAfterSeconds: 0, assignDelayMs: 20 } });
  chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'cli-x509-member' });
  dir = tempDir('cli-provision-');
  env = { DPS_CONNECTION_STRING: emulator.emu.connectionString };
});
after(async () => {
  await emulator.dispose();
});

const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> =>
  runCli(['provision-test-device', ...args, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { ...env, ...extraEnv } });

void describe('dps-enrollments provision-test-device against the emulator', () => {
  void test('individual symmetric-key enrollment, key read through the service: assigned, exit 0, no key printed', async () => {
    const key = symmetricEnrollment(emulator.emu, 'cli-sym', { iotHubs: ['cli-hub.azure-devices.net'], allocationPolicy: 'hashed' });
    const run = await cli(['--registration-id', 'cli-sym']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Test device cli-sym assigned to cli-hub\.azure-devices\.net as device cli-sym \(initialAssignment\)\.\n/);
    assert.match(run.stdout, new RegExp(`ID scope ${emulator.emu.idScope}`));
    assert.equal(emulator.emu.store.getRegistration('cli-sym')?.state.assignedHub, 'cli-hub.azure-devices.net');
    assert.ok(!run.stdout.includes(key) && !run.stderr.includes(key));

    const again = await cli(['--registration-id', 'cli-sym', '--json', '--payload', '{"model":"x1"}']);
    assert.equal(again.code, 0, again.stderr);
    const body = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.equal(body.status, 'assigned');
    assert.equal(body.substatus, 'reprovisionedToInitialAssignment');
    assert.equal(body.idScope, emulator.emu.idScope);
    assert.ok(!again.stdout.includes(key));
  });

  void test('group member: device key derived from the group key read through the service, or from --group-key-env', async () => {
    const groupKey = symmetricGroup(emulator.emu, 'cli-sym-group', { iotHubs: ['group-hub.azure-devices.net'] });
    const run = await cli(['--registration-id', 'cli-member-1', '--group', 'cli-sym-group', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as { deviceId: string; assignedHub: string };
    assert.deepEqual([body.deviceId, body.assignedHub], ['cli-member-1', 'group-hub.azure-devices.net']);
    assert.equal(emulator.emu.store.getRegistration('cli-member-1')?.enrollmentGroupId, 'cli-sym-group');
    assert.ok(!run.stdout.includes(groupKey) && !run.stdout.includes(deriveDeviceKey(groupKey, 'cli-member-1')));

    // From the environment, with an explicit scope and endpoint and no service connection at all.
    const offline = await runCli(['provision-test-device', '--registration-id', 'cli-member-2', '--group-key-env', 'GROUP_KEY', '--id-scope', emulator.emu.idScope,
      '--global-endpoint', emulator.emu.hostName, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { GROUP_KEY: groupKey, DPS_CONNECTION_STRING: '' } });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /Test device cli-member-2 assigned to group-hub\.azure-devices\.net/);

    const device = await cli(['--registration-id', 'cli-member-3', '--device-key-env', 'DEVICE_KEY'], { DEVICE_KEY: deriveDeviceKey(groupKey, 'cli-member-3') });
    assert.equal(device.code, 0, device.stderr);
  });

  void test('X.509 group member with an encrypted key and --passphrase-env', async () => {
    x509Group(emulator.emu, 'cli-x509-group', chain.intermediate.certificatePem);
    const encrypted = createPrivateKey(chain.device.privateKeyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString();
    writeFileSync(join(dir, 'device.pem'), chain.device.certificatePem + chain.intermediate.certificatePem);
    writeFileSync(join(dir, 'device.key'), encrypted);
    const run = await cli(['--registration-id', 'cli-x509-member', '--cert', 'device.pem', '--key', 'device.key', '--passphrase-env', 'KEY_PASS'], { KEY_PASS: 'open sesame' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Test device cli-x509-member assigned to .* as device cli-x509-member/);
    assert.equal(emulator.emu.store.getRegistration('cli-x509-member')?.enrollmentGroupId, 'cli-x509-group');

    const wrong = await cli(['--registration-id', 'cli-x509-member', '--cert', 'device.pem', '--key', 'device.key', '--passphrase-env', 'KEY_PASS'], { KEY_PASS: 'not-the-passphrase' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /cli-x509-member was not provisioned \(credential\): The device certificate or key cannot be used: .*passphrase/i);
    assert.ok(!wrong.stderr.includes('not-the-passphrase'), 'the passphrase is not echoed');
  });

  void test('a disabled enrollment: exit 1 with the service\'s reason and what to do, as text and --json', async () => {
    symmetricEnrollment(emulator.emu, 'cli-disabled', { provisioningStatus: 'disabled' });
    const run = await cli(['--registration-id', 'cli-disabled']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^dps-enrollments: cli-disabled was not provisioned \(HTTP 200(, \d+)?\): Enrollment 'cli-disabled' is disabled/);
    assert.match(run.stderr, /Enable the enrollment \(and its group\), then provision again\./);
    const json = await cli(['--registration-id', 'cli-disabled', '--json']);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { error: string; device: { kind: string; registrationId: string } };
    assert.deepEqual([body.device.kind, body.device.registrationId], ['disabled', 'cli-disabled']);
    assert.match(body.error, /is disabled/);
  });

  void test('usage errors are specific and exit 1', async () => {
    writeFileSync(join(dir, 'payload.json'), '{ not json');
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /needs --registration-id ID/],
      [['--registration-id', 'has space'], {}, /--registration-id: /],
      [['--registration-id', 'x', '--device-key-env', 'A', '--group-key-env', 'B'], { A: 'a', B: 'b' }, /Give one device credential, not --device-key-env and --group-key-env/],
      [['--registration-id', 'x', '--device-key-env', 'UNSET_KEY_VAR'], {}, /--device-key-env UNSET_KEY_VAR: the environment variable UNSET_KEY_VAR is not set/],
      [['--registration-id', 'x', '--cert', 'device.pem'], {}, /needs both --cert FILE and --key FILE/],
      [['--registration-id', 'x', '--payload', '@payload.json'], {}, /--payload @payload\.json is not valid JSON/],
      [['--registration-id', 'x', '--payload', '@missing.json'], {}, /--payload missing\.json: no such file/],
      [['--registration-id', 'nobody'], {}, /GetEnrollmentAttestation|not found|404/i],
    ];
    for (const [args, extra, message] of cases) {
      const run = await cli(args, extra);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, message, args.join(' '));
    }
    const noScope = await runCli(['provision-test-device', '--registration-id', 'x', '--device-key-env', 'K'], { cwd: dir, env: { K: 'a2V5', DPS_CONNECTION_STRING: '' } });
    assert.equal(noScope.code, 1);
    assert.match(noScope.stderr, /needs --id-scope SCOPE/);
  });
});
