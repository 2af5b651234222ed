import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { test } from 'node:test';
import { certificateInfo, normalizeAttestation, parseCertificate, publicAttestation } from '../../../src/emulator/attestation';
import { issueCertificate } from '../../../src/emulator/certificateFactory';
import { eccEndorsementKey, rsaEndorsementKey } from '../../support/attestation';

const ca = issueCertificate({ commonName: 'Unit Root', isCa: true, validDays: 10 });
const leaf = issueCertificate({ commonName: 'unit-device', isCa: false, validDays: 10, issuer: ca, clientAuth: true });
const EK = rsaEndorsementKey().toString('base64');

void test('certificate info comes from the certificate (checked against independent computations)', () => {
  const info = certificateInfo(parseCertificate(leaf.certificatePem, 'c'));
  const der = new X509Certificate(leaf.certificatePem).raw;
  assert.equal(info.sha1Thumbprint, createHash('sha1').update(der).digest('hex').toUpperCase());
  assert.equal(info.sha256Thumbprint, createHash('sha256').update(der).digest('hex').toUpperCase());
  assert.match(info.subjectName, /^CN=unit-device/);
  assert.match(info.issuerName, /CN=Unit Root/);
  assert.equal(info.version, 3);
  assert.ok(Date.parse(info.notAfterUtc) > Date.parse(info.notBeforeUtc));
});

void test('PEM and base64 DER are read; anything else gets a message that does not echo it', () => {
  const der = new X509Certificate(leaf.certificatePem).raw.toString('base64');
  assert.equal(parseCertificate(der, 'c').subject, parseCertificate(leaf.certificatePem, 'c').subject);
  assert.throws(() => parseCertificate(leaf.privateKeyPem, 'cert'), (e: Error) => /private key/.test(e.message) && !e.message.includes('BEGIN'));
  assert.throws(() => parseCertificate('hello world', 'cert'), /not a valid X\.509/);
});

void test('symmetric keys: generated when omitted, validated when given, kept by an update that omits them', () => {
  const created = normalizeAttestation({ type: 'symmetricKey' }, 'enrollment');
  assert.equal(Buffer.from(created.symmetricKey?.primaryKey ?? '', 'base64').length, 64);
  assert.notEqual(created.symmetricKey?.primaryKey, created.symmetricKey?.secondaryKey);
  const updated = normalizeAttestation({ type: 'symmetricKey', symmetricKey: {} }, 'enrollment', created);
  assert.deepEqual(updated.symmetricKey, created.symmetricKey);
  assert.throws(() => normalizeAttestation({ type: 'symmetricKey', symmetricKey: { primaryKey: 'not base64!' } }, 'group'), /base64/);
  assert.throws(() => normalizeAttestation({ type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(65).toString('base64') } }, 'group'), /16..64 bytes, got 65/);
});

void test('type rules: known types only, TPM not in groups, x509 members per kind', () => {
  assert.throws(() => normalizeAttestation({ type: 'password' }, 'enrollment'), /must be one of/);
  assert.throws(() => normalizeAttestation(undefined, 'enrollment'), /attestation is required/);
  assert.throws(() => normalizeAttestation({ type: 'tpm', tpm: { endorsementKey: 'AAAA' } }, 'group'), /do not support TPM/);
  assert.throws(() => normalizeAttestation({ type: 'x509' }, 'enrollment'), /x509 is required/);
  assert.throws(() => normalizeAttestation({ type: 'x509', x509: { signingCertificates: { primary: { certificate: ca.certificatePem } } } }, 'enrollment'), /clientCertificates, not signingCertificates/);
  assert.throws(() => normalizeAttestation({ type: 'x509', x509: {} }, 'group'), /signingCertificates.primary or caReferences/);
  const refs = normalizeAttestation({ type: 'x509', x509: { caReferences: { primary: 'my-ca' } } }, 'group');
  assert.equal(refs.x509?.caReferences?.primary, 'my-ca');
  const tpm = normalizeAttestation({ type: 'tpm', tpm: { endorsementKey: EK }, symmetricKey: { primaryKey: 'x' } }, 'enrollment');
  assert.equal(tpm.symmetricKey, undefined, 'members of other types are dropped');
});

void test('publicAttestation drops the symmetricKey member (keys only withKeys) and certificate bodies, keeps info and the TPM EK', () => {
  const stored = normalizeAttestation({ type: 'symmetricKey' }, 'enrollment');
  const sym = publicAttestation(stored);
  assert.deepEqual(sym, { type: 'symmetricKey' });
  assert.deepEqual(publicAttestation(stored, { withKeys: true }).symmetricKey, stored.symmetricKey);
  const x509 = publicAttestation(normalizeAttestation({ type: 'x509', x509: { clientCertificates: { primary: { certificate: leaf.certificatePem } } } }, 'enrollment'));
  assert.equal(x509.x509?.clientCertificates?.primary?.certificate, undefined);
  assert.ok(x509.x509?.clientCertificates?.primary?.info?.sha1Thumbprint);
  const tpm = publicAttestation(normalizeAttestation({ type: 'tpm', tpm: { endorsementKey: EK } }, 'enrollment'));
  assert.equal(tpm.tpm?.endorsementKey, EK);
});

void test('TPM endorsement keys must be TPM2B_PUBLIC (RSA or ECC); anything else is 400004 with the service text', () => {
  assert.equal(normalizeAttestation({ type: 'tpm', tpm: { endorsementKey: eccEndorsementKey().toString('base64') } }, 'enrollment').type, 'tpm');
  const rsa = rsaEndorsementKey();
  const broken = [
    Buffer.from('not a tpm public area at all'),
    Buffer.concat([rsa, Buffer.from([0])]), // a byte left over
    rsa.subarray(0, rsa.length - 1), // truncated
    Buffer.concat([Buffer.from([0x00, 0x02]), Buffer.from([0x00, 0x08])]), // keyedhash type, not RSA/ECC
  ];
  for (const bytes of broken) {
    assert.throws(() => normalizeAttestation({ type: 'tpm', tpm: { endorsementKey: bytes.toString('base64') } }, 'enrollment'),
      (e: { status?: number; errorCode?: number; message?: string }) =>
        e.status === 400 && e.errorCode === 400004 && e.message === 'Endorsement key is invalid, or does not match the Enrollment.');
  }
});
