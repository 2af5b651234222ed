import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AttestationError, certificateFacts, generateDeviceCertificate, generateRootCertificate, generateVerificationCertificate, KeySpec, ProblemCode,
} from '../../../src/attestation';
import { openssl, opensslAvailable, testChain, withTempDir, writeFiles } from '../../support/attestation';

const hasOpenssl = opensslAvailable();
const x = (pem: string) => new X509Certificate(pem);
const issuedBy = (child: X509Certificate, parent: X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
const rejectsWith = (code: ProblemCode) => (e: unknown) => e instanceof AttestationError && e.code === code;
const samePublicKey = (certPem: string, keyPem: string) =>
  x(certPem).publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' }));

void describe('certificate generation', () => {
  for (const key of ['rsa-2048', 'ecdsa-p256', 'ecdsa-p384'] as KeySpec[]) {
    void test(`${key}: root → intermediate → device chain validates with Node and openssl`, async () => {
      const { root, intermediate, device } = await testChain(key, 'chain-device-01');
      const [r, i, d] = [x(root.certificatePem), x(intermediate.certificatePem), x(device.certificatePem)];
      assert.ok(r.verify(r.publicKey) && r.checkIssued(r));
      assert.ok(issuedBy(i, r));
      assert.ok(issuedBy(d, i));
      assert.equal(issuedBy(d, r), false);
      for (const c of [root, intermediate, device]) assert.ok(samePublicKey(c.certificatePem, c.privateKeyPem));
      assert.equal(d.subject, 'CN=chain-device-01');
      assert.deepEqual([root.facts.isCA, intermediate.facts.isCA, intermediate.facts.pathLength, device.facts.isCA], [true, true, 0, false]);
      if (!hasOpenssl) return;
      await withTempDir((dir) => {
        const p = writeFiles(dir, { 'root.pem': root.certificatePem, 'int.pem': intermediate.certificatePem, 'dev.pem': device.certificatePem });
        const verified = openssl(['verify', '-purpose', 'sslclient', '-CAfile', p['root.pem'] ?? '', '-untrusted', p['int.pem'] ?? '', p['dev.pem'] ?? '']);
        assert.equal(verified.status, 0, verified.stderr + verified.stdout);
        assert.match(verified.stdout, /OK/);
        const wrongAnchor = openssl(['verify', '-CAfile', p['int.pem'] ?? '', p['dev.pem'] ?? '']);
        assert.notEqual(wrongAnchor.status, 0);
      });
    });
  }

  void test('device certificates refuse a CN that cannot be a registration id, and unknown key types', async () => {
    const { root } = await testChain();
    const issuer = { certificate: root.certificatePem, privateKey: root.privateKeyPem };
    await assert.rejects(generateDeviceCertificate({ commonName: 'my device', issuer }), rejectsWith('invalidRegistrationId'));
    await assert.rejects(generateRootCertificate({ commonName: 'x', key: 'dsa-1024' as KeySpec }), rejectsWith('invalidOption'));
    await assert.rejects(generateRootCertificate({ commonName: 'x', validityDays: 0 }), rejectsWith('invalidOption'));
    await assert.rejects(generateRootCertificate({ commonName: 'c'.repeat(65) }), rejectsWith('invalidOption'));
  });
});

void describe('proof-of-possession verification certificate', () => {
  const code = '2F8B3F0C9A1E4D7B6C5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C';

  const caKinds: [string, KeySpec, (pem: string) => string, string | undefined][] = [
    ['RSA CA, plain PKCS#8 key', 'rsa-2048', (pem) => pem, undefined],
    ['ECDSA P-256 CA, encrypted PKCS#8 key', 'ecdsa-p256', (pem) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'ca-pass-1' }).toString(), 'ca-pass-1'],
    ['RSA CA, legacy Proc-Type encrypted PKCS#1 key', 'rsa-2048', (pem) => createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'ca-pass-2' }).toString(), 'ca-pass-2'],
    ['ECDSA P-384 CA, legacy encrypted SEC1 key', 'ecdsa-p384', (pem) => createPrivateKey(pem).export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'ca-pass-3' }).toString(), 'ca-pass-3'],
  ];
  for (const [name, key, protect, passphrase] of caKinds) {
    void test(`${name}: CN is the code, the issuer is the CA, and the CA's key signed it`, async () => {
      const { root } = await testChain(key);
      const verification = await generateVerificationCertificate({
        caCertificate: root.certificatePem, caPrivateKey: protect(root.privateKeyPem), passphrase, verificationCode: ` ${code}\n`,
      });
      const v = x(verification.certificatePem);
      const ca = x(root.certificatePem);
      assert.equal(verification.facts.commonName, code);
      assert.equal(v.issuer, ca.subject);
      assert.ok(issuedBy(v, ca));
      assert.deepEqual([verification.facts.isCA, verification.facts.keyUsage], [false, ['digitalSignature']]);
      assert.equal(verification.facts.keyAlgorithm, root.facts.keyAlgorithm);
      assert.deepEqual(verification.problems, []);
      if (!hasOpenssl) return;
      await withTempDir((dir) => {
        const p = writeFiles(dir, { 'ca.pem': root.certificatePem, 'v.pem': verification.certificatePem });
        const verified = openssl(['verify', '-CAfile', p['ca.pem'] ?? '', p['v.pem'] ?? '']);
        assert.equal(verified.status, 0, verified.stderr);
      });
    });
  }

  void test('an intermediate CA can be verified too', async () => {
    const { intermediate } = await testChain('ecdsa-p256');
    const verification = await generateVerificationCertificate({ caCertificate: intermediate.certificatePem, caPrivateKey: intermediate.privateKeyPem, verificationCode: code });
    assert.ok(issuedBy(x(verification.certificatePem), x(intermediate.certificatePem)));
    assert.equal(verification.facts.issuer, 'CN=DPS Test Intermediate CA');
  });

  void test('an openssl-made CA with a passphrase-protected key is verified', { skip: !hasOpenssl && 'openssl is not installed' }, async () => {
    await withTempDir(async (dir) => {
      const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-keyout', `${dir}/ca.key`, '-passout', 'pass:open-sesame', '-subj', '/O=Fabrikam/CN=Fabrikam Root', '-days', '5', '-out', `${dir}/ca.pem`]);
      assert.equal(made.status, 0, made.stderr);
      const verification = await generateVerificationCertificate({
        caCertificate: readFileSync(`${dir}/ca.pem`), caPrivateKey: readFileSync(`${dir}/ca.key`, 'utf8'), passphrase: 'open-sesame', verificationCode: code,
      });
      writeFiles(dir, { 'v.pem': verification.certificatePem });
      const verified = openssl(['verify', '-CAfile', `${dir}/ca.pem`, `${dir}/v.pem`]);
      assert.equal(verified.status, 0, verified.stderr);
      assert.equal(certificateFacts(x(verification.certificatePem)).issuer, 'O=Fabrikam, CN=Fabrikam Root');
    });
  });

  void test('passphrase missing, passphrase wrong, key of another CA, and a certificate given as the key each have their own error', async () => {
    const { root } = await testChain('ecdsa-p256');
    const other = await testChain('ecdsa-p384');
    const encrypted = createPrivateKey(root.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right-pass' }).toString();
    const base = { caCertificate: root.certificatePem, verificationCode: code };
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: encrypted }), rejectsWith('passphraseRequired'));
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: encrypted, passphrase: 'wrong-pass' }), (e: unknown) =>
      rejectsWith('wrongPassphrase')(e) && !(e as Error).message.includes('wrong-pass'));
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: other.root.privateKeyPem }), rejectsWith('keyDoesNotMatchCertificate'));
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: root.certificatePem }), (e: unknown) =>
      rejectsWith('notAPrivateKey')(e) && /holds a certificate/.test((e as Error).message));
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: root.privateKeyPem, verificationCode: 'code with spaces' }), rejectsWith('invalidVerificationCode'));
    await assert.rejects(generateVerificationCertificate({ ...base, caPrivateKey: root.privateKeyPem, verificationCode: '' }), rejectsWith('invalidVerificationCode'));
    await assert.rejects(generateVerificationCertificate({ ...base, caCertificate: root.privateKeyPem, caPrivateKey: root.privateKeyPem }), rejectsWith('privateKeyGiven'));
  });

  void test('a leaf uploaded as "CA" still gets a certificate, with a warning', async () => {
    const { device } = await testChain('ecdsa-p256');
    const verification = await generateVerificationCertificate({ caCertificate: device.certificatePem, caPrivateKey: device.privateKeyPem, verificationCode: code });
    assert.deepEqual(verification.problems.map((p) => [p.code, p.severity]), [['notACa', 'warning']]);
  });
});

void test('a legacy-encrypted CA key read from disk as bytes keeps its headers and decrypts', async () => {
  const { root } = await testChain('rsa-2048');
  const legacy = createPrivateKey(root.privateKeyPem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'disk-pass' }).toString();
  const verification = await generateVerificationCertificate({
    caCertificate: Buffer.from(root.certificatePem), caPrivateKey: Buffer.from(legacy.replace(/\n/g, '\r\n')), passphrase: 'disk-pass', verificationCode: 'ABC123',
  });
  assert.ok(issuedBy(x(verification.certificatePem), x(root.certificatePem)));
});

void test('loading the toolkit does not load the certificate builder until something is generated', () => {
  // @peculiar/x509 costs ~100 ms to load; the extension imports the toolkit at start-up.
  const script = "const a = require('./src/attestation'); const before = typeof Reflect.getMetadata;" +
    " a.generateRootCertificate({ commonName: 'Lazy', key: 'ecdsa-p256' }).then(() => console.log(before, typeof Reflect.getMetadata));";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: resolve(__dirname, '..', '..', '..'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'undefined function');
});
