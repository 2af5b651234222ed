import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELP, parseCliArgs } from '../../../src/emulator/cliOptions';

void test('maps every flag onto EmulatorOptions', () => {
  const c = parseCliArgs(['--port', '8443', '--http-port', '0', '--data-dir', '/d', '--data-file', '/d/x.json', '--seed', 'demo', '--quota', '1000',
    '--fault-rate', '0.1', '--fault-kinds', '429,reset', '--fault-seed', '3', '--fault-retry-after', '2', '--fault-delay-ms', '50', '--fault-apply-after',
    '--max-page-size', '50', '--key-name', 'owner', '--compact-after-kb', '16', '--json', '--quiet']);
  assert.equal(c.json, true);
  assert.equal(c.quiet, true);
  assert.deepEqual(c.options, {
    port: 8443, httpPort: 0, dataDir: '/d', dataFile: '/d/x.json', seed: 'demo', quota: { operationsPerMinute: 1000 }, maxPageSize: 50, keyName: 'owner', compactAfterBytes: 16 * 1024,
    faults: { rate: 0.1, kinds: ['429', 'reset'], seed: 3, retryAfterSeconds: 2, delayMs: 50, applyAfterProcessing: true },
  });
  assert.equal(parseCliArgs(['--memory']).options.dataFile, null);
  assert.deepEqual(parseCliArgs([]).options, {});
});

void test('bad input gets a specific message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--seed', 'lots'], /--seed must be demo or none/],
    [['--memory', '--data-file', 'x'], /cannot be used together/],
    [['--fault-rate', '1.5'], /--fault-rate must be a number from 0 to 1/],
    [['--fault-rate', '0.5', '--fault-kinds', '500,boom'], /unknown: boom/],
    [['--fault-kinds', '500'], /need --fault-rate/],
    [['--quota', '0'], /--quota must be/],
    [['--compact-after-kb', '0'], /--compact-after-kb must be a whole number/],
    [['--frobnicate'], /frobnicate/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseCliArgs(argv), message, argv.join(' '));
});

void test('help names every option the parser accepts', () => {
  for (const flag of ['--port', '--bind', '--http-port', '--data-dir', '--data-file', '--memory', '--compact-after-kb', '--seed', '--key-name', '--key', '--max-page-size', '--quota',
    '--fault-rate', '--fault-kinds', '--fault-seed', '--fault-retry-after', '--fault-delay-ms', '--fault-apply-after', '--json', '--quiet', '--help']) {
    assert.ok(HELP.includes(flag), flag);
  }
});

void test('an Azure Device Registry link from flags or a file; each bad part named', () => {
  assert.deepEqual(parseCliArgs(['--adr-namespace', 'adr-ns', '--adr-policy', 'ca1/device-certs', '--adr-policy', 'ca1/edge-certs']).options.adr, {
    namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }, { certificateAuthority: 'ca1', policy: 'edge-certs' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'adr-'));
  const file = join(dir, 'adr.json');
  writeFileSync(file, JSON.stringify({ namespace: 'plant-ns', policies: [{ certificateAuthority: 'ca2', policy: 'p-01' }] }));
  assert.deepEqual(parseCliArgs(['--adr-file', file]).options.adr, { namespace: 'plant-ns', policies: [{ certificateAuthority: 'ca2', policy: 'p-01' }] });
  writeFileSync(join(dir, 'bad.json'), '{"namespace": "Bad_NS", "policies": []}');
  writeFileSync(join(dir, 'junk.json'), 'not json');
  const cases: Array<[string[], RegExp]> = [
    [['--adr-policy', 'ca1/p-01'], /--adr-policy needs --adr-namespace/],
    [['--adr-file', file, '--adr-namespace', 'adr-ns'], /--adr-file cannot be combined/],
    [['--adr-namespace', 'adr-ns', '--adr-policy', 'ca1'], /--adr-policy takes CA\/POLICY \(e\.g\. ca1\/device-certs\); got 'ca1'/],
    [['--adr-namespace', 'ADR'], /ADR namespace: namespaceName 'ADR' must contain only lower-case letters/],
    [['--adr-namespace', 'adr-ns', '--adr-policy', 'c/p-01'], /ADR policy: certificateAuthorityName must be 3 to 63 characters/],
    [['--adr-file', join(dir, 'bad.json')], /ADR namespace: namespaceName 'Bad_NS'/],
    [['--adr-file', join(dir, 'junk.json')], /Could not read the ADR link file .*junk\.json/],
    [['--adr-file', join(dir, 'missing.json')], /Could not read the ADR link file .*missing\.json/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseCliArgs(argv), message, argv.join(' '));
  assert.ok(HELP.includes('--adr-namespace') && HELP.includes('--adr-policy') && HELP.includes('--adr-file'));
});
