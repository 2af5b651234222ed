// Bulk sources carry the ADR certificate policy (api-version 2026-11-01): CSV columns named as the
// service's fields (or without "Name"), JSON items and export files as they are; a row with some but
// not all names, or a name against the spec's rules, is an invalid row with the field named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnrollmentCsv } from '../../../src/bulk/csvSource';
import { parseJsonSource, parseJsonSources } from '../../../src/bulk/jsonSource';
import { buildExportDocument } from '../../../src/bulk/exportFormat';

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
});
