// Bulk sources carry the ADR certificate policy (api-version 2026-11-01): CSV columns named as the
// service's fields (or without "Name"), JSON items and export files as they are; a row with some but
// not all names, or a name against the spec's rules, is an invalid row with the field named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnrollmentCsv } from '../../../src/bulk/csvSource';
import { parseJsonSource, parseJsonSources } from '../../../src/bulk/jsonSource';
import { buildExportDocument } from '../../../src/bulk/exportFormat';
import { planBulk } from '../../../src/bulk/plan';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };

void describe('bulk sources: certificate policy', () => {
  void test('CSV columns by field name or short alias become the three fields; empty cells mean none', () => {
    const csv = 'registrationId,namespaceName,Certificate Authority,certificate_policy\r\n'
      + 'dev-1,adr-ns,ca1,device-certs\r\n'
      + 'dev-2,,,\r\n';
    const { rows } = parseEnrollmentCsv(csv, { mode: 'create' });
    assert.deepEqual(rows.map((r) => r.errors), [[], []]);
    assert.deepEqual(rows[0]?.item, { registrationId: 'dev-1', attestation: { type: 'symmetricKey' }, ...POLICY });
    assert.deepEqual(rows[1]?.item, { registrationId: 'dev-2', attestation: { type: 'symmetricKey' } });
  });

  void test('CSV: a partial policy or a bad name is an invalid row naming the field; the others stay good', () => {
    const csv = 'registrationId,namespace,certificateAuthority,certificatePolicy\r\n'
      + 'dev-1,adr-ns,,device-certs\r\n'
      + 'dev-2,ADR_NS,ca1,device-certs\r\n'
      + 'dev-3,adr-ns,ca1,device-certs\r\n';
    const { rows } = parseEnrollmentCsv(csv, { mode: 'create', fileName: 'devices.csv' });
    assert.match(rows[0]?.errors.join(' ') ?? '', /needs all three names: enter certificateAuthorityName too/);
    assert.equal(rows[0]?.item, undefined);
    assert.match(rows[1]?.errors.join(' ') ?? '', /namespaceName 'ADR_NS' must contain only lower-case letters/);
    assert.deepEqual(rows[2]?.errors, []);
    assert.throws(() => parseEnrollmentCsv('registrationId,policy\r\n', { mode: 'create' }), /"policy" is unknown\. Known columns: .*certificatePolicyName/);
  });

  void test('JSON items keep the policy; a non-string name is refused', () => {
    const [good, bad] = parseJsonSource(JSON.stringify([
      { enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey' }, ...POLICY },
      { enrollmentGroupId: 'g2', attestation: { type: 'symmetricKey' }, ...POLICY, certificatePolicyName: 7 },
    ]), 'group', { mode: 'create' }).rows;
    assert.deepEqual(good?.item, { enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey' }, ...POLICY });
    assert.deepEqual(bad?.errors, ['certificatePolicyName must be a string.']);
  });

  void test('a preview field name of the policy is refused, naming its preview and the 2026-11-01 fields', () => {
    const [credential, resource] = parseJsonSource(JSON.stringify([
      { registrationId: 'd1', attestation: { type: 'symmetricKey' }, credentialPolicyName: 'p' },
      { registrationId: 'd2', attestation: { type: 'symmetricKey' }, certificatePolicyResourceId: '/subscriptions/x' },
    ]), 'enrollment', { mode: 'create' }).rows;
    assert.deepEqual(credential?.errors, ["'credentialPolicyName' is the certificate-policy field of api-version 2025-07-01-preview, which this extension does not speak; api-version 2026-11-01 takes 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' instead."]);
    assert.match(resource?.errors.join(' ') ?? '', /^'certificatePolicyResourceId' is the certificate-policy field of api-version 2026-07-01-preview/);
  });

  void test('an export keeps the policy of enrollments and groups, and reads back into items with it', () => {
    const doc = buildExportDocument({
      sourceHost: 'x.azure-devices-provisioning.net',
      enrollments: [{ registrationId: 'e1', attestation: { type: 'symmetricKey' }, etag: 'x', ...POLICY }],
      enrollmentGroups: [{ enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey' }, ...POLICY }],
      includeKeys: false,
    });
    assert.equal(doc.enrollments[0]?.certificatePolicyName, 'device-certs');
    const [enrollments, groups] = parseJsonSources(JSON.stringify(doc), { mode: 'create' });
    assert.deepEqual(enrollments?.rows[0]?.item, { registrationId: 'e1', attestation: { type: 'symmetricKey' }, ...POLICY });
    assert.equal((groups?.rows[0]?.item as Record<string, unknown> | undefined)?.namespaceName, 'adr-ns');
  });

  void test('the dry run of a 2021-10-01 connection marks items with a policy invalid, naming the fields and both versions', () => {
    const csv = 'registrationId,namespaceName,certificateAuthorityName,certificatePolicyName\r\n'
      + 'dev-1,adr-ns,ca1,device-certs\r\n'
      + 'dev-2,,,\r\n';
    const source = parseEnrollmentCsv(csv, { mode: 'create' });
    const old = planBulk(source, 'create', new Set(), '2021-10-01');
    assert.deepEqual(old.planned.map((p) => p.row.id), ['dev-2']);
    assert.deepEqual(old.invalid.map((i) => i.row.id), ['dev-1']);
    assert.match(old.invalid[0]?.reasons[0] ?? '', /api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)\. Set this connection's API version to 2026-11-01/);
    // The newer version sends both; a delete needs no policy fields, so it is never refused for them.
    assert.equal(planBulk(source, 'create', new Set(), '2026-11-01').planned.length, 2);
    assert.equal(planBulk(parseEnrollmentCsv(csv, { mode: 'delete' }), 'delete', new Set(['dev-1', 'dev-2']), '2021-10-01').planned.length, 2);
  });
});
