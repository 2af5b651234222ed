// The contributed JSON Schema agrees with the parser: what export writes and the README example
// validate; what the parser refuses, the schema flags too, so the editor marks it while typing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { desiredStateOf } from '../../../src/ascode';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'media', 'schemas', 'dps-desired-state.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

void describe('desired-state JSON Schema', () => {
  void test('accepts an export and the documented forms', () => {
    const exported = desiredStateOf([
      { kind: 'enrollment', id: 'dev-1', item: { registrationId: 'dev-1', attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled', etag: 'x' } },
      { kind: 'group', id: 'g', item: { enrollmentGroupId: 'g', attestation: { type: 'x509', x509: { caReferences: { primary: 'ca' } } } } },
    ]);
    assert.ok(validate(exported), JSON.stringify(validate.errors));
    const written = {
      version: 1,
      enrollments: [
        { registrationId: 'dev-01', attestation: { type: 'x509', certificate: { file: 'certs/device-01.pem' } }, initialTwin: { tags: { site: 'a' } } },
        { registrationId: 'dev-02', attestation: { type: 'symmetricKey', keys: { primary: { env: 'DEV02_PRIMARY_KEY' }, secondary: { env: 'DEV02_SECONDARY_KEY' } } } },
      ],
      enrollmentGroups: [{ enrollmentGroupId: 'line-1', attestation: { type: 'symmetricKey', keys: 'generate' }, capabilities: { iotEdge: true } }],
    };
    assert.ok(validate(written), JSON.stringify(validate.errors));
  });

  void test('flags a pasted key, a server field, a TPM group and an unknown field', () => {
    for (const bad of [
      { version: 1, enrollments: [{ registrationId: 'a', attestation: { type: 'symmetricKey', primaryKey: 'abc' } }] },
      { version: 1, enrollments: [{ registrationId: 'a', attestation: { type: 'none' }, etag: 'x' }] },
      { version: 1, enrollmentGroups: [{ enrollmentGroupId: 'g', attestation: { type: 'tpm', endorsementKey: 'x' } }] },
      { version: 1, enrollments: [{ registrationId: 'a', attestation: { type: 'none' }, provisoningStatus: 'enabled' }] },
      { version: 2 },
      { version: 1, enrollments: [{ registrationId: 'a', attestation: { type: 'none' }, namespaceName: 'adr-ns' }] },
      { version: 1, enrollmentGroups: [{ enrollmentGroupId: 'g', attestation: { type: 'symmetricKey' }, namespaceName: 'ADR', certificateAuthorityName: 'ca1', certificatePolicyName: 'p01' }] },
    ]) assert.equal(validate(bad), false, JSON.stringify(bad));
  });

  void test('a certificate policy of three names validates, as export writes it', () => {
    const policy = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
    const exported = desiredStateOf([
      { kind: 'enrollment', id: 'd', item: { registrationId: 'd', attestation: { type: 'symmetricKey' }, ...policy } },
      { kind: 'group', id: 'g', item: { enrollmentGroupId: 'g', attestation: { type: 'symmetricKey' }, ...policy } },
    ]);
    assert.deepEqual(exported.enrollmentGroups[0]?.certificatePolicyName, 'device-certs');
    assert.ok(validate(exported), JSON.stringify(validate.errors));
  });
});
