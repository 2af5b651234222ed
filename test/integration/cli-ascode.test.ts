// `dps-enrollments apply` and `drift` run as a user runs them, against the emulator: Ctrl-C during an
// apply (the rest is reported not sent, exit 1, and applying again finishes), Ctrl-C while planning
// (nothing sent), and drift naming the items on the service that the file does not name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DpsClient } from '../../src/dps/client';
import { runCli, type CliOptions, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none' });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('cli-ascode-');
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const cli = (args: string[], options: Partial<CliOptions> = {}): Promise<CliRun> =>
  runCli([...args, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { DPS_CONNECTION_STRING: emulator.emu.connectionString }, ...options });

const stored = (prefix: string) => emulator.emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith(prefix)).map((e) => e.registrationId);

function desiredFile(name: string, prefix: string, count: number): string {
  const enrollments = Array.from({ length: count }, (_, i) => ({ registrationId: `${prefix}${String(i).padStart(3, '0')}`, attestation: { type: 'none' } }));
  writeFileSync(join(dir, name), JSON.stringify({ version: 1, enrollments }, null, 2));
  return name;
}

/** Runs the CLI and sends it Ctrl-C once `ready` holds. */
async function interrupted(args: string[], ready: () => boolean): Promise<CliRun> {
  let child: ChildProcess | undefined;
  let exited = false;
  const running = cli(args, { onSpawn: (c) => { child = c; } }).finally(() => { exited = true; });
  while (!exited && !ready()) await sleep(10);
  assert.equal(exited, false, 'the run ended before it could be interrupted');
  child?.kill('SIGINT');
  return running;
}

interface ApplyJson {
  plan: { counts: Record<string, number> };
  report: { cancelled: boolean; counts: Record<string, number>; items: Array<{ id: string; outcome: string }> };
}

void describe('dps-enrollments apply and drift', () => {
  void test('Ctrl-C during apply: what was sent is done, the rest is reported not sent, exit 1; applying again finishes', async () => {
    const file = desiredFile('cancel.dps.json', 'cancel-', 120);
    // 100 operations a minute: a bulk request of 10 items about every 0.6 s, so the run is long enough to interrupt.
    const run = await interrupted(['apply', file, '--json', '--operations-per-minute', '100'], () => stored('cancel-').length > 0);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cancelling; items not yet sent are reported as not sent/);
    const body = JSON.parse(run.stdout) as ApplyJson;
    assert.equal(body.plan.counts.create, 120);
    assert.equal(body.report.cancelled, true);
    const { done = 0, failed = 0, notSent = 0 } = body.report.counts;
    assert.ok(done > 0 && notSent > 0, `some done and some not sent: ${JSON.stringify(body.report.counts)}`);
    assert.equal(done + notSent + failed, 120);
    assert.equal(failed, 0);
    assert.deepEqual(stored('cancel-').sort(), body.report.items.filter((i) => i.outcome === 'done').map((i) => i.id).sort(), 'done is exactly what the service holds');

    const text = await cli(['drift', file]);
    assert.equal(text.code, 2, 'the rest is drift');
    assert.match(text.stdout, new RegExp(`${notSent} to create, 0 to update, 0 to delete, ${done} unchanged\\.`));
    const finish = await cli(['apply', file]);
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(finish.stdout, new RegExp(`${notSent} done, 0 failed, 0 not sent;`));
    assert.equal(stored('cancel-').length, 120);
    assert.equal((await cli(['drift', file])).code, 0);
  });

  void test('Ctrl-C in text mode: each item not sent is listed, with how to finish', async () => {
    const file = desiredFile('cancel-text.dps.json', 'ctext-', 60);
    const run = await interrupted(['apply', file, '--operations-per-minute', '100'], () => stored('ctext-').length > 0);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /\+ individual enrollment ctext-000: created\n/);
    assert.match(run.stdout, /\? individual enrollment ctext-059: create not sent\n/);
    assert.match(run.stdout, /\d+ done, 0 failed, \d+ not sent \(cancelled\); \d+ requests in/);
    assert.match(run.stdout, /plan again and apply to finish/);
  });

  void test('Ctrl-C while the plan reads the instance: nothing is sent, exit 1', async () => {
    const file = desiredFile('cancel-plan.dps.json', 'cplan-', 5);
    const before = emulator.emu.stats().requests;
    // At 10 operations a minute the second query waits 6 s: Ctrl-C after the first.
    const run = await interrupted(['apply', file, '--operations-per-minute', '10'], () => emulator.emu.stats().requests > before);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cancelled while reading .* to plan cancel-plan\.dps\.json; nothing was sent\./);
    assert.deepEqual(stored('cplan-'), []);
  });

  void test('drift names the items the file does not name: exit 0 without --prune, 2 with it', async () => {
    const file = desiredFile('drift.dps.json', 'drift-', 2);
    assert.equal((await cli(['apply', file])).code, 0);
    // Someone adds items by hand.
    await client.createOrUpdateEnrollment({ registrationId: 'drift-by-hand', attestation: { type: 'none' } });
    await client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'drift-group', attestation: { type: 'symmetricKey' } });

    const onlyThese = { version: 1, enrollments: [...stored('').filter((id) => !id.startsWith('drift-')), 'drift-000', 'drift-001'].map((registrationId) => ({ registrationId, attestation: { type: 'none' } })) };
    writeFileSync(join(dir, 'drift-all.dps.json'), JSON.stringify(onlyThese));
    const text = await cli(['drift', 'drift-all.dps.json']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^No drift: .* matches drift-all\.dps\.json\. 0 to create, 0 to update, 0 to delete, \d+ unchanged; 2 on the service but not in the file \(kept: prune is off\)\.\n/);
    assert.match(text.stdout, /\nOn .* but not in drift-all\.dps\.json \(2; kept, as prune is off: with --prune they are drift, to be deleted\):\n {4}enrollment group drift-group\n {4}individual enrollment drift-by-hand\n$/);

    const json = await cli(['drift', 'drift-all.dps.json', '--json']);
    assert.equal(json.code, 0);
    const body = JSON.parse(json.stdout) as { drift: boolean; notInFile: number; notInFileItems: Array<{ kind: string; id: string }> };
    assert.deepEqual([body.drift, body.notInFile, body.notInFileItems], [false, 2, [{ kind: 'group', id: 'drift-group' }, { kind: 'enrollment', id: 'drift-by-hand' }]]);

    const pruned = await cli(['drift', 'drift-all.dps.json', '--prune']);
    assert.equal(pruned.code, 2);
    assert.match(pruned.stdout, /- enrollment group drift-group\n- individual enrollment drift-by-hand\n/);
    assert.doesNotMatch(pruned.stdout, /but not in drift-all/, 'with --prune they are drift, listed as deletes');
  });
});
