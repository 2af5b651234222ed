import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDocumentPath, parseDocumentPath } from '../../../src/documents/documentUri';
import { DocumentValidationError, parseEditedDocument, serializeForEditing, withPreservedKeys } from '../../../src/documents/enrollmentDocument';

void describe('enrollment documents', () => {
  void test('paths round-trip ids with any allowed character and connection ids with "/"', () => {
    const address = { connectionId: 'localhost:8443/provisioningserviceowner', kind: 'enrollment' as const, id: 'dev:01.a_b-' };
    const p = formatDocumentPath(address);
    assert.equal(p, '/localhost%3A8443%2Fprovisioningserviceowner/enrollments/dev%3A01.a_b-.json');
    assert.deepEqual(parseDocumentPath(p), address);
    assert.throws(() => parseDocumentPath('/x/other/y.json'), /Not an enrollment document path/);
  });

  void test('a saved document must be one JSON object keeping its id and an attestation type', () => {
    const ok = parseEditedDocument(serializeForEditing({ registrationId: 'a', attestation: { type: 'tpm' }, future: { x: 1 } }), 'enrollment', 'a');
    assert.deepEqual(ok.future, { x: 1 }, 'unknown fields survive');
    const cases: Array<[string, RegExp]> = [
      ['{ "registrationId": "a", ', /not valid JSON/],
      ['[1]', /one JSON object/],
      ['{"registrationId":"b","attestation":{"type":"tpm"}}', /"registrationId" must stay "a"/],
      ['{"registrationId":"a"}', /"attestation" with a "type"/],
      ['{"registrationId":"a","attestation":{"type":"tpm"},"provisioningStatus":"off"}', /"enabled" or "disabled"/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseEditedDocument(text, 'enrollment', 'a'), (e: unknown) => e instanceof DocumentValidationError && message.test(e.message), text);
    }
    assert.throws(() => parseEditedDocument('{"registrationId":"g","attestation":{"type":"x509"}}', 'group', 'g'), /"enrollmentGroupId" must stay "g"/);
  });

  void test('stored symmetric keys are put back when the document has none, and typed keys win', () => {
    const stored = { type: 'symmetricKey' as const, symmetricKey: { primaryKey: 'cHJpbQ==', secondaryKey: 'c2Vj' } };
    const doc = { registrationId: 'a', attestation: { type: 'symmetricKey' as const, symmetricKey: {} } };
    assert.deepEqual(withPreservedKeys(doc, stored).attestation.symmetricKey, { primaryKey: 'cHJpbQ==', secondaryKey: 'c2Vj' });
    const typed = { registrationId: 'a', attestation: { type: 'symmetricKey' as const, symmetricKey: { primaryKey: 'bmV3' } } };
    assert.deepEqual(withPreservedKeys(typed, stored).attestation.symmetricKey, { primaryKey: 'bmV3', secondaryKey: 'c2Vj' });
    const x509 = { registrationId: 'a', attestation: { type: 'x509' as const } };
    assert.equal(withPreservedKeys(x509, stored), x509, 'other attestation types are left alone');
  });
});

void describe('parseEditedDocument reports every problem at once', () => {
  void test('a bad hub and a bad status are named together', () => {
    const text = JSON.stringify({ registrationId: 'a', attestation: { type: 'tpm' }, provisioningStatus: 'off', iotHubs: ['not a hub'] });
    assert.throws(() => parseEditedDocument(text, 'enrollment', 'a'), (e: unknown) =>
      e instanceof DocumentValidationError && /2 problems/.test(e.message) && /provisioningStatus/.test(e.message) && /"iotHubs": "not a hub"/.test(e.message));
  });
});
