// MakeCredential and its KDFs: a software ActivateCredential recovers the credential for RSA and
// ECC endorsement keys, a tampered blob or the wrong bound object fails; the duplicated identity
// key imports in software; and a real TPM (swtpm via tpm2-tools) takes the emulator's challenge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { kdfa, kdfe, makeCredential } from '../../../../src/emulator/device/makeCredential';
import { duplicateHmacKey } from '../../../../src/emulator/device/duplicateKey';
import { readTpmPublicKey, tpmObjectName } from '../../../../src/emulator/device/tpmPublicKey';
import { Tpm2ToolsTpm } from '../../../../src/device/tpm2Tools';
import { splitAuthenticationKey } from '../../../../src/device/tpm';
import { TpmChallenges } from '../../../../src/emulator/device/tpmChallenge';
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

void test('the identity key duplicated to the SRK imports in software; a tampered blob or another SRK is refused', () => {
  const tpm = new SoftwareTpm('rsa');
  const key = randomBytes(32);
  const inner = randomBytes(16);
  const dup = duplicateHmacKey(readTpmPublicKey(tpm.srkPublic), key, inner);
  assert.deepEqual(tpm.importDuplicate(dup.duplicate, dup.encryptedSeed, dup.publicArea, inner), key);
  const tampered = Buffer.from(dup.duplicate);
  tampered[tampered.length - 1] ^= 1;
  assert.throws(() => tpm.importDuplicate(tampered, dup.encryptedSeed, dup.publicArea, inner), /INTEGRITY \(outer\)/);
  assert.throws(() => tpm.importDuplicate(dup.duplicate, dup.encryptedSeed, dup.publicArea, randomBytes(16)), /INTEGRITY \(inner\)/, 'the wrong inner wrap key');
  const other = new SoftwareTpm('rsa');
  assert.throws(() => other.importDuplicate(dup.duplicate, dup.encryptedSeed, dup.publicArea, inner), 'made for another SRK');
});

void test('MakeCredential refuses credentials longer than the name digest', () => {
  const tpm = new SoftwareTpm('rsa');
  assert.throws(() => makeCredential(readTpmPublicKey(tpm.ekPublic), Buffer.alloc(34), randomBytes(33)), /1 to 32 bytes/);
});

for (const ekAlgorithm of ['rsa', 'ecc'] as const) {
  void test(`a real TPM (swtpm) takes the emulator's challenge: activates, imports the identity key, signs with it (${ekAlgorithm} EK)`, { skip: swtpmAvailable() ? false : SWTPM_MISSING }, async () => {
    const swtpm = await startSwtpm();
    assert.ok(swtpm);
    try {
      const tpm = new Tpm2ToolsTpm({ tcti: swtpm.tcti, ekAlgorithm });
      const ek = (await tpm.getEndorsementKey()).toString('base64');
      const srk = (await tpm.getStorageRootKey()).toString('base64');
      const challenges = new TpmChallenges();
      const blob = Buffer.from(challenges.challenge({ registrationId: 'swtpm', attestation: { type: 'tpm', tpm: { endorsementKey: ek } } }, { endorsementKey: ek, storageRootKey: srk }, 0), 'base64');
      const parts = splitAuthenticationKey(blob);
      assert.equal(parts.publicArea.readUInt16BE(2), 0x0008, 'the identity key is a keyedHash object');
      await tpm.activateCredential(blob);
      const key = Buffer.from(challenges.keyFor('swtpm', 0) ?? '', 'base64');
      assert.equal(key.length, 32);
      // The TPM's HMAC with the imported key is the one the emulator checks SAS tokens with.
      assert.deepEqual(await tpm.sign(Buffer.from('data')), createHmac('sha256', key).update('data').digest());
    } finally {
      await swtpm.stop();
    }
  });
}
