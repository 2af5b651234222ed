// Saving a certificate the emulator issued for a CSR (device api-version 2026-11-01): the chain and
// the P-384 key land as PEM files named for the registration id, the chain verifies to the emulator's
// CA, the key is its owner's only; an existing file is never replaced unless asked; the result view
// shows the certificate's facts and no key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionDevice } from '../../src/device/client';
import type { IssuedCertificate } from '../../src/device/csr';
import { IssuedFilesExistError, issuedCertificateFacts, issuedCertificatePaths, saveIssuedCertificate } from '../../src/device/issuedCertificateFiles';
import { issuedCertificateMarkdown } from '../../src/device/report';
import { certificateFacts } from '../../src/attestation';
import { startTestEmulator, type TestEmulator } from '../support/emulator';
import { symmetricEnrollment } from '../support/deviceEnrollments';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
let emulator: TestEmulator;
let dir: string;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none', adr: { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }] } });
  dir = mkdtempSync(join(tmpdir(), 'issued-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await emulator?.dispose();
});

async function issue(registrationId: string): Promise<IssuedCertificate> {
  const key = symmetricEnrollment(emulator.emu, registrationId, POLICY);
  const result = await provisionDevice({ host: emulator.emu.hostName, ca: emulator.emu.caCertificatePem, idScope: emulator.emu.idScope, registrationId, credential: { kind: 'symmetricKey', key }, requestCertificate: true });
  assert.ok(result.issuedCertificate, 'the emulator issued a chain');
  return result.issuedCertificate;
}

void describe('saving an issued certificate (emulator, device api-version 2026-11-01)', () => {
  void test('chain and key are saved as PEM files named for the registration id; the chain verifies to the emulator CA', async () => {
    const issued = await issue('saved-dev-1');
    const paths = issuedCertificatePaths(join(dir, 'saved-dev-1'), 'saved-dev-1');
    assert.deepEqual(paths, { certificatePath: join(dir, 'saved-dev-1', 'saved-dev-1.cert.pem'), keyPath: join(dir, 'saved-dev-1', 'saved-dev-1.key.pem') });
    await saveIssuedCertificate(paths, issued);

    const pems = readFileSync(paths.certificatePath, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    assert.equal(pems.length, 2, 'leaf and root');
    const [leaf, root] = pems.map((p) => new X509Certificate(p));
    assert.ok(leaf && root);
    const emulatorRoot = new X509Certificate((await emulator.emu.certificateIssuer?.rootPem('ca1')) ?? '');
    assert.ok(leaf.verify(emulatorRoot.publicKey), 'the leaf is signed by the emulator CA');
    assert.ok(root.verify(emulatorRoot.publicKey) && root.fingerprint256 === emulatorRoot.fingerprint256);
    assert.equal(certificateFacts(leaf).commonName, 'saved-dev-1');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    const key = createPrivateKey(readFileSync(paths.keyPath, 'utf8'));
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.ok(leaf.checkPrivateKey(key), 'the saved key belongs to the saved certificate');
    assert.equal(statSync(paths.keyPath).mode & 0o777, 0o600);
    assert.equal(readFileSync(paths.certificatePath, 'utf8').includes('PRIVATE KEY'), false);
  });

  void test('existing files are not replaced unless asked, and a refused save writes nothing', async () => {
    const first = await issue('saved-dev-2');
    const second = await issue('saved-dev-2');
    const paths = issuedCertificatePaths(join(dir, 'again'), 'saved-dev-2');
    await saveIssuedCertificate(paths, first);
    const before = [readFileSync(paths.certificatePath, 'utf8'), readFileSync(paths.keyPath, 'utf8')];

    const refused = await saveIssuedCertificate(paths, second).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof IssuedFilesExistError);
    assert.match(refused.message, /saved-dev-2\.cert\.pem and .*saved-dev-2\.key\.pem already exist; nothing was written/);
    assert.deepEqual([readFileSync(paths.certificatePath, 'utf8'), readFileSync(paths.keyPath, 'utf8')], before);

    // Only the key exists: still refused, and the certificate is not written either.
    const lone = issuedCertificatePaths(join(dir, 'lone'), 'saved-dev-2');
    await saveIssuedCertificate(lone, first);
    rmSync(lone.certificatePath);
    await assert.rejects(saveIssuedCertificate(lone, second), IssuedFilesExistError);
    assert.throws(() => statSync(lone.certificatePath), /ENOENT/);

    await saveIssuedCertificate(paths, second, { replace: true });
    assert.notEqual(readFileSync(paths.keyPath, 'utf8'), before[1]);
    assert.ok(new X509Certificate(readFileSync(paths.certificatePath, 'utf8')).checkPrivateKey(createPrivateKey(readFileSync(paths.keyPath, 'utf8'))));
    assert.equal(statSync(paths.keyPath).mode & 0o777, 0o600);
  });

  void test('a replace whose certificate cannot be written leaves the old key, not a key without its certificate', async () => {
    const first = await issue('saved-dev-4');
    const second = await issue('saved-dev-4');
    const paths = issuedCertificatePaths(join(dir, 'blocked'), 'saved-dev-4');
    await saveIssuedCertificate(paths, first);
    const oldKey = readFileSync(paths.keyPath, 'utf8');
    // A folder where the certificate goes: its write fails after the key was written.
    rmSync(paths.certificatePath);
    mkdirSync(paths.certificatePath);
    await assert.rejects(saveIssuedCertificate(paths, second, { replace: true }));
    assert.equal(readFileSync(paths.keyPath, 'utf8'), oldKey);
    assert.equal(statSync(paths.keyPath).mode & 0o777, 0o600);
  });

  void test('the result view shows subject, issuer, expiry and key type, never the key', async () => {
    const issued = await issue('saved-dev-3');
    const facts = issuedCertificateFacts(issued);
    assert.equal(facts.commonName, 'saved-dev-3');
    assert.equal(facts.keyType, 'ECDSA P-384');
    assert.equal(facts.chainLength, 2);
    assert.ok(Date.parse(facts.notAfter) > Date.now());
    const markdown = issuedCertificateMarkdown(facts, { certificate: 'saved-dev-3/saved-dev-3.cert.pem', key: 'saved-dev-3/saved-dev-3.key.pem' });
    assert.match(markdown, /\| Subject \| CN=saved-dev-3 \|/);
    assert.match(markdown, new RegExp(`\\| Issuer \\| ${facts.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`));
    assert.match(markdown, /\| Key type \| ECDSA P-384 \|/);
    assert.match(markdown, /\| Certificate file \| saved-dev-3\/saved-dev-3\.cert\.pem \|/);
    assert.equal(markdown.includes('PRIVATE KEY') || markdown.includes(issued.privateKeyPem.slice(40, 80)), false);
  });

  void test('a registration id with ":" gets file names Windows accepts', () => {
    assert.equal(issuedCertificatePaths(dir, 'line:1').certificatePath, join(dir, 'line_1.cert.pem'));
  });
});
