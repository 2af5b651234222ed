import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  AttestationError, base32Lower, checkEndorsementKey, checkRegistrationId, checkTpmPublic, parseTpmPublic, registrationIdFromEndorsementKey,
} from '../../../src/attestation';
import { eccEndorsementKey, eccTpmtPublic, rsaEndorsementKey, rsaTpmtPublic, tpm2b } from '../../support/attestation';

const codeOf = (ek: string) => checkEndorsementKey(ek).map((p) => p.code);

void describe('TPM endorsement keys', () => {
  void test('an RSA-2048 EK built from a generated key parses field by field', () => {
    const ek = rsaEndorsementKey();
    const info = parseTpmPublic(ek.toString('base64'));
    assert.deepEqual(info, { type: 'RSA', nameAlg: 'SHA256', objectAttributes: 0x000300b2, keyBits: 2048, exponent: 65537, byteLength: ek.length });
  });

  void test('an ECC P-256 EK built from a generated key parses field by field', () => {
    const ek = eccEndorsementKey('P-256');
    assert.deepEqual(parseTpmPublic(ek.toString('base64')), { type: 'ECC', nameAlg: 'SHA256', objectAttributes: 0x000300b2, keyBits: 256, curve: 'NIST P-256', byteLength: ek.length });
  });

  void test('each wrong encoding has its own message', () => {
    const ek = rsaEndorsementKey();
    const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.deepEqual(codeOf(''), ['tpmEmpty']);
    assert.deepEqual(codeOf('  \n '), ['tpmEmpty']);
    assert.deepEqual(codeOf('this is not base64!'), ['tpmNotBase64']);
    assert.deepEqual(codeOf(ek.toString('hex')), ['tpmHexGiven']);
    assert.deepEqual(codeOf(spki.export({ type: 'spki', format: 'der' }).toString('base64')), ['tpmDerGiven']);
    assert.deepEqual(codeOf(spki.export({ type: 'spki', format: 'pem' }).toString()), ['tpmDerGiven']);
    // base64 with line breaks, as tools print it, is fine.
    assert.deepEqual(codeOf(ek.toString('base64').replace(/(.{64})/g, '$1\r\n')), []);
  });

  void test('a truncated EK, a wrong size field and a missing size prefix are told apart', () => {
    const tpmt = rsaTpmtPublic(Buffer.alloc(256, 0xa5));
    const ek = tpm2b(tpmt);
    const truncated = checkEndorsementKey(ek.subarray(0, ek.length - 40).toString('base64'));
    assert.deepEqual(truncated.map((p) => p.code), ['tpmTruncated']);
    assert.match(truncated[0]?.message ?? '', new RegExp(`says ${tpmt.length} bytes follow but only ${tpmt.length - 40}`));
    assert.deepEqual(codeOf(Buffer.concat([ek, Buffer.from([1, 2, 3])]).toString('base64')), ['tpmSizeMismatch']);
    assert.deepEqual(codeOf(tpmt.toString('base64')), ['tpmMissingSizePrefix']);
    // Size field consistent, but the structure inside stops early.
    const cutInside = checkEndorsementKey(tpm2b(tpmt.subarray(0, 50)).toString('base64'));
    assert.deepEqual(cutInside.map((p) => p.code), ['tpmTruncated']);
    assert.match(cutInside[0]?.message ?? '', /ends inside the/);
    assert.deepEqual(codeOf(Buffer.from([0x01]).toString('base64')), ['tpmTruncated']);
  });

  void test('unsupported key types and sizes are refused for the EK, with what DPS accepts', () => {
    const keyedHash = Buffer.concat([Buffer.from([0x00, 0x08]), rsaTpmtPublic(Buffer.alloc(256)).subarray(2)]);
    assert.deepEqual(codeOf(tpm2b(keyedHash).toString('base64')), ['tpmUnsupportedType']);
    const rsa1024 = rsaEndorsementKey(1024).toString('base64');
    const small = checkEndorsementKey(rsa1024);
    assert.deepEqual(small.map((p) => p.code), ['tpmUnsupportedKey']);
    assert.match(small[0]?.message ?? '', /RSA-1024; DPS accepts RSA-2048 or ECC NIST P-256/);
    assert.match(checkEndorsementKey(eccEndorsementKey('P-384').toString('base64'))[0]?.message ?? '', /NIST P-384/);
    // An SRK need only be well formed.
    assert.deepEqual(checkTpmPublic(rsa1024, { role: 'storageRootKey' }), []);
  });

  void test('inner inconsistencies are malformed: modulus size against keyBits, bad P-256 point, bad hash', () => {
    assert.deepEqual(codeOf(tpm2b(rsaTpmtPublic(Buffer.alloc(255, 1), 2048)).toString('base64')), ['tpmMalformed']);
    assert.deepEqual(codeOf(tpm2b(eccTpmtPublic(Buffer.alloc(31, 1), Buffer.alloc(32, 1))).toString('base64')), ['tpmMalformed']);
    const badHash = rsaTpmtPublic(Buffer.alloc(256, 1));
    badHash.writeUInt16BE(0x7777, 2);
    assert.deepEqual(codeOf(tpm2b(badHash).toString('base64')), ['tpmMalformed']);
  });

  void test('parseTpmPublic throws an AttestationError carrying the same problem', () => {
    assert.throws(() => parseTpmPublic('zz!'), (e: unknown) => e instanceof AttestationError && e.code === 'tpmNotBase64');
  });
});

void describe('registration id from an EK', () => {
  void test('base32 matches the RFC 4648 test vectors, in lower case without padding', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [input, expected] of vectors) assert.equal(base32Lower(Buffer.from(input)), expected);
  });

  void test('is base32 of SHA-256 over the EK bytes: 52 characters, a valid registration id, stable across formatting', () => {
    const ek = eccEndorsementKey();
    const id = registrationIdFromEndorsementKey(ek.toString('base64'));
    assert.equal(id, base32Lower(createHash('sha256').update(ek).digest()));
    assert.match(id, /^[a-z2-7]{52}$/);
    assert.deepEqual(checkRegistrationId(id), []);
    assert.equal(registrationIdFromEndorsementKey(ek.toString('base64').replace(/(.{40})/g, '$1\n')), id);
    assert.notEqual(registrationIdFromEndorsementKey(eccEndorsementKey().toString('base64')), id);
  });

  void test('refuses to derive an id from an EK that is not valid', () => {
    assert.throws(() => registrationIdFromEndorsementKey('abcd'), AttestationError);
  });
});
