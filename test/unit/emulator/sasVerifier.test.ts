import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSasToken } from '../../../src/dps/sas';
import { EmulatorError } from '../../../src/emulator/errors';
import { parseSasToken, signaturesMatch, verifyServiceAuthorization } from '../../../src/emulator/sasVerifier';

const key = Buffer.alloc(32, 9).toString('base64');
const now = 1_800_000_000_000;
const policy = { keyName: 'provisioningserviceowner', key, acceptedResources: ['localhost:8443'], nowMs: now };
const token = (over: Partial<{ resourceUri: string; keyName: string; key: string; expiry: number }> = {}) =>
  createSasToken({ resourceUri: 'localhost:8443', keyName: policy.keyName, key, expiry: now / 1000 + 60, ...over });

function rejects401(header: string | undefined, message: RegExp): void {
  assert.throws(() => verifyServiceAuthorization(header, policy), (e: unknown) => {
    assert.ok(e instanceof EmulatorError);
    assert.equal(e.status, 401);
    assert.match(e.message, message);
    return true;
  });
}

void describe('parseSasToken', () => {
  void test('reads the fields in any order and URL-decodes sig and skn', () => {
    const t = parseSasToken('SharedAccessSignature se=100&skn=a%20b&sig=x%2By%3D&sr=host');
    assert.deepEqual(t, { sr: 'host', sig: 'x+y=', se: 100, skn: 'a b' });
  });
  for (const [header, reason] of [
    ['Basic abc', /not a SharedAccessSignature/],
    ['SharedAccessSignature sr=a&sig=b&se=1', /missing skn/],
    ['SharedAccessSignature sr=a&sig=b&se=soon&skn=k', /se must be/],
    ['SharedAccessSignature sr=a&sr=b&sig=c&se=1&skn=k', /appears twice/],
    ['SharedAccessSignature sr=a&sig=b&se=1&skn=k&extra=1', /unknown field 'extra'/],
    ['SharedAccessSignature sr=a&sig&se=1&skn=k', /name=value/],
  ] as const) {
    void test(`refuses ${header.slice(0, 40)}`, () => {
      assert.throws(() => parseSasToken(header), reason);
    });
  }
});

void describe('verifyServiceAuthorization', () => {
  void test('accepts a token minted like the SDKs (encoded sr) and one with a raw sr', () => {
    verifyServiceAuthorization(token(), policy);
    const se = now / 1000 + 60;
    const sig = createHmac('sha256', Buffer.from(key, 'base64')).update(`localhost:8443\n${se}`).digest('base64');
    verifyServiceAuthorization(`SharedAccessSignature sr=localhost:8443&sig=${encodeURIComponent(sig)}&se=${se}&skn=${policy.keyName}`, policy);
  });
  void test('refuses each kind of bad token with its own reason', () => {
    rejects401(undefined, /missing/);
    rejects401('Bearer abc', /Entra/);
    rejects401(token({ keyName: 'other' }), /skn/);
    rejects401(token({ resourceUri: 'evil:8443' }), /sr/);
    rejects401(token({ expiry: now / 1000 - 1 }), /expired/);
    rejects401(token({ key: Buffer.alloc(32, 1).toString('base64') }), /signature/);
    rejects401(token().replace(/se=\d+/, `se=${now / 1000 + 999}`), /signature/);
  });
  void test('error messages never contain the token', () => {
    const t = token({ key: Buffer.alloc(32, 1).toString('base64') });
    try {
      verifyServiceAuthorization(t, policy);
      assert.fail('accepted');
    } catch (e) {
      const sig = /sig=([^&]+)/.exec(t)?.[1] ?? 'none';
      assert.ok(!(e as Error).message.includes(decodeURIComponent(sig)));
    }
  });
  void test('signaturesMatch compares exactly', () => {
    assert.equal(signaturesMatch('abc', 'abc'), true);
    assert.equal(signaturesMatch('abc', 'abd'), false);
    assert.equal(signaturesMatch('abc', 'abcd'), false);
  });
});
