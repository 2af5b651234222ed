// The desired-state parser: every bad input gets its own message at its line and column, all at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DesiredStateError, parseDesiredState } from '../../../src/ascode';

const parse = (text: string) => parseDesiredState(text, { fileName: 'x.dps.json', baseDir: '/tmp' });

function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof DesiredStateError);
    return error.problems.map((p) => `${p.position.line}:${p.position.column} ${p.message}`);
  }
  assert.fail('expected problems');
}

void describe('parseDesiredState', () => {
  void test('reads JSONC with comments, trailing commas and a BOM', () => {
    const state = parse('\uFEFF{\n  // devices\n  "version": 1,\n  "enrollments": [ { "registrationId": "d1", "attestation": { "type": "symmetricKey" } }, ],\n}');
    assert.equal(state.items.length, 1);
    assert.deepEqual(state.items[0].attestation, { type: 'symmetricKey', keys: 'generate' });
    assert.deepEqual(state.items[0].position, { line: 4, column: 20 });
  });

  void test('a syntax error names line and column', () => {
    assert.deepEqual(problemsOf('{\n  "version": 1\n  "enrollments": []\n}'), ['3:3 JSON syntax: comma expected.']);
  });

  void test('every problem of the file at once, each at its place', () => {
    const problems = problemsOf([
      '{ "version": 1, "extra": 1,',
      '  "enrollments": [',
      '    { "registrationId": "bad id", "attestation": { "type": "symmetricKey", "primaryKey": "abc" } },',
      '    { "registrationId": "d2", "attestation": { "type": "x509", "certificate": "-----BEGIN CERTIFICATE-----" }, "etag": "x" },',
      '    { "registrationId": "d3", "attestation": { "type": "symmetricKey", "keys": { "primary": { "env": "1BAD" } } }, "provisioningStatus": "on" },',
      '    { "registrationId": "D2", "attestation": { "type": "none" } }',
      '  ],',
      '  "enrollmentGroups": [ { "enrollmentGroupId": "g", "attestation": { "type": "tpm", "endorsementKey": "x" } } ]',
      '}',
    ].join('\n'));
    assert.equal(problems.length, 9, problems.join('\n'));
    assert.match(problems[0], /^1:17 Unknown member "extra"/);
    assert.ok(problems.some((p) => /^3:25 The registration id contains characters DPS does not allow \(space\)/.test(p)));
    assert.ok(problems.some((p) => /^3:76 Keys are never written in a desired-state file/.test(p)));
    assert.ok(problems.some((p) => /^4:79 .*referenced by its file, not pasted in/.test(p)));
    assert.ok(problems.some((p) => /^4:112 "etag" is written by the service/.test(p)));
    assert.ok(problems.some((p) => /^5:93 "1BAD" is not an environment variable name/.test(p)));
    assert.ok(problems.some((p) => /^5:80 "keys.secondary" is missing/.test(p)));
    assert.ok(problems.some((p) => /^5:138 "provisioningStatus" must be "enabled" or "disabled"/.test(p)));
    assert.ok(problems.some((p) => /^8:78 "attestation.type" of an enrollment group must be one of "x509", "symmetricKey", not "tpm"/.test(p)));
  });

  void test('a certificate policy names all three or none, each by the spec\'s rule; hub names are host names', () => {
    const problems = problemsOf([
      '{"version":1,"enrollments":[',
      '{"registrationId":"a","attestation":{"type":"none"},"namespaceName":"adr-ns","certificatePolicyName":"p01"},',
      '{"registrationId":"b","attestation":{"type":"none"},"namespaceName":"ADR","certificateAuthorityName":"ca1","certificatePolicyName":"p01"},',
      '{"registrationId":"c","attestation":{"type":"none"},"iotHubs":["hub.azure-devices.net","not a hub"],"iotHubHostName":"hub"}',
      ']}',
    ].join('\n'));
    assert.deepEqual(problems, [
      '2:1 "certificateAuthorityName" is missing: a certificate policy (Azure Device Registry) names all three of "namespaceName", "certificateAuthorityName", "certificatePolicyName", or none.',
      "3:69 namespaceName 'ADR' must contain only lower-case letters, digits and hyphens, starting and ending with a letter or digit.",
      '4:63 "not a hub" is not an IoT hub host name: it contains a space. Enter one host name such as my-hub.azure-devices.net.',
      '4:118 "hub" is not a full host name: add the domain, such as hub.azure-devices.net.',
    ]);
    assert.deepEqual(problemsOf('{"version":1,"enrollments":[{"registrationId":"a","attestation":{"type":"none"},"credentialPolicyName":"p01"}]}'), [
      "1:81 'credentialPolicyName' is the certificate-policy field of api-version 2025-07-01-preview, which this extension does not speak; api-version 2026-11-01 takes 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' instead.",
    ]);
    const state = parse('{"version":1,"enrollmentGroups":[{"enrollmentGroupId":"g","attestation":{"type":"symmetricKey"},"namespaceName":"adr-ns","certificateAuthorityName":"ca1","certificatePolicyName":"p01"}]}');
    assert.deepEqual(state.items[0]?.fields, { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'p01' });
  });

  void test('duplicate ids (case-insensitive) point back to the first', () => {
    const problems = problemsOf('{"version":1,"enrollments":[\n{"registrationId":"a","attestation":{"type":"none"}},\n{"registrationId":"A","attestation":{"type":"none"}}]}');
    assert.deepEqual(problems, ['3:1 "A" is already listed at line 2 (ids are case-insensitive); list each individual enrollment once.']);
  });

  void test('a key pasted instead of a reference is refused without echoing it', () => {
    const problems = problemsOf('{"version":1,"enrollments":[{"registrationId":"a","attestation":{"type":"symmetricKey","keys":"c2VjcmV0c2VjcmV0c2VjcmV0"}}]}');
    assert.equal(problems.length, 1);
    assert.ok(!problems[0].includes('c2VjcmV0'));
    assert.match(problems[0], /A key itself is never written in the file/);
  });

  void test('missing version and wrong version', () => {
    assert.deepEqual(problemsOf('{}'), ['1:1 "version" is missing: write "version": 1.']);
    assert.match(problemsOf('{"version": 2}')[0], /^1:13 "version" is 2; this release reads version 1\./);
  });
});
