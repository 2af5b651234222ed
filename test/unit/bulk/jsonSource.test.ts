import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSymmetricKey } from '../../../src/attestation';
import { buildExportDocument, EXPORT_FORMAT, portableItem } from '../../../src/bulk/exportFormat';
import { parseJsonSource, parseJsonSources } from '../../../src/bulk/jsonSource';
import type { EnrollmentGroup, IndividualEnrollment } from '../../../src/dps/models';

const key = generateSymmetricKey();
const enrollment: IndividualEnrollment = {
  registrationId: 'dev-1',
  attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: generateSymmetricKey() } },
  etag: '"abc"',
  createdDateTimeUtc: '2026-01-01T00:00:00Z',
  registrationState: { registrationId: 'dev-1', status: 'assigned' },
  futureField: { kept: true },
};
const group: EnrollmentGroup = { enrollmentGroupId: 'group-1', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' };

void describe('JSON sources', () => {
  void test('an array: each item validated on its own, server fields dropped, unknown fields kept', () => {
    const text = JSON.stringify([enrollment, { registrationId: 'x y', attestation: { type: 'symmetricKey' } }, 'nonsense', { attestation: { type: 'tpm' } }]);
    const { rows, kind } = parseJsonSource(text, 'enrollment', { mode: 'create' });
    assert.equal(kind, 'enrollment');
    assert.deepEqual(rows[0].errors, []);
    assert.equal(rows[0].item?.etag, undefined);
    assert.equal(rows[0].item?.registrationState, undefined);
    assert.deepEqual(rows[0].item?.futureField, { kept: true });
    assert.match(rows[1].errors.join(' '), /does not allow \(space\)/);
    assert.match(rows[2].errors.join(' '), /must be a JSON object/);
    assert.match(rows[3].errors.join(' '), /"registrationId" is missing/);
    assert.deepEqual(rows.map((r) => r.origin), ['item 1', 'item 2', 'item 3', 'item 4']);
  });

  void test('an update without keys warns that the service would replace them', () => {
    const text = JSON.stringify([{ registrationId: 'k1', attestation: { type: 'symmetricKey' } }, enrollment]);
    const { rows } = parseJsonSource(text, 'enrollment', { mode: 'update' });
    assert.match(rows[0].warnings.join(' '), /replaces its keys/);
    assert.deepEqual(rows[1].warnings, []);
    assert.deepEqual(parseJsonSource(text, 'enrollment', { mode: 'create' }).rows[0].warnings, []);
  });

  void test('updateIfMatchETag keeps the etag and requires it', () => {
    const { rows } = parseJsonSource(JSON.stringify([enrollment, { ...enrollment, registrationId: 'dev-2', etag: undefined }]), 'enrollment', { mode: 'updateIfMatchETag' });
    assert.equal(rows[0].item?.etag, '"abc"');
    assert.match(rows[1].errors.join(' '), /"etag" is missing/);
  });

  void test('groups: TPM and deviceId refused, array target guessed from the id field', () => {
    const text = JSON.stringify([group, { enrollmentGroupId: 'g2', attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } } }, { ...group, enrollmentGroupId: 'g3', deviceId: 'd' }]);
    const [source] = parseJsonSources(text, { mode: 'create' });
    assert.equal(source.kind, 'group');
    assert.deepEqual(source.rows[0].errors, []);
    assert.match(source.rows[1].errors.join(' '), /only X\.509 and symmetric-key/);
    assert.match(source.rows[2].errors.join(' '), /"deviceId" belongs to individual enrollments/);
  });

  void test('a hub list with "not a hub" makes the row invalid with the hub reason; a good hub passes', () => {
    const text = JSON.stringify([{ ...group, iotHubs: ['not a hub'] }, { ...group, enrollmentGroupId: 'g2', iotHubs: ['hub-a.azure-devices.net'] }]);
    const { rows } = parseJsonSource(text, 'group', { mode: 'create' });
    assert.equal(rows[0].item, undefined, 'an invalid row is not sent');
    assert.deepEqual(rows[0].errors, ['"iotHubs": "not a hub" is not an IoT hub host name: it contains a space. Enter one host name such as my-hub.azure-devices.net.']);
    assert.deepEqual(rows[1].errors, []);
    assert.deepEqual(rows[1].item?.iotHubs, ['hub-a.azure-devices.net']);
  });

  void test('an export document gives both lists; wrong envelopes are refused clearly', () => {
    const doc = buildExportDocument({ sourceHost: 'a.azure-devices-provisioning.net', enrollments: [enrollment], enrollmentGroups: [group], includeKeys: true, now: new Date(0) });
    const sources = parseJsonSources(JSON.stringify(doc), { mode: 'update' });
    assert.deepEqual(sources.map((s) => [s.kind, s.rows.length]), [['enrollment', 1], ['group', 1]]);
    assert.throws(() => parseJsonSources(JSON.stringify({ ...doc, version: 9 }), { mode: 'update', fileName: 'e.json' }), /e\.json is export version 9/);
    assert.throws(() => parseJsonSources(JSON.stringify({ ...doc, enrollments: {} }), { mode: 'update' }), /"enrollments" must be an array/);
    assert.throws(() => parseJsonSources('{"a":1}', { mode: 'update', fileName: 'o.json' }), /o\.json must hold a JSON array/);
    assert.throws(() => parseJsonSources('[1,', { mode: 'update', fileName: 'b.json' }), /b\.json is not valid JSON/);
    // A syntax error next to a key names the place, never the text around it.
    const secret = generateSymmetricKey();
    assert.throws(() => parseJsonSources(`[\n{"primaryKey": "${secret}" x}]`, { mode: 'update', fileName: 'k.json' }), (e: unknown) =>
      e instanceof Error && /k\.json is not valid JSON at line 2\./.test(e.message) && !e.message.includes(secret.slice(0, 12)));
    assert.throws(() => parseJsonSource(JSON.stringify({ ...doc, enrollmentGroups: [] }), 'group', { mode: 'update' }), /holds no enrollment groups/);
  });
});

void describe('export format', () => {
  void test('without keys: symmetric keys and server fields are left out', () => {
    const doc = buildExportDocument({ sourceHost: 'h', enrollments: [enrollment], enrollmentGroups: [], includeKeys: false, now: new Date(0) });
    assert.equal(doc.format, EXPORT_FORMAT);
    assert.equal(doc.version, 1);
    assert.equal(doc.keysIncluded, false);
    assert.equal(doc.exportedAtUtc, '1970-01-01T00:00:00.000Z');
    assert.ok(!JSON.stringify(doc).includes(key));
    assert.deepEqual(doc.enrollments[0], { registrationId: 'dev-1', attestation: { type: 'symmetricKey' }, futureField: { kept: true } });
  });

  void test('with keys: the keys are kept', () => {
    assert.equal(portableItem(enrollment, true).attestation.symmetricKey?.primaryKey, key);
  });
});
