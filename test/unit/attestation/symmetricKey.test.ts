import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  AttestationError, checkSymmetricKey, deriveDeviceKey, deriveDeviceKeys, describeKeyMismatch, generateSymmetricKey,
} from '../../../src/attestation';
import { openssl, opensslAvailable } from '../../support/attestation';

// The worked example of the Azure DPS docs (how-to-legacy-device-symm-key): a published sample
// group key, not a secret.
const DOCS_GROUP_KEY = '8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==';
const DOCS_ID = 'sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6';
const DOCS_DERIVED = 'Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=';

void describe('symmetric keys', () => {
  void test('generated keys are base64 of 64 random bytes and pass their own check', () => {
    const keys = new Set(Array.from({ length: 20 }, generateSymmetricKey));
    assert.equal(keys.size, 20);
    for (const key of keys) {
      assert.equal(Buffer.from(key, 'base64').length, 64);
      assert.deepEqual(checkSymmetricKey(key), []);
    }
  });

  void test('supplied keys must be base64 of 16 to 64 bytes; the key never appears in the message', () => {
    assert.deepEqual(checkSymmetricKey(randomBytes(16).toString('base64')), []);
    assert.deepEqual(checkSymmetricKey(randomBytes(64).toString('base64')), []);
    const cases: [string, string][] = [
      ['', 'keyEmpty'],
      ['correct horse battery staple', 'keyNotBase64'],
      ['abc', 'keyNotBase64'],
      [randomBytes(15).toString('base64'), 'keyWrongLength'],
      [randomBytes(65).toString('base64'), 'keyWrongLength'],
      [randomBytes(32).toString('hex') + '!', 'keyNotBase64'],
    ];
    for (const [key, code] of cases) {
      const problems = checkSymmetricKey(key);
      assert.deepEqual(problems.map((p) => p.code), [code], key);
      if (key.length > 3) assert.equal(problems[0]?.message.includes(key), false);
    }
  });

  void test('derives the device key of the docs example', () => {
    assert.equal(deriveDeviceKey(DOCS_GROUP_KEY, DOCS_ID), DOCS_DERIVED);
  });

  void test('agrees with openssl HMAC-SHA256 for a random group key', { skip: !opensslAvailable() && 'openssl is not installed' }, () => {
    const groupKey = randomBytes(64);
    const r = openssl(['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${groupKey.toString('hex')}`], 'device-42');
    assert.equal(r.status, 0, r.stderr);
    const expected = Buffer.from(r.stdout.trim().split('= ')[1] ?? '', 'hex').toString('base64');
    assert.equal(deriveDeviceKey(groupKey.toString('base64'), 'device-42'), expected);
  });

  void test('refuses an invalid group key or registration id with an AttestationError', () => {
    assert.throws(() => deriveDeviceKey('not a key', 'dev-1'), (e: unknown) => e instanceof AttestationError && e.code === 'keyNotBase64');
    assert.throws(() => deriveDeviceKey(DOCS_GROUP_KEY, 'bad id!'), (e: unknown) => e instanceof AttestationError && e.code === 'invalidRegistrationId');
  });

  void test('batch: many ids in, id/key pairs out, invalid and repeated ids reported', () => {
    const ids = ['dev-1', DOCS_ID, 'bad id', 'DEV-1', '', 'dev-2'];
    const result = deriveDeviceKeys(DOCS_GROUP_KEY, ids);
    assert.deepEqual(result.keys.map((k) => k.registrationId), ['dev-1', DOCS_ID, 'dev-2']);
    assert.equal(result.keys[1]?.derivedKey, DOCS_DERIVED);
    assert.equal(result.keys[0]?.derivedKey, deriveDeviceKey(DOCS_GROUP_KEY, 'dev-1'));
    assert.notEqual(result.keys[0]?.derivedKey, result.keys[2]?.derivedKey);
    assert.deepEqual(result.rejected.map((r) => r.registrationId), ['bad id', 'DEV-1', '']);
    assert.match(result.rejected[1]?.problems[0]?.message ?? '', /more than once/);
    assert.throws(() => deriveDeviceKeys('', ids), AttestationError);
  });

  void test('describeKeyMismatch spots the group key used as device key, swapped keys, and a key for another id', () => {
    const groupKey = generateSymmetricKey();
    const right = deriveDeviceKey(groupKey, 'dev-7');
    assert.deepEqual(describeKeyMismatch({ groupKey, registrationId: 'dev-7', deviceKey: right }), []);
    const asGroup = describeKeyMismatch({ groupKey, registrationId: 'dev-7', deviceKey: groupKey });
    assert.deepEqual(asGroup.map((p) => p.code), ['groupKeyAsDeviceKey']);
    assert.equal(asGroup[0]?.message.includes(groupKey), false);
    // Swapped: the user passes the derived key as group key and the group key as device key.
    const derivedFromDevice = deriveDeviceKey(right, 'dev-7');
    assert.deepEqual(describeKeyMismatch({ groupKey: derivedFromDevice, registrationId: 'dev-7', deviceKey: right }).map((p) => p.code), ['keysSwapped']);
    assert.deepEqual(describeKeyMismatch({ groupKey, registrationId: 'dev-7', deviceKey: deriveDeviceKey(groupKey, 'dev-8') }).map((p) => p.code), ['derivedKeyMismatch']);
  });
});
