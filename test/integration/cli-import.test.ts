// `dps-enrollments import` run as a user runs it, against the emulator: the streamed import (dry run,
// then chunks), its modes, the refusal to send anything when a row is invalid or repeats an id (with
// a bounded listing), --dry-run, the JSON-lines report of rows not done, and Ctrl-C.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateSymmetricKey } from '../../src/attestation';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../src/bulk';
import { DpsClient } from '../../src/dps/client';
import { runCli, type CliOptions, type CliRun } from '../support/cliProcess';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none' });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('cli-import-');
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const cli = (args: string[], options: Partial<CliOptions> = {}): Promise<CliRun> =>
  runCli([...args, '--ca', emulator.emu.caCertificatePath], { cwd: dir, env: { DPS_CONNECTION_STRING: emulator.emu.connectionString }, ...options });

const stored = (prefix: string) => emulator.emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith(prefix));
const storedGroups = (prefix: string) => emulator.emu.store.snapshot().enrollmentGroups.filter((g) => g.enrollmentGroupId.startsWith(prefix));

function writeJson(name: string, value: unknown): string {
  writeFileSync(join(dir, name), JSON.stringify(value));
  return name;
}

const enrollments = (prefix: string, count: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => ({ registrationId: `${prefix}${String(i).padStart(3, '0')}`, attestation: { type: 'symmetricKey' }, ...extra }));

function reportLines(name: string): Array<{ kind: string; origin: string; id: string; outcome: string; reason?: string; errorCode?: number }> {
  return readFileSync(join(dir, name), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as never);
}

interface ImportJson {
  kinds: Array<{ kind: string; counts: Record<string, number> }>;
  requests: number;
  cancelled: boolean;
  reportFile: string | null;
  failedSample: Array<{ id: string; outcome: string; errorCode?: number }>;
}

void describe('dps-enrollments import (streamed)', () => {
  void test('an export document into an empty instance: every item created, counts per kind, no report left, exit 0', async () => {
    const file = writeJson('fresh.json', {
      format: EXPORT_FORMAT, version: EXPORT_VERSION, enrollments: enrollments('fresh-', 25, { initialTwin: { tags: { line: 'a' } } }),
      enrollmentGroups: [{ enrollmentGroupId: 'fresh-group', attestation: { type: 'symmetricKey' } }],
    });
    const run = await cli(['import', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Imported 26 of 26 items of fresh\.json into .* \(mode create\)\.\n {2}individual enrollments: 25 done\n {2}enrollment groups: 1 done\n4 requests, \d+\.\d s\.\n$/);
    assert.equal(stored('fresh-').length, 25);
    assert.deepEqual(stored('fresh-')[0]?.initialTwin?.tags, { line: 'a' });
    assert.equal(storedGroups('fresh-').length, 1);
    assert.equal(existsSync(join(dir, 'fresh.import-report.jsonl')), false, 'a report only when something did not end done');
    assert.equal(run.stderr, '', 'no progress on a non-terminal stderr');
  });

  void test('--mode update over existing items: created or updated, keys kept when the file has none; a bad --mode names the allowed values', async () => {
    const key = generateSymmetricKey();
    await client.createOrUpdateEnrollment({ registrationId: 'upd-000', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: key } } });
    const file = writeJson('update.json', enrollments('upd-', 3, { provisioningStatus: 'disabled' }));
    const run = await cli(['import', file, '--mode', 'update', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as ImportJson & { mode: string };
    assert.deepEqual([body.mode, body.kinds, body.reportFile, body.failedSample], ['update', [{ kind: 'enrollment', counts: { done: 3, failed: 0, notSent: 0, invalid: 0 } }], null, []]);
    assert.deepEqual(stored('upd-').map((e) => e.provisioningStatus), ['disabled', 'disabled', 'disabled']);
    const kept = await client.getEnrollmentAttestation('upd-000');
    assert.equal(kept.symmetricKey?.primaryKey, key);

    const bad = await cli(['import', file, '--mode', 'upsert']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--mode must be "create" \(the default\) or "update" \(create or update\), not "upsert"\./);
    const help = await cli(['--help']);
    assert.match(help.stdout, /--mode update {10}create or update/);
    assert.match(help.stdout, /--dry-run {14}count what each item would do and send nothing/);
    assert.match(help.stdout, /--report FILE {10}items that did not end done/);
  });

  void test('invalid rows: nothing is sent, 20 are listed and the rest counted, all are in the report (text and --json)', async () => {
    const items: unknown[] = enrollments('inv-', 10);
    for (let i = 0; i < 23; i++) items.push({ registrationId: `inv bad ${i}`, attestation: { type: 'symmetricKey' } });
    items.push({ registrationId: 'inv-no-attestation' });
    const file = writeJson('invalid.json', items);
    const run = await cli(['import', file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /invalid\.json has 24 invalid item\(s\); nothing was sent:\n {2}individual enrollment inv bad 0 \(item 11\): /);
    assert.equal(run.stderr.split('\n').filter((l) => /^ {2}individual enrollment /.test(l)).length, 20);
    assert.match(run.stderr, /\n {2}and 4 more\.\nAll of them are in invalid\.import-report\.jsonl/);
    const lines = reportLines('invalid.import-report.jsonl');
    assert.equal(lines.length, 24);
    assert.deepEqual([lines[23]?.id, lines[23]?.origin, lines[23]?.outcome], ['inv-no-attestation', 'item 34', 'invalid']);
    assert.equal(stored('inv').length, 0, 'nothing sent');

    const json = await cli(['import', file, '--json', '--report', 'invalid-2.jsonl']);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { invalid: number; invalidSample: Array<{ id: string; reasons: string[] }>; reportFile: string };
    assert.equal(body.invalid, 24);
    assert.equal(body.invalidSample.length, 20);
    assert.equal(body.reportFile, join(dir, 'invalid-2.jsonl'));
    assert.equal(stored('inv').length, 0);
  });

  void test('a repeated id (other case) is invalid: nothing sent, the repeat names the first row', async () => {
    const items = [...enrollments('rep-', 4), { registrationId: 'REP-001', attestation: { type: 'symmetricKey' } }];
    const file = writeJson('repeated.json', items);
    const run = await cli(['import', file, '--json']);
    assert.equal(run.code, 1);
    const body = JSON.parse(run.stdout) as { invalid: number; invalidSample: Array<{ id: string; origin: string; reasons: string[] }> };
    assert.equal(body.invalid, 1);
    assert.deepEqual(body.invalidSample.map((r) => [r.id, r.origin]), [['REP-001', 'item 5']]);
    assert.match(body.invalidSample[0]?.reasons[0] ?? '', /item 2 has the same id/);
    assert.equal(stored('rep-').length, 0);
  });

  void test('--dry-run counts per kind and sends nothing: exit 0, or 1 with the invalid rows listed', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'dry-001', attestation: { type: 'symmetricKey' } });
    const file = writeJson('dry.json', enrollments('dry-', 5));
    const json = await cli(['import', file, '--dry-run', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { dryRun: boolean; kinds: Array<{ kind: string; rows: number; counts: Record<string, number>; invalid: number; requests: number }> };
    assert.equal(body.dryRun, true);
    assert.deepEqual(body.kinds.map((k) => [k.kind, k.rows, k.counts, k.invalid, k.requests]), [['enrollment', 5, { create: 4, failExists: 1 }, 0, 1]]);
    const text = await cli(['import', file, '--dry-run']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Dry run of dry\.json against .* \(mode create\); nothing was sent\.\n {2}individual enrollments: 5 rows: 4 create \(new\), 1 will fail: already exists; 1 request\n$/);
    assert.equal(stored('dry-').length, 1, 'nothing sent');
    assert.equal(existsSync(join(dir, 'dry.import-report.jsonl')), false, 'a dry run writes no report');

    const withInvalid = writeJson('dry-invalid.json', [...enrollments('dry-', 2), { registrationId: 'dry bad', attestation: { type: 'symmetricKey' } }]);
    const invalid = await cli(['import', withInvalid, '--dry-run']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stdout, /1 invalid\b.*\n1 invalid item\(s\); an import would send nothing:\n {2}! individual enrollment dry bad \(item 3\): /);
    assert.equal(stored('dry-').length, 1);
  });

  void test('a create over an existing item fails (409) into the report; an existing report is kept without --force', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'dup-001', attestation: { type: 'symmetricKey' } });
    const file = writeJson('conflict.json', enrollments('dup-', 3));
    const run = await cli(['import', file, '--json']);
    assert.equal(run.code, 1);
    const body = JSON.parse(run.stdout) as ImportJson;
    assert.deepEqual(body.kinds, [{ kind: 'enrollment', counts: { done: 2, failed: 1, notSent: 0, invalid: 0 } }]);
    assert.equal(body.reportFile, join(dir, 'conflict.import-report.jsonl'));
    assert.deepEqual(body.failedSample.map((l) => [l.id, l.outcome, l.errorCode]), [['dup-001', 'failed', 409201]]);
    assert.deepEqual(reportLines('conflict.import-report.jsonl').map((l) => [l.kind, l.id, l.origin, l.outcome, l.errorCode]), [['enrollment', 'dup-001', 'item 2', 'failed', 409201]]);
    assert.equal(stored('dup-').length, 3);

    const again = await cli(['import', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /The report file conflict\.import-report\.jsonl exists; add --force to overwrite it/);
    assert.equal(reportLines('conflict.import-report.jsonl').length, 1, 'the old report is untouched');

    const forced = await cli(['import', file, '--force']);
    assert.equal(forced.code, 1);
    assert.match(forced.stdout, /^Imported 0 of 3 items of conflict\.json .*\n {2}individual enrollments: 0 done, 3 failed\n.*\n! individual enrollment dup-000 \(item 1\): failed \(409201\): /);
    assert.match(forced.stdout, /\n3 item\(s\) did not end done; all are in .*conflict\.import-report\.jsonl/);
    assert.equal(reportLines('conflict.import-report.jsonl').length, 3);

    const self = await cli(['import', file, '--report', file]);
    assert.match(self.stderr, /--report conflict\.json is the file being imported/);
  });

  void test('Ctrl-C during the run: the rest is not sent, the report lists it, exit 1', async () => {
    const file = writeJson('cancel.json', enrollments('cancel-', 200));
    let child: ChildProcess | undefined;
    let exited = false;
    // 100 operations a minute: a bulk request of 10 items about every 0.6 s, so the run is long enough to interrupt.
    const running = cli(['import', file, '--json', '--operations-per-minute', '100'], { onSpawn: (c) => { child = c; } }).finally(() => { exited = true; });
    while (!exited && stored('cancel-').length === 0) await sleep(10);
    child?.kill('SIGINT');
    const run = await running;
    assert.equal(run.code, 1, run.stderr);
    const body = JSON.parse(run.stdout) as ImportJson;
    assert.equal(body.cancelled, true);
    const counts = body.kinds[0]?.counts ?? {};
    assert.ok((counts.notSent ?? 0) > 0, 'some items were not sent');
    assert.equal((counts.done ?? 0) + (counts.notSent ?? 0), 200);
    assert.equal(stored('cancel-').length, counts.done);
    assert.equal(reportLines('cancel.import-report.jsonl').filter((l) => l.outcome === 'notSent').length, counts.notSent);
    assert.match(run.stderr, /cancelling; items not yet sent are reported as not sent/);
  });
});
