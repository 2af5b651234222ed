import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateFacts, generateDeviceCertificate, generateRootCertificate, KeySpec, readCertificates } from '../../../src/attestation';
import { openssl, opensslAvailable, testChain, withTempDir } from '../../support/attestation';

const DAY = 86_400_000;

void describe('certificate facts', () => {
  const expectations: [KeySpec, string, number, string | null][] = [
    ['rsa-2048', 'RSA', 2048, null],
    ['ecdsa-p256', 'ECDSA', 256, 'P-256'],
    ['ecdsa-p384', 'ECDSA', 384, 'P-384'],
  ];
  for (const [key, algorithm, size, curve] of expectations) {
    void test(`${key}: names, thumbprints, CA flags, key usage and key details of a whole chain`, async () => {
      const { root, intermediate, device } = await testChain(key);
      const rootX = new X509Certificate(root.certificatePem);
      const r = certificateFacts(rootX);
      const i = certificateFacts(new X509Certificate(intermediate.certificatePem));
      const d = certificateFacts(new X509Certificate(device.certificatePem));

      assert.equal(r.commonName, 'DPS Test Root CA');
      assert.equal(r.subject, 'CN=DPS Test Root CA');
      assert.equal(i.issuerCommonName, 'DPS Test Root CA');
      assert.equal(d.commonName, 'device-01');
      assert.equal(d.issuer, 'CN=DPS Test Intermediate CA');
      assert.equal(r.sha1Thumbprint, rootX.fingerprint.replace(/:/g, ''));
      assert.equal(r.sha256Thumbprint, createHash('sha256').update(rootX.raw).digest('hex').toUpperCase());
      assert.equal(r.serialNumber, rootX.serialNumber.toUpperCase());
      assert.deepEqual([r.isCA, r.pathLength, r.selfSigned], [true, null, true]);
      assert.deepEqual([i.isCA, i.pathLength, i.selfSigned], [true, 0, false]);
      assert.deepEqual([d.isCA, d.pathLength, d.selfSigned], [false, null, false]);
      assert.deepEqual(r.keyUsage, ['digitalSignature', 'keyCertSign', 'cRLSign']);
      assert.ok(d.keyUsage.includes('digitalSignature') && !d.keyUsage.includes('keyCertSign'));
      assert.deepEqual(d.extendedKeyUsage, ['clientAuth']);
      for (const f of [r, i, d]) {
        assert.deepEqual([f.keyAlgorithm, f.keySize, f.curve, f.version, f.validity], [algorithm, size, curve, 3, 'valid']);
      }
      // The facts are plain data: they survive a trip through JSON unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
    });
  }

  void test('RSA 4096 reports its size', async () => {
    const root = await generateRootCertificate({ commonName: 'Big RSA Root', key: 'rsa-4096' });
    assert.deepEqual([root.facts.keyAlgorithm, root.facts.keySize], ['RSA', 4096]);
  });

  void test('validity: expired, not yet valid, and valid depend on the clock given', async () => {
    const { device } = await testChain();
    const f = certificateFacts(new X509Certificate(device.certificatePem));
    assert.equal(certificateFacts(new X509Certificate(device.certificatePem), new Date(Date.parse(f.notAfter) + DAY)).validity, 'expired');
    assert.equal(certificateFacts(new X509Certificate(device.certificatePem), new Date(Date.parse(f.notBefore) - DAY)).validity, 'notYetValid');
    const { root } = await testChain();
    const expired = await generateDeviceCertificate({
      commonName: 'old-device', key: 'ecdsa-p256', notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY),
      issuer: { certificate: root.certificatePem, privateKey: root.privateKeyPem },
    });
    assert.equal(expired.facts.validity, 'expired');
  });

  void test('agrees with openssl on an openssl-made CA with a path length and on thumbprints', { skip: !opensslAvailable() && 'openssl is not installed' }, async () => {
    await withTempDir((dir) => {
      const made = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', `${dir}/k.pem`,
        '-subj', '/C=US/O=Contoso/CN=Contoso Root', '-days', '10',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${dir}/c.pem`]);
      assert.equal(made.status, 0, made.stderr);
      const pem = openssl(['x509', '-in', `${dir}/c.pem`]).stdout;
      const f = certificateFacts(new X509Certificate(pem));
      assert.deepEqual([f.commonName, f.isCA, f.pathLength, f.curve, f.selfSigned], ['Contoso Root', true, 2, 'P-384', true]);
      assert.deepEqual(f.keyUsage, ['keyCertSign', 'cRLSign']);
      assert.equal(f.subject, 'C=US, O=Contoso, CN=Contoso Root');
      const sha256 = openssl(['x509', '-in', `${dir}/c.pem`, '-noout', '-fingerprint', '-sha256']).stdout;
      assert.equal(f.sha256Thumbprint, sha256.split('=')[1]?.trim().replace(/:/g, ''));
      const sha1 = openssl(['x509', '-in', `${dir}/c.pem`, '-noout', '-fingerprint', '-sha1']).stdout;
      assert.equal(f.sha1Thumbprint, sha1.split('=')[1]?.trim().replace(/:/g, ''));
    });
  });

  void test('an openssl-made version 1 certificate (no extensions) is read as a self-signed leaf', { skip: !opensslAvailable() && 'openssl is not installed' }, async () => {
    await withTempDir((dir) => {
      assert.equal(openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${dir}/k.pem`]).status, 0);
      assert.equal(openssl(['req', '-new', '-key', `${dir}/k.pem`, '-subj', '/CN=legacy-device', '-out', `${dir}/r.csr`]).status, 0);
      assert.equal(openssl(['x509', '-req', '-in', `${dir}/r.csr`, '-signkey', `${dir}/k.pem`, '-days', '2', '-outform', 'DER', '-out', `${dir}/c.der`]).status, 0);
      const read = readCertificates(readFileSync(`${dir}/c.der`));
      assert.deepEqual(read.problems, []);
      const f = certificateFacts(read.certificates[0]?.x509 ?? new Uint8Array());
      assert.deepEqual([f.version, f.isCA, f.selfSigned, f.commonName, f.keyUsage], [1, false, true, 'legacy-device', []]);
    });
  });
});
