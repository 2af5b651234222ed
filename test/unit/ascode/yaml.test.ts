// YAML desired-state files: read into the same items as JSON, with every problem at its YAML
// line:column, YAML syntax errors included; exported YAML reads back as the same document.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DesiredStateError, desiredStateOf, formatDesiredState, isYamlFileName, parseDesiredState } from '../../../src/ascode';

const parse = (text: string, fileName = 'x.dps.yaml') => parseDesiredState(text, { fileName, baseDir: '/tmp' });

/** Values as plain objects (the parser builds them without a prototype). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function problemsOf(text: string, fileName?: string): string[] {
  try {
    parse(text, fileName);
  } catch (error) {
    assert.ok(error instanceof DesiredStateError);
    return error.problems.map((p) => `${p.position.line}:${p.position.column} ${p.message}`);
  }
  assert.fail('expected problems');
}

void describe('YAML desired-state files', () => {
  void test('reads the same items as the equivalent JSON, with YAML positions', () => {
    const yaml = [
      '# devices of line 3',
      'version: 1',
      'enrollments:',
      '  - registrationId: d1',
      '    attestation: { type: symmetricKey, keys: { primary: { env: D1_PRIMARY }, secondary: { env: D1_SECONDARY } } }',
      '    provisioningStatus: disabled',
      '    initialTwin:',
      '      tags: { site: "007", floor: 3, active: true, note: null }',
      '    iotHubs: [a.azure-devices.net]',
      'enrollmentGroups:',
      '  - enrollmentGroupId: g1',
      '    attestation:',
      '      type: symmetricKey',
      '',
    ].join('\n');
    const json = JSON.stringify({
      version: 1,
      enrollments: [{
        registrationId: 'd1', attestation: { type: 'symmetricKey', keys: { primary: { env: 'D1_PRIMARY' }, secondary: { env: 'D1_SECONDARY' } } },
        provisioningStatus: 'disabled', initialTwin: { tags: { site: '007', floor: 3, active: true, note: null } }, iotHubs: ['a.azure-devices.net'],
      }],
      enrollmentGroups: [{ enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey' } }],
    });
    const fromYaml = parse(yaml);
    const fromJson = parse(json, 'x.dps.json');
    const strip = (items: typeof fromYaml.items) => items.map(({ position: _p, referencePositions: _r, ...rest }) => rest);
    assert.deepEqual(strip(fromYaml.items), strip(fromJson.items));
    assert.deepEqual(fromYaml.items.map((i) => i.position), [{ line: 4, column: 5 }, { line: 11, column: 5 }]);
  });

  void test('checks give the same messages, at YAML line:column', () => {
    const problems = problemsOf([
      'version: 1',
      'extra: 1',
      'enrollments:',
      '  - registrationId: bad id',
      '    attestation: { type: symmetricKey, keys: c2VjcmV0c2VjcmV0c2VjcmV0 }',
      '    etag: x',
      '  - registrationId: D1',
      '    attestation: { type: none }',
      '  - registrationId: d1',
      '    attestation: { type: none }',
    ].join('\n'));
    const expected = [
      '2:1 Unknown member "extra"',
      '4:21 The registration id contains characters DPS does not allow (space).',
      '5:46 "keys" must be "generate", "keep", or {"primary": {"env": "NAME"}, "secondary": {"env": "NAME"}}.',
      '6:5 "etag" is written by the service',
      '9:5 "d1" is already listed at line 7 (ids are case-insensitive)',
    ];
    assert.equal(problems.length, expected.length, problems.join('\n'));
    expected.forEach((start, i) => assert.ok(problems[i].startsWith(start), `${problems[i]}\n  should start with\n${start}`));
    assert.ok(problems.every((p) => !p.includes('c2VjcmV0c2VjcmV0c2VjcmV0')), 'a pasted key is not echoed');
  });

  void test('YAML syntax errors, duplicate keys, several documents and a non-mapping root are refused with their place', () => {
    const [bad] = problemsOf('version: 1\nenrollments:\n  - registrationId: a\n   attestation: x\n');
    assert.match(bad, /^4:\d+ YAML syntax: /);
    assert.deepEqual(problemsOf('version: 1\nversion: 1\n').map((p) => p.slice(0, 17)), ['2:1 YAML syntax: ']);
    assert.match(problemsOf('version: 1\n---\nversion: 1\n')[0], /YAML syntax: /);
    assert.deepEqual(problemsOf('- a\n- b\n'), ['1:1 The file must hold one YAML mapping with "version", "enrollments" and "enrollmentGroups".']);
    assert.deepEqual(problemsOf('# nothing\n'), ['1:1 The file is empty: write an object with "version", "enrollments" and "enrollmentGroups".']);
  });

  void test('anchors and aliases resolve; YAML-only scalars stay strings', () => {
    const state = parse([
      'version: 1',
      'enrollments:',
      '  - registrationId: d1',
      '    attestation: &none { type: none }',
      '    initialTwin: { tags: { when: 2024-01-01, yes: yes } }',
      '  - registrationId: d2',
      '    attestation: *none',
    ].join('\n'));
    assert.deepEqual(state.items.map((i) => i.attestation), [{ type: 'none' }, { type: 'none' }]);
    assert.deepEqual(plain(state.items[0].fields.initialTwin), { tags: { when: '2024-01-01', yes: 'yes' } });
  });

  void test('an export written as YAML reads back as the same items', () => {
    const document = desiredStateOf([]);
    document.enrollments.push({ registrationId: 'e1', attestation: { type: 'symmetricKey', keys: 'keep' }, initialTwin: { tags: { site: '007' } } });
    const text = formatDesiredState(document, 'state.dps.yml');
    assert.ok(!text.trimStart().startsWith('{'), 'YAML, not JSON');
    assert.deepEqual(plain(parse(text, 'state.dps.yml').items.map((i) => [i.id, i.fields.initialTwin])), [['e1', { tags: { site: '007' } }]]);
    assert.ok(formatDesiredState(document, 'state.dps.json').startsWith('{\n  "version": 1'));
    assert.deepEqual(['a.dps.yaml', 'b.YML', 'c.dps.json', 'yaml'].map(isYamlFileName), [true, true, false, false]);
  });
});
