import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSymmetricKeyAttestation, buildTpmAttestation, buildX509GroupAttestation, buildX509IndividualAttestation, checkAttestationMechanism } from '../../../src/attestation';
import { rsaEndorsementKey, testChain } from '../../support/attestation';

const found = (value: unknown, kind: 'group' | 'enrollment') => checkAttestationMechanism(value, kind).map((p) => [p.code, p.field]);

void describe('checking a whole attestation mechanism', () => {
  void test('what the builders make passes', async () => {
    const { root, device } = await testChain();
    const built = [
      [buildX509GroupAttestation({ primaryCertificate: root.certificatePem }), 'group'],
      [buildX509IndividualAttestation({ primaryCertificate: device.certificatePem }), 'enrollment'],
      [buildTpmAttestation({ endorsementKey: rsaEndorsementKey().toString('base64') }), 'enrollment'],
      [buildSymmetricKeyAttestation(), 'group'],
    ] as const;
    for (const [result, kind] of built) {
      assert.ok(result.ok);
      assert.deepEqual(checkAttestationMechanism(result.attestation, kind), []);
    }
    assert.deepEqual(checkAttestationMechanism({ type: 'none' }, 'enrollment'), []);
  });

  void test('shape mistakes: no object, unknown type, missing member, ignored member', () => {
    assert.deepEqual(found('x509', 'group'), [['invalidAttestation', 'attestation']]);
    assert.deepEqual(found({ type: 'X509' }, 'group'), [['invalidAttestation', 'attestation.type']]);
    assert.deepEqual(found({ type: 'tpm' }, 'enrollment'), [['invalidAttestation', 'attestation.tpm']]);
    assert.deepEqual(found({ type: 'x509', x509: {} }, 'group'), [['invalidAttestation', 'attestation.x509']]);
    assert.deepEqual(found({ type: 'symmetricKey', symmetricKey: {}, tpm: { endorsementKey: 'x' } }, 'group'), [['ignoredMember', 'attestation.tpm']]);
  });

  void test('kind mistakes: TPM on a group, certificates in the slot of the other kind', async () => {
    const { root, device } = await testChain();
    assert.deepEqual(found({ type: 'tpm', tpm: { endorsementKey: rsaEndorsementKey().toString('base64') } }, 'group'), [['tpmForGroup', 'attestation.type']]);
    assert.deepEqual(found({ type: 'x509', x509: { clientCertificates: { primary: { certificate: device.certificatePem } } } }, 'group'), [['wrongCertificateSlot', 'attestation.x509.clientCertificates']]);
    assert.deepEqual(found({ type: 'x509', x509: { signingCertificates: { primary: { certificate: root.certificatePem } } } }, 'enrollment'), [['wrongCertificateSlot', 'attestation.x509.signingCertificates']]);
    assert.deepEqual(found({ type: 'x509', x509: { caReferences: { primary: 'ca' } } }, 'enrollment'), [['wrongCertificateSlot', 'attestation.x509.caReferences']]);
  });

  void test('content mistakes reach the same checks as the builders, with the field path', async () => {
    const { root, device } = await testChain();
    assert.deepEqual(found({ type: 'x509', x509: { signingCertificates: { primary: { certificate: device.certificatePem } } } }, 'group'),
      [['leafForGroup', 'attestation.x509.signingCertificates.primary']]);
    assert.deepEqual(found({ type: 'x509', x509: { signingCertificates: { primary: { certificate: root.certificatePem }, secondary: { certificate: root.privateKeyPem } } } }, 'group'),
      [['privateKeyGiven', 'attestation.x509.signingCertificates.secondary']]);
    assert.deepEqual(found({ type: 'tpm', tpm: { endorsementKey: rsaEndorsementKey().toString('hex') } }, 'enrollment'), [['tpmHexGiven', 'attestation.tpm.endorsementKey']]);
    assert.deepEqual(found({ type: 'symmetricKey', symmetricKey: { primaryKey: 'short', secondaryKey: 42 } }, 'enrollment'),
      [['keyNotBase64', 'attestation.symmetricKey.primaryKey'], ['invalidAttestation', 'attestation.symmetricKey.secondaryKey']]);
  });

  void test('a certificate read back from the service (info only) is checked by its dates', () => {
    const info = (notAfterUtc: string) => ({ subjectName: 'CN=old-ca', sha1Thumbprint: 'A', sha256Thumbprint: 'B', issuerName: 'CN=old-ca', notBeforeUtc: '2020-01-01T00:00:00Z', notAfterUtc, serialNumber: '01', version: 3 });
    const expired = { type: 'x509', x509: { signingCertificates: { primary: { info: info('2021-01-01T00:00:00Z') } } } };
    assert.deepEqual(checkAttestationMechanism(expired, 'group').map((p) => [p.code, p.severity]), [['expired', 'warning']]);
    const current = { type: 'x509', x509: { signingCertificates: { primary: { info: info(new Date(Date.now() + 86_400_000).toISOString()) } } } };
    assert.deepEqual(checkAttestationMechanism(current, 'group'), []);
  });
});
