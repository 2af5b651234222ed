// Reading a service object into the draft and writing it back loses nothing the form does not edit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrollmentGroup, IndividualEnrollment } from '../../../src/dps/models';
import { createFormAttestation } from '../../../src/enrollmentForm/attestationAdapter';
import { buildServiceObject, draftFromServiceObject, splitHubs } from '../../../src/enrollmentForm/draftMapping';

const group: EnrollmentGroup = {
  enrollmentGroupId: 'ca-group',
  attestation: {
    type: 'x509',
    x509: { signingCertificates: { primary: { info: { subjectName: 'CN=Root', sha1Thumbprint: 'AA', sha256Thumbprint: 'BB', issuerName: 'CN=Root', notBeforeUtc: '2026-01-01T00:00:00Z', notAfterUtc: '2036-01-01T00:00:00Z', serialNumber: '01', version: 3 } }, secondary: { info: { subjectName: 'CN=Root2', sha1Thumbprint: 'CC', sha256Thumbprint: 'DD', issuerName: 'CN=Root2', notBeforeUtc: '', notAfterUtc: '', serialNumber: '02', version: 3 } } } },
  },
  allocationPolicy: 'custom',
  customAllocationDefinition: { webhookUrl: 'https://fn.example/api/alloc', apiVersion: '2021-10-01', extra: 'kept' },
  iotHubs: ['hub-a.azure-devices.net'],
  reprovisionPolicy: { updateHubAssignment: false, migrateDeviceData: true },
  initialTwin: { tags: { site: 'a', version: 5 }, properties: { desired: { interval: 30 } } },
  capabilities: { iotEdge: true },
  provisioningStatus: 'disabled',
  etag: '"e1"',
  createdDateTimeUtc: '2026-01-01T00:00:00Z',
  newerApiField: [1, 2, 3],
};

void describe('draft mapping', () => {
  void test('a service object reads into the draft the page shows', () => {
    const { draft, existingCertificates } = draftFromServiceObject('group', group);
    assert.equal(draft.id, 'ca-group');
    assert.equal(draft.attestationType, 'x509');
    assert.deepEqual(draft.primaryCertificate, { kind: 'existing' });
    assert.deepEqual(existingCertificates.map((c) => c.subject), ['CN=Root', 'CN=Root2']);
    assert.equal(draft.allocationPolicy, 'custom');
    assert.equal(draft.webhookUrl, 'https://fn.example/api/alloc');
    assert.equal(draft.reprovisionUpdateHub, false);
    assert.deepEqual(JSON.parse(draft.tagsJson), { site: 'a' }, 'twin bookkeeping (version) is not shown as a tag');
    assert.equal(draft.iotEdge, true);
    assert.equal(draft.provisioningStatus, 'disabled');
  });

  void test('a stored certificate that ends within 30 days or has ended carries a warning; one further out does not', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const withEnd = (notAfterUtc: string): EnrollmentGroup => {
      const copy = structuredClone(group);
      copy.attestation.x509!.signingCertificates!.primary!.info!.notAfterUtc = notAfterUtc;
      return copy;
    };
    const warning = (notAfterUtc: string) => draftFromServiceObject('group', withEnd(notAfterUtc), now).existingCertificates.find((c) => c.slot === 'primary')?.expiryWarning;
    assert.equal(warning('2026-03-27T13:00:00Z'), 'The certificate on the service expires in 26 days (2026-03-27T13:00:00Z). Devices stop authenticating then; plan a new one.');
    assert.match(warning('2026-02-26T12:00:00Z') ?? '', /^The certificate on the service expired 3 days ago .*choose a new certificate file\.$/);
    assert.equal(warning('2026-04-01T13:00:00Z'), undefined, '31 days left');
    // No date (the secondary has an empty one): nothing to warn about.
    assert.equal(draftFromServiceObject('group', group, now).existingCertificates.find((c) => c.slot === 'secondary')?.expiryWarning, undefined);
  });

  void test('an unchanged draft writes back the same object, unknown fields included', () => {
    const { draft } = draftFromServiceObject('group', group);
    const built = buildServiceObject(draft, { mode: 'update', existing: group, certificates: new Map(), attestation: createFormAttestation() });
    assert.ok(built.ok, JSON.stringify(!built.ok && built.problems));
    const expected = structuredClone(group) as Record<string, unknown>;
    // The only difference: tags are what the user sees (bookkeeping dropped).
    (expected.initialTwin as { tags: unknown }).tags = { site: 'a' };
    assert.deepEqual(built.object, expected);
  });

  void test('removing the secondary certificate and leaving custom allocation drops exactly those parts', () => {
    const { draft } = draftFromServiceObject('group', group);
    const built = buildServiceObject({ ...draft, secondaryCertificate: { kind: 'none' }, allocationPolicy: 'hashed', tagsJson: '' }, { mode: 'update', existing: group, certificates: new Map(), attestation: createFormAttestation() });
    assert.ok(built.ok);
    const object = built.object as EnrollmentGroup;
    assert.equal(object.attestation.x509?.signingCertificates?.secondary, undefined);
    assert.ok(object.attestation.x509?.signingCertificates?.primary);
    assert.equal(object.customAllocationDefinition, undefined);
    assert.equal(object.allocationPolicy, 'hashed');
    assert.equal(object.initialTwin?.tags, undefined);
    assert.deepEqual(object.initialTwin?.properties?.desired, { interval: 30 });
    assert.deepEqual(object.newerApiField, [1, 2, 3]);
    assert.equal(group.attestation.x509?.signingCertificates?.secondary?.info?.subjectName, 'CN=Root2', 'the original is not mutated');
  });

  void test('hub lists split on lines, commas and semicolons, never on spaces', () => {
    assert.deepEqual(splitHubs(' a.net,\n b.net ;c.net\n\n'), ['a.net', 'b.net', 'c.net']);
    assert.deepEqual(splitHubs('not a hub'), ['not a hub']);
  });

  void test('"not a hub" on one line is refused, not stored as three hubs', () => {
    const { draft } = draftFromServiceObject('group', group);
    const built = buildServiceObject({ ...draft, iotHubs: 'not a hub' }, { mode: 'update', existing: group, certificates: new Map(), attestation: createFormAttestation() });
    assert.equal(built.ok, false);
    assert.match(!built.ok ? built.problems.find((p) => p.field === 'iotHubs')?.message ?? '' : '', /"not a hub" is not an IoT hub host name: it contains a space/);
  });

  void test('a TPM enrollment whose key the user did not change is saved as it is; a changed bad key is refused', () => {
    const badKey = Buffer.concat([Buffer.from([0x01, 0x3a]), Buffer.alloc(312, 1)]).toString('base64');
    const tpm: IndividualEnrollment = { registrationId: 'edge-1', attestation: { type: 'tpm', tpm: { endorsementKey: badKey } }, provisioningStatus: 'enabled', etag: 'x' };
    const { draft } = draftFromServiceObject('enrollment', tpm);
    const unchanged = buildServiceObject({ ...draft, provisioningStatus: 'disabled' }, { mode: 'update', existing: tpm, certificates: new Map(), attestation: createFormAttestation() });
    assert.ok(unchanged.ok, JSON.stringify(!unchanged.ok && unchanged.problems));
    assert.equal(unchanged.object.attestation.tpm?.endorsementKey, badKey);
    assert.equal(unchanged.object.provisioningStatus, 'disabled');
    const changed = buildServiceObject({ ...draft, endorsementKey: `${badKey.slice(0, -8)}AAAAAAA=` }, { mode: 'update', existing: tpm, certificates: new Map(), attestation: createFormAttestation() });
    assert.equal(changed.ok, false);
    assert.ok(!changed.ok && changed.problems.some((p) => p.field === 'endorsementKey'));
  });
});
