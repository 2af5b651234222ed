import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { daysUntil, earliestExpiry, expiryPhrase, needsExpiryWarning } from '../../../src/attestation/expiry';
import type { AttestationMechanism } from '../../../src/dps/models';
import { checkValidity } from '../../../src/attestation/checks';
import type { CertificateFacts } from '../../../src/attestation/facts';

const now = new Date('2025-03-01T12:00:00Z');
const info = (notAfterUtc: string, subjectName = 'CN=x') => ({ info: { subjectName, sha1Thumbprint: '', sha256Thumbprint: '', issuerName: '', notBeforeUtc: '2024-01-01T00:00:00Z', notAfterUtc, serialNumber: '', version: 3 } });

void describe('certificate expiry', () => {
  void test('the earliest end among client and signing certificates, primary and secondary', () => {
    const attestation: AttestationMechanism = {
      type: 'x509',
      x509: { clientCertificates: { primary: info('2025-06-01T00:00:00Z'), secondary: info('2025-03-27T13:00:00Z', 'CN=second') } },
    };
    const e = earliestExpiry(attestation, now);
    assert.equal(e?.daysLeft, 26);
    assert.equal(e?.which, 'secondary client certificate');
    assert.equal(e?.subjectName, 'CN=second');
    assert.ok(needsExpiryWarning(e));
  });

  void test('31 days left is no warning; no dates or not X.509 is nothing', () => {
    assert.equal(needsExpiryWarning(earliestExpiry({ type: 'x509', x509: { signingCertificates: { primary: info('2025-04-01T13:00:00Z') } } }, now)), false);
    assert.equal(earliestExpiry({ type: 'x509', x509: { caReferences: { primary: 'ca' } } }, now), undefined);
    assert.equal(earliestExpiry({ type: 'x509', x509: { clientCertificates: { primary: info('not a date') } } }, now), undefined);
    assert.equal(earliestExpiry({ type: 'tpm', tpm: { endorsementKey: 'x' } }, now), undefined);
  });

  void test('phrases for past, today, one and many days', () => {
    assert.equal(daysUntil(new Date('2025-02-26T12:00:00Z'), now), -3);
    assert.equal(expiryPhrase(-3), 'expired 3 days ago');
    assert.equal(expiryPhrase(-1), 'expired 1 day ago');
    assert.equal(expiryPhrase(0), 'expires today');
    assert.equal(expiryPhrase(1), 'expires in 1 day');
    assert.equal(expiryPhrase(26), 'expires in 26 days');
  });
});

void describe('certificate validity checks warn before the end', () => {
  const facts = (notAfter: string) => ({ commonName: 'device-01', subject: 'CN=device-01', validity: 'valid', notBefore: '2024-01-01T00:00:00.000Z', notAfter }) as unknown as CertificateFacts;

  void test('within 30 days: an "expiring soon" warning that says when; further out: nothing', () => {
    const soon = checkValidity(facts('2025-03-27T13:00:00.000Z'), now);
    assert.deepEqual(soon.map((p) => [p.code, p.severity]), [['expiringSoon', 'warning']]);
    assert.match(soon[0]?.message ?? '', /"device-01" expires in 26 days \(2025-03-27T13:00:00.000Z\)/);
    assert.deepEqual(checkValidity(facts('2025-06-01T00:00:00.000Z'), now), []);
  });
});
