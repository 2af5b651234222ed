import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { AttestationProblem, readCertificates } from '../../../src/attestation';
import { subtle, x509 } from '../../../src/attestation/x509Provider';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { leaksSecret, openssl, opensslAvailable, testChain, withTempDir } from '../../support/attestation';

const codes = (problems: readonly AttestationProblem[]) => problems.map((p) => p.code);
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const derOf = (pem: string) => Buffer.from(pemBody(pem), 'base64');

void describe('reading certificate input', () => {
  void test('a PEM chain with CRLF line ends, a BOM and text around the blocks yields every certificate in order', async () => {
    const chain = await testChain('ecdsa-p256');
    const text = '\uFEFFBag Attributes\r\n    friendlyName: device\r\n' +
      [chain.device, chain.intermediate, chain.root].map((c) => `subject=whatever\r\n${c.certificatePem.replace(/\n/g, '\r\n')}`).join('\r\n') +
      'trailing notes\r\n';
    const read = readCertificates(text);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.blocks.map((b) => [b.kind, b.encoding, b.label]), Array(3).fill(['certificate', 'pem', 'CERTIFICATE']));
    const expectedDer = [chain.device, chain.intermediate, chain.root].map((c) => derOf(c.certificatePem));
    assert.deepEqual(read.certificates.map((c) => c.der), expectedDer);
    assert.equal(read.certificates[0]?.pem, chain.device.certificatePem);
  });

  void test('DER bytes, base64 DER text, and a PEM file as bytes are read alike', async () => {
    const { device } = await testChain('rsa-2048');
    const der = derOf(device.certificatePem);
    for (const [input, encoding] of [[der, 'der'], [der.toString('base64'), 'base64'], [der.toString('base64').replace(/(.{76})/g, '$1\n'), 'base64'], [Buffer.from(device.certificatePem), 'pem']] as const) {
      const read = readCertificates(input);
      assert.deepEqual(read.problems, [], String(encoding));
      assert.equal(read.blocks[0]?.encoding, encoding);
      assert.deepEqual(read.certificates[0]?.der, der);
    }
  });

  void test('an empty file, whitespace, and an empty buffer say the file is empty', () => {
    for (const input of ['', '  \r\n\t', new Uint8Array(0), '\uFEFF']) {
      assert.deepEqual(codes(readCertificates(input).problems), ['empty']);
    }
  });

  void test('garbage and hex text each get their own message', async () => {
    assert.deepEqual(codes(readCertificates('hello, this is my certificate').problems), ['notCertificateText']);
    assert.deepEqual(codes(readCertificates(Buffer.from([0x00, 0xff, 0x13, 0x37])).problems), ['notCertificateText']);
    const { device } = await testChain();
    assert.deepEqual(codes(readCertificates(derOf(device.certificatePem).toString('hex')).problems), ['hexGiven']);
  });

  void test('a PEM block with no END line is reported as cut short', async () => {
    const { device, root } = await testChain();
    const cut = root.certificatePem + device.certificatePem.slice(0, 200);
    const read = readCertificates(cut);
    assert.equal(read.certificates.length, 1);
    assert.deepEqual(codes(read.problems), ['truncatedPem']);
  });

  void test('a certificate block with damaged content is reported as corrupt, not as garbage', async () => {
    const { device } = await testChain();
    const body = pemBody(device.certificatePem);
    const damaged = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 120)}\n-----END CERTIFICATE-----\n`;
    assert.deepEqual(codes(readCertificates(damaged).problems), ['corruptCertificate']);
  });

  void describe('private keys where a certificate is expected', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys: Record<string, string> = {
      'PKCS#8 RSA': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'PKCS#1 RSA': rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      'SEC1 EC': ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      'PKCS#8 EC': ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    for (const [name, pem] of Object.entries(keys)) {
      void test(`${name} PEM, DER and base64 are each called a private key, without echoing it`, () => {
        for (const input of [pem, derOf(pem), pemBody(pem)]) {
          const read = readCertificates(input);
          assert.deepEqual(codes(read.problems), ['privateKeyGiven']);
          assert.equal(read.problems[0]?.severity, 'error');
          assert.match(read.problems[0]?.message ?? '', /private key/);
          assert.equal(leaksSecret(read.problems.map((p) => p.message), pem), false);
          assert.equal(JSON.stringify(read).includes(pemBody(pem).slice(0, 40)), false);
        }
      });
    }

    void test('encrypted keys (PKCS#8 and legacy Proc-Type) are called encrypted private keys', () => {
      const pkcs8 = ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' }).toString();
      const legacy = rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' }).toString();
      assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
      for (const pem of [pkcs8, legacy, derOf(pkcs8)]) {
        const read = readCertificates(pem);
        assert.deepEqual(codes(read.problems), ['encryptedPrivateKeyGiven']);
        assert.equal(read.problems.some((p) => p.message.includes('secret-pass')), false);
      }
    });

    void test('a certificate bundled with its key is read, and the key only draws a warning', async () => {
      const { device } = await testChain();
      const read = readCertificates(device.privateKeyPem + device.certificatePem);
      assert.equal(read.certificates.length, 1);
      assert.deepEqual(read.problems.map((p) => [p.code, p.severity]), [['privateKeyGiven', 'warning']]);
      assert.equal(leaksSecret(read.problems.map((p) => p.message), device.privateKeyPem), false);
    });

    void test('a key mislabelled as CERTIFICATE is still recognised as a key by its content', () => {
      const mislabelled = keys['PKCS#8 RSA']?.replace(/PRIVATE KEY/g, 'CERTIFICATE') ?? '';
      assert.deepEqual(codes(readCertificates(mislabelled).problems), ['privateKeyGiven']);
    });
  });

  void test('a public key, a CSR, a PKCS#7 bundle and a PFX each get their own message (PEM and DER)', async () => {
    const { device } = await testChain('rsa-2048');
    const publicKeyPem = new X509Certificate(device.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();

    const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=device-01', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    const csrPem = csr.toString('pem');

    const forgeCert = forge.pki.certificateFromPem(device.certificatePem);
    const p7 = forge.pkcs7.createSignedData();
    p7.addCertificate(forgeCert);
    const p7Pem = forge.pkcs7.messageToPem(p7);

    const forgeKey = forge.pki.privateKeyFromPem(createPrivateKey(device.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
    const pfxDer = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(forgeKey, [forgeCert], 'pfx-pass', { algorithm: '3des' })).getBytes(), 'binary');

    const cases: [string | Buffer, string][] = [
      [publicKeyPem, 'publicKeyGiven'], [derOf(publicKeyPem), 'publicKeyGiven'],
      [csrPem, 'csrGiven'], [Buffer.from(csr.rawData), 'csrGiven'],
      [p7Pem, 'pkcs7Given'], [derOf(p7Pem), 'pkcs7Given'],
      [pfxDer, 'pfxGiven'], [pfxDer.toString('base64'), 'pfxGiven'],
    ];
    for (const [input, code] of cases) {
      const read = readCertificates(input);
      assert.deepEqual(codes(read.problems), [code], `${code} ${typeof input}`);
      assert.equal(read.certificates.length, 0);
    }
  });

  void test('openssl-made inputs (CSR, PKCS#7, PFX, CRL-less bundle) are classified the same way', { skip: !opensslAvailable() && 'openssl is not installed' }, async () => {
    const { device } = await testChain('ecdsa-p256');
    await withTempDir((dir) => {
      const cert = join(dir, 'c.pem');
      const key = join(dir, 'k.pem');
      writeFileSync(cert, device.certificatePem);
      writeFileSync(key, device.privateKeyPem);
      assert.equal(openssl(['req', '-new', '-key', key, '-subj', '/CN=device-01', '-out', join(dir, 'r.csr')]).status, 0);
      assert.equal(openssl(['crl2pkcs7', '-nocrl', '-certfile', cert, '-out', join(dir, 'b.p7b')]).status, 0);
      assert.equal(openssl(['pkcs12', '-export', '-in', cert, '-inkey', key, '-passout', 'pass:x', '-out', join(dir, 'b.pfx')]).status, 0);
      assert.deepEqual(codes(readCertificates(readFileSync(join(dir, 'r.csr'), 'utf8')).problems), ['csrGiven']);
      assert.deepEqual(codes(readCertificates(readFileSync(join(dir, 'b.p7b'), 'utf8')).problems), ['pkcs7Given']);
      assert.deepEqual(codes(readCertificates(readFileSync(join(dir, 'b.pfx'))).problems), ['pfxGiven']);
    });
  });
});

void test('a PEM file saved as UTF-16 with a byte-order mark (Windows Notepad "Unicode") is read', async () => {
  const { device } = await testChain();
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(device.certificatePem.replace(/\n/g, '\r\n'), 'utf16le')]);
  const read = readCertificates(utf16);
  assert.deepEqual(read.problems, []);
  assert.equal(read.certificates[0]?.pem, device.certificatePem);
});

void test('text bytes that happen to start with "0" are read as text, not as DER', () => {
  const read = readCertificates(Buffer.from('0 certificates here, sorry'));
  assert.deepEqual(codes(read.problems), ['notCertificateText']);
});

void test('a certificate revocation list is called a CRL, in PEM and DER', async () => {
  const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const crl = await x509.X509CrlGenerator.create({
    issuer: 'CN=Some CA', thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000),
    signingKey: keys.privateKey, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  assert.deepEqual(codes(readCertificates(crl.toString('pem')).problems), ['crlGiven']);
  assert.deepEqual(codes(readCertificates(Buffer.from(crl.rawData)).problems), ['crlGiven']);
});

void test('an unknown PEM block is named as unknown, and EC PARAMETERS before a key are passed over', () => {
  const unknown = '-----BEGIN SOMETHING ELSE-----\nAAECAwQF\n-----END SOMETHING ELSE-----\n';
  const read = readCertificates(unknown);
  assert.deepEqual(codes(read.problems), ['unknownBlock']);
  assert.match(read.problems[0]?.message ?? '', /PEM block 1 "SOMETHING ELSE"/);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
  const withParams = `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${ec}`;
  assert.deepEqual(readCertificates(withParams).blocks.map((b) => b.kind), ['ecParameters', 'privateKey']);
  assert.deepEqual(codes(readCertificates(withParams).problems), ['privateKeyGiven']);
  assert.deepEqual(codes(readCertificates('-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n').problems), ['noCertificate']);
});
