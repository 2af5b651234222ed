// `dps-enrollments --auth entra` against the emulator, whose token issuer signs the bearer tokens it
// accepts: a token handed in through DPS_ACCESS_TOKEN (as a pipeline passes one from
// `az account get-access-token`), the Data Reader role refused a write with the role named, and
// @azure/identity's DefaultAzureCredential path with a service principal whose authority cannot be
// reached (the real sign-in needs Microsoft Entra ID and is not tested offline).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorTokenProvider } from '../../src/azure/tokenSources';
import { DPS_ENTRA_SCOPE } from '../../src/dps/auth';
import { DpsClient } from '../../src/dps/client';
import { symmetricGroup } from '../support/deviceEnrollments';
import { runCli, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;
let contributor: string;
let reader: string;

before(async () => {
  emulator = await startTestEmulator({ device: { retryAfterSeconds: 0, assignDelayMs: 20 } });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('cli-entra-');
  const account = { hostName: emulator.emu.hostName, ca: emulator.emu.caCertificatePem };
  contributor = (await emulatorTokenProvider(account, DPS_ENTRA_SCOPE)()).token;
  reader = (await emulatorTokenProvider({ ...account, role: 'reader' }, DPS_ENTRA_SCOPE)()).token;
  await client.createOrUpdateEnrollment({ registrationId: 'entra-1', attestation: { type: 'symmetricKey' } });
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

/** No connection string and no Azure variables: only what each case gives. */
const cli = (args: string[], env: Record<string, string>): Promise<CliRun> =>
  runCli(args, { cwd: dir, env: { DPS_CONNECTION_STRING: '', AZURE_TENANT_ID: '', AZURE_CLIENT_ID: '', AZURE_CLIENT_SECRET: '', ...env } });
const entra = () => ['--auth', 'entra', '--host', emulator.emu.hostName, '--ca', emulator.emu.caCertificatePath];

void describe('dps-enrollments --auth entra against the emulator', () => {
  void test('a contributor token from DPS_ACCESS_TOKEN: export, plan and apply work; the token is never printed', async () => {
    const exported = await cli(['export', 'state.dps.json', ...entra()], { DPS_ACCESS_TOKEN: contributor });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Wrote 1 enrollments and 0 enrollment groups/);
    const doc = JSON.parse(readFileSync(join(dir, 'state.dps.json'), 'utf8')) as { enrollments: Array<Record<string, unknown>> };
    doc.enrollments.push({ registrationId: 'entra-2', attestation: { type: 'symmetricKey', keys: 'generate' } });
    writeFileSync(join(dir, 'more.dps.json'), JSON.stringify(doc, null, 2));
    const plan = await cli(['plan', 'more.dps.json', ...entra()], { DPS_ACCESS_TOKEN: `Bearer ${contributor}` });
    assert.equal(plan.code, 2, plan.stderr);
    assert.match(plan.stdout, /1 to create, 0 to update, 0 to delete, 1 unchanged\./);
    // The host may come from DPS_HOST_NAME instead of --host.
    const apply = await cli(['apply', 'more.dps.json', '--auth', 'entra', '--ca', emulator.emu.caCertificatePath], { DPS_ACCESS_TOKEN: contributor, DPS_HOST_NAME: emulator.emu.hostName });
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal((await client.getEnrollment('entra-2')).registrationId, 'entra-2');
    for (const run of [exported, plan, apply]) assert.ok(!run.stdout.includes(contributor) && !run.stderr.includes(contributor));
  });

  void test('a reader token: plan works, apply is refused with the missing role named, exit 1', async () => {
    writeFileSync(join(dir, 'reader.dps.json'), JSON.stringify({ version: 1, enrollments: [{ registrationId: 'entra-3', attestation: { type: 'none' } }] }));
    const plan = await cli(['plan', 'reader.dps.json', ...entra()], { DPS_ACCESS_TOKEN: reader });
    assert.equal(plan.code, 2, plan.stderr);
    const apply = await cli(['apply', 'reader.dps.json', ...entra()], { DPS_ACCESS_TOKEN: reader });
    assert.equal(apply.code, 1);
    assert.match(apply.stdout, /entra-3: create failed \(403\d*\): (HTTP 403: )?The signed-in account lacks the "Device Provisioning Service Data Contributor" role/);
  });

  void test('provision-test-device reads the group key through the service with a bearer token', async () => {
    symmetricGroup(emulator.emu, 'entra-group', { iotHubs: ['entra-hub.azure-devices.net'] });
    const run = await cli(['provision-test-device', '--registration-id', 'entra-member', '--group', 'entra-group', '--id-scope', emulator.emu.idScope, '--json', ...entra()], { DPS_ACCESS_TOKEN: contributor });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { assignedHub: string }).assignedHub, 'entra-hub.azure-devices.net');
    const noScope = await cli(['provision-test-device', '--registration-id', 'entra-member', '--group', 'entra-group', ...entra()], { DPS_ACCESS_TOKEN: contributor });
    assert.equal(noScope.code, 1);
    assert.match(noScope.stderr, /needs --id-scope SCOPE/);
  });

  void test('usage: a host is needed, --host goes with entra only, a forged or expired token is refused', async () => {
    const noHost = await cli(['plan', 'state.dps.json', '--auth', 'entra'], { DPS_ACCESS_TOKEN: contributor });
    assert.equal(noHost.code, 1);
    assert.match(noHost.stderr, /--auth entra needs the service's host name: --host NAME\.azure-devices-provisioning\.net, or DPS_HOST_NAME/);
    const hostWithSas = await cli(['plan', 'state.dps.json', '--host', 'x.azure-devices-provisioning.net'], { DPS_CONNECTION_STRING: emulator.emu.connectionString });
    assert.equal(hostWithSas.code, 1);
    assert.match(hostWithSas.stderr, /--host goes with --auth entra/);
    const [head, body] = contributor.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const expired = `${head}.${Buffer.from(JSON.stringify({ ...claims, exp: 1 })).toString('base64url')}.sig`;
    const stale = await cli(['plan', 'state.dps.json', ...entra()], { DPS_ACCESS_TOKEN: expired });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /already expired/);
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.c2ln`;
    const refused = await cli(['plan', 'state.dps.json', ...entra()], { DPS_ACCESS_TOKEN: forged });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 401/);
    assert.ok(!refused.stderr.includes(forged));
  });

  void test('DefaultAzureCredential (service principal variables): an unreachable authority fails once, clearly, without the secret', async () => {
    const secret = 'sp-secret-value-never-printed';
    const run = await cli(['plan', 'state.dps.json', ...entra()], {
      AZURE_TENANT_ID: emulator.emu.tokenIssuer.tenantId, AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_SECRET: secret,
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /GetAccessToken failed \(network\): Could not get a Microsoft Entra token: EnvironmentCredential authentication failed/);
    assert.doesNotMatch(run.stderr, /gave up after/, 'a refusal is not retried');
    assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret));
  });
});
