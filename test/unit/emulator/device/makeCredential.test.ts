// MakeCredential and its KDFs: a software ActivateCredential recovers the credential for RSA and
// ECC endorsement keys, a tampered blob or the wrong bound object fails, and a real TPM (swtpm via
// tpm2-tools) recovers what the emulator made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { kdfa, kdfe, makeCredential } from '../../../../src/emulator/device/makeCredential';
import { readTpmPublicKey, tpmObjectName } from '../../../../src/emulator/device/tpmPublicKey';
import { Tpm2ToolsTpm } from '../../../../src/device/tpm2Tools';
import { splitAuthenticationKey } from '../../../../src/device/tpm';
import { SoftwareTpm } from '../../../support/softwareTpm';
import { SWTPM_MISSING, startSwtpm, swtpmAvailable } from '../../../support/swtpm';

void test('KDFa is SP 800-108 counter mode: first block = HMAC(key, 1 || label 0 || U || V || bits)', () => {
  const key = Buffer.alloc(32, 7);
  const u = Buffer.from('u');
  const v = Buffer.from('v');
  const first = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('STORAGE\0'), u, v, Buffer.from([0, 0, 1, 0])]))
    .digest();
  assert.deepEqual(kdfa('sha256', key, 'STORAGE', u, v, 256), first);
  assert.equal(kdfa('sha256', key, 'STORAGE', u, v, 128).length, 16);
  assert.equal(kdfa('sha256', key, 'X', u, v, 384).length, 48, 'more than one block');
  assert.notDeepEqual(kdfa('sha256', key, 'STORAGE', u, v, 256), kdfa('sha256', key, 'INTEGRITY', u, v, 256));
});

void test('KDFe differs by party info and label', () => {
  const z = randomBytes(32);
  const a = kdfe('sha256', z, 'IDENTITY', Buffer.from('x1'), Buffer.from('x2'), 256);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, kdfe('sha256', z, 'IDENTITY', Buffer.from('x2'), Buffer.from('x1'), 256));
  assert.notDeepEqual(a, kdfe('sha256', z, 'OTHER', Buffer.from('x1'), Buffer.from('x2'), 256));
});

for (const type of ['rsa', 'ecc'] as const) {
  void test(`MakeCredential round trip with a software ActivateCredential (${type} EK)`, () => {
    const tpm = new SoftwareTpm(type);
    const secret = randomBytes(32);
    const name = tpmObjectName(readTpmPublicKey(tpm.srkPublic));
    const made = makeCredential(readTpmPublicKey(tpm.ekPublic), name, secret);
    assert.deepEqual(tpm.recover(made.credentialBlob, made.encryptedSecret), secret);
    const tampered = Buffer.from(made.credentialBlob);
    tampered[tampered.length - 1] ^= 1;
    assert.throws(() => tpm.recover(tampered, made.encryptedSecret), /INTEGRITY/);
    const boundElsewhere = makeCredential(readTpmPublicKey(tpm.ekPublic), Buffer.concat([name.subarray(0, 2), randomBytes(32)]), secret);
    assert.throws(() => tpm.recover(boundElsewhere.credentialBlob, boundElsewhere.encryptedSecret), /INTEGRITY/, 'bound to another object');
  });
}

void test('MakeCredential refuses credentials longer than the name digest', () => {
  const tpm = new SoftwareTpm('rsa');
  assert.throws(() => makeCredential(readTpmPublicKey(tpm.ekPublic), Buffer.alloc(34), randomBytes(33)), /1 to 32 bytes/);
});

for (const ekAlgorithm of ['rsa', 'ecc'] as const) {
  void test(`a real TPM (swtpm) activates the emulator's credential (${ekAlgorithm} EK)`, { skip: swtpmAvailable() ? false : SWTPM_MISSING }, async () => {
    const swtpm = await startSwtpm();
    assert.ok(swtpm);
    try {
      const tpm = new Tpm2ToolsTpm({ tcti: swtpm.tcti, ekAlgorithm });
      const key = randomBytes(32);
      const made = makeCredential(readTpmPublicKey(await tpm.getEndorsementKey()), tpmObjectName(readTpmPublicKey(await tpm.getStorageRootKey())), key);
      const blob = Buffer.concat([made.credentialBlob, made.encryptedSecret]);
      assert.deepEqual(splitAuthenticationKey(blob), made);
      await tpm.activateCredential(blob);
      assert.deepEqual(await tpm.sign(Buffer.from('data')), createHmac('sha256', key).update('data').digest());
    } finally {
      await swtpm.stop();
    }
  });
}
