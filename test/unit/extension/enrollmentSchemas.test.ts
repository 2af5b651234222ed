// The JSON Schemas VS Code applies to enrollment documents: what they refuse (so the editor
// underlines it before a save) and what they must keep accepting (unknown fields, service output).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { schemaValidators } from '../../support/enrollmentSchemas';
import { DOCUMENT_SCHEME, formatDocumentPath } from '../../../src/documents/documentUri';

const validators = schemaValidators();
const tpm = { type: 'tpm', tpm: { endorsementKey: 'AToAAQALAAMAsgAgg3GXZ0SEs/gakMyNRqXXJP1S124GUgtk8qHaGzMUaaoABgCAAEMAEAgAAAAAAAEA' } };

function errorsOf(kind: 'enrollment' | 'group', value: unknown): string[] {
  const validate = validators[kind];
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

void describe('enrollment document schemas', () => {
  void test('a full enrollment as the service returns it, with fields of newer API versions, is valid', () => {
    const doc = {
      registrationId: 'dev-01',
      deviceId: 'dev-01',
      registrationState: { registrationId: 'dev-01', status: 'unassigned' },
      attestation: { ...tpm, futureMember: { x: 1 } },
      capabilities: { iotEdge: false },
      iotHubs: ['hub-a.azure-devices.net', 'localhost:8443'],
      allocationPolicy: 'hashed',
      provisioningStatus: null,
      reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: false },
      initialTwin: { tags: { site: 'x' }, properties: { desired: { interval: 5 } } },
      etag: 'IjBhMDBiNzQyLTAwMDAtMDgwMC0wMDAwLTY0NjgwMWY1MDAwMCI=',
      createdDateTimeUtc: '2023-05-19T23:10:45.1256254Z',
      deviceRegistryPolicy: { namespaceName: 'ns' },
    };
    assert.deepEqual(errorsOf('enrollment', doc), []);
    assert.deepEqual(errorsOf('group', { enrollmentGroupId: 'fleet', attestation: { type: 'symmetricKey' }, newField: true }), []);
  });

  void test('bad values are refused, each at its field', () => {
    const base = { registrationId: 'dev-01', attestation: tpm };
    assert.match(errorsOf('enrollment', { ...base, provisioningStatus: 'paused' }).join('\n'), /^\/provisioningStatus /m);
    assert.match(errorsOf('enrollment', { ...base, iotHubs: ['not a hub'] }).join('\n'), /^\/iotHubs\/0 /m);
    assert.match(errorsOf('enrollment', { ...base, allocationPolicy: 'random' }).join('\n'), /^\/allocationPolicy /m);
    assert.match(errorsOf('enrollment', { ...base, capabilities: { iotEdge: 'yes' } }).join('\n'), /^\/capabilities\/iotEdge /m);
    assert.match(errorsOf('enrollment', { registrationId: 'dev-01', attestation: { type: 'tpm' } }).join('\n'), /^\/attestation .*tpm/m);
    assert.match(errorsOf('enrollment', { registrationId: 'dev 01!', attestation: tpm }).join('\n'), /^\/registrationId /m);
    assert.match(errorsOf('enrollment', { attestation: tpm }).join('\n'), /registrationId/);
    assert.match(errorsOf('group', { enrollmentGroupId: 'fleet', attestation: tpm }).join('\n'), /^\/attestation\/type /m);
  });

  void test('package.json associates each schema with the documents of its kind, by scheme and folder', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { jsonValidation: Array<{ fileMatch: string; url: string }> } };
    const byUrl = Object.fromEntries(manifest.contributes.jsonValidation.map((v) => [v.url, v.fileMatch]));
    // VS Code turns "*" into "[^/]*" and tests the whole URI: the encoded connection id is one segment.
    const toRegex = (glob: string) => new RegExp(`^${glob.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    const uri = (kind: 'enrollment' | 'group') => `${DOCUMENT_SCHEME}:${formatDocumentPath({ connectionId: 'hub.azure-devices-provisioning.net/owner', kind, id: 'dev-01' })}`;
    const individual = toRegex(byUrl['./media/schemas/individualEnrollment.schema.json'] ?? '');
    const group = toRegex(byUrl['./media/schemas/enrollmentGroup.schema.json'] ?? '');
    assert.ok(individual.test(uri('enrollment')) && !individual.test(uri('group')));
    assert.ok(group.test(uri('group')) && !group.test(uri('enrollment')));
    assert.ok(!individual.test('file:///home/me/enrollments/dev-01.json'), 'the user\'s own files are left alone');
  });
});
