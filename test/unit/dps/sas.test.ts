import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createSasToken, expiryFromNow, sasSignature } from '../../../src/dps/sas';

// The documented algorithm (DPS "Control access" article): sign "<url-encoded resource URI>\n<expiry>"
// with HMAC-SHA256 under the base64-decoded key; token fields sr, sig (url-encoded), se, skn.
function independentToken(host: string, keyName: string, key: string, expiry: number): Map<string, string> {
  const sr = encodeURIComponent(host.toLowerCase());
  const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${expiry}`).digest('base64');
  return new Map([
    ['sr', sr],
    ['sig', encodeURIComponent(signature)],
    ['se', String(expiry)],
    ['skn', encodeURIComponent(keyName)],
  ]);
}

function fields(token: string): Map<string, string> {
  assert.match(token, /^SharedAccessSignature /);
  return new Map(token.slice('SharedAccessSignature '.length).split('&').map((kv) => kv.split('=', 2) as [string, string]));
}

void test('token fields match an independent computation (field order is free)', () => {
  for (let i = 0; i < 20; i++) {
    const key = randomBytes(32).toString('base64');
    const expiry = 1_700_000_000 + i;
    const host = i % 2 === 0 ? 'My-DPS.azure-devices-provisioning.net' : 'localhost:8443';
    const token = createSasToken({ resourceUri: host, keyName: 'provisioningserviceowner', key, expiry });
    assert.deepEqual(fields(token), independentToken(host, 'provisioningserviceowner', key, expiry));
  }
});

void test('the signature changes with key, expiry and resource', () => {
  const key = randomBytes(32).toString('base64');
  const base = sasSignature('a', 1, key);
  assert.notEqual(sasSignature('a', 2, key), base);
  assert.notEqual(sasSignature('b', 1, key), base);
  assert.notEqual(sasSignature('a', 1, randomBytes(32).toString('base64')), base);
});

void test('a port in an emulator host is URL-encoded in sr', () => {
  const token = createSasToken({ resourceUri: 'localhost:8443', keyName: 'k', key: 'AAAA', expiry: 5 });
  assert.equal(fields(token).get('sr'), 'localhost%3A8443');
});

void test('expiry is whole seconds after now', () => {
  assert.equal(expiryFromNow(3600, 1_000_000_500), 1_000_000 + 3601);
  assert.equal(expiryFromNow(60, 2_000_000_000), 2_000_000 + 60);
});
