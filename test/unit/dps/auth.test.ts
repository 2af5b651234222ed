import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BearerTokenAuth, CREDENTIAL_REFUSED, sasAuth, withEntraRoleHint, type AccessToken } from '../../../src/dps/auth';
import { DpsClient } from '../../../src/dps/client';
import { DpsError } from '../../../src/dps/errors';
import { createSasToken, expiryFromNow } from '../../../src/dps/sas';
import type { TransportRequest } from '../../../src/dps/transport';
import { createHttpTransport } from '../../../src/dps/transport';

const MINUTE = 60_000;

/** A token source on a virtual clock: token n expires `lifetime` after it was issued. */
function source(clock: { now: number }, lifetime = 60 * MINUTE) {
  let issued = 0;
  const calls: number[] = [];
  const provider = (): Promise<AccessToken> => {
    issued += 1;
    calls.push(clock.now);
    return Promise.resolve({ token: `token-${issued}`, expiresOnTimestamp: clock.now + lifetime });
  };
  return { provider, calls };
}

void describe('BearerTokenAuth', () => {
  void test('caches the token and renews it 5 minutes before it expires', async () => {
    const clock = { now: 1_000_000 };
    const { provider, calls } = source(clock);
    const auth = new BearerTokenAuth(provider, { now: () => clock.now });
    assert.equal(await auth.authorization(), 'Bearer token-1');
    clock.now += 54 * MINUTE;
    assert.equal(await auth.authorization(), 'Bearer token-1', 'still more than 5 minutes left');
    clock.now += 1 * MINUTE + 1;
    assert.equal(await auth.authorization(), 'Bearer token-2', 'inside the 5-minute margin: renewed');
    assert.equal(calls.length, 2);
  });

  void test('an expired token is never sent; a provider that hands one out is refused', async () => {
    const clock = { now: 0 };
    const stale = new BearerTokenAuth(() => Promise.resolve({ token: 'old', expiresOnTimestamp: clock.now - 1 }), { now: () => clock.now });
    await assert.rejects(stale.authorization(), (e: unknown) => e instanceof DpsError && /already expired/.test(e.message));
    const empty = new BearerTokenAuth(() => Promise.resolve({ token: '', expiresOnTimestamp: 10 }), { now: () => clock.now });
    await assert.rejects(empty.authorization(), /no token or no expiry/);
  });

  void test('concurrent requests share one refresh', async () => {
    const clock = { now: 0 };
    let release: (() => void) | undefined;
    let calls = 0;
    const auth = new BearerTokenAuth(
      () => {
        calls += 1;
        return new Promise<AccessToken>((resolve) => {
          release = () => resolve({ token: `t${calls}`, expiresOnTimestamp: clock.now + 60 * MINUTE });
        });
      },
      { now: () => clock.now },
    );
    const pending = Promise.all([auth.authorization(), auth.authorization(), auth.authorization()]);
    await Promise.resolve();
    release?.();
    assert.deepEqual(await pending, ['Bearer t1', 'Bearer t1', 'Bearer t1']);
    assert.equal(calls, 1);
  });

  void test('a failed refresh is not cached: the next call asks again, and the reason is kept', async () => {
    let calls = 0;
    const auth = new BearerTokenAuth(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('User did not consent')) : Promise.resolve({ token: 'ok', expiresOnTimestamp: Date.now() + 3_600_000 });
    });
    await assert.rejects(auth.authorization(), /Could not get a Microsoft Entra token: User did not consent/);
    assert.equal(await auth.authorization(), 'Bearer ok');
  });

  void test('a credential that refuses is not transient (not retried); a failure to connect still is', async () => {
    const refusal = Object.assign(new Error('EnvironmentCredential authentication failed.'), { name: 'AuthenticationError' });
    const refused = await new BearerTokenAuth(() => Promise.reject(refusal)).authorization().catch((e: unknown) => e);
    assert.ok(refused instanceof DpsError);
    assert.equal(refused.causeCode, CREDENTIAL_REFUSED);
    assert.equal(refused.isTransient, false);
    const unreachable = await new BearerTokenAuth(() => Promise.reject(new Error('socket hang up'))).authorization().catch((e: unknown) => e);
    assert.ok(unreachable instanceof DpsError);
    assert.equal(unreachable.isTransient, true);
  });

  void test('invalidate drops the cached token', async () => {
    const clock = { now: 0 };
    const { provider, calls } = source(clock);
    const auth = new BearerTokenAuth(provider, { now: () => clock.now });
    await auth.authorization();
    auth.invalidate();
    assert.equal(await auth.authorization(), 'Bearer token-2');
    assert.equal(calls.length, 2);
  });

  void test('a negative margin is refused', () => {
    assert.throws(() => new BearerTokenAuth(() => Promise.reject(new Error('x')), { refreshMarginMs: -1 }), RangeError);
  });
});

void describe('SAS strategy', () => {
  void test('mints a SharedAccessSignature for the host with the policy name', async () => {
    const header = await sasAuth({ hostName: 'x.azure-devices-provisioning.net', sharedAccessKeyName: 'owner', sharedAccessKey: Buffer.alloc(32, 1).toString('base64') }).authorization();
    assert.match(header, /^SharedAccessSignature sr=x\.azure-devices-provisioning\.net&sig=[^&]+&se=\d+&skn=owner$/);
  });

  void test('a token is minted once per second of expiry: the same within a second, a new one the next second', async () => {
    const connection = { hostName: 'x.azure-devices-provisioning.net', sharedAccessKeyName: 'owner', sharedAccessKey: Buffer.alloc(32, 1).toString('base64') };
    const clock = { now: 1_700_000_000_001 };
    const auth = sasAuth(connection, () => clock.now);
    const first = await auth.authorization();
    clock.now += 999;
    assert.equal(await auth.authorization(), first, 'same expiry second, same token');
    clock.now += 1;
    const next = await auth.authorization();
    assert.notEqual(next, first);
    assert.equal(next, createSasToken({ resourceUri: connection.hostName, keyName: 'owner', key: connection.sharedAccessKey, expiry: expiryFromNow(undefined, clock.now) }));
  });
});

void describe('Entra errors name the missing role', () => {
  const http = (status: number, operation: string) => new DpsError({ kind: 'http', status, operation, message: 'Unauthorized', errorCode: status * 1000 + 2 });

  void test('403 on a write names Data Contributor; on a read, Data Reader', () => {
    const write = withEntraRoleHint(http(403, 'IndividualEnrollment_CreateOrUpdate'));
    assert.match(write.message, /"Device Provisioning Service Data Contributor" role/);
    assert.equal(write.status, 403);
    const read = withEntraRoleHint(http(403, 'EnrollmentGroup_Query'));
    assert.match(read.message, /"Device Provisioning Service Data Reader \(or Data Contributor\)" role/);
    assert.match(withEntraRoleHint(http(403, 'DeviceRegistrationState_Delete')).message, /Data Contributor/);
    assert.match(withEntraRoleHint(http(403, 'IndividualEnrollment_RunBulkOperation')).message, /Data Contributor/);
  });

  void test('401 says to sign in again; other statuses pass through', () => {
    assert.match(withEntraRoleHint(http(401, 'IndividualEnrollment_Get')).message, /did not accept the Microsoft Entra token: sign in again/);
    const notFound = http(404, 'IndividualEnrollment_Get');
    assert.equal(withEntraRoleHint(notFound), notFound);
  });

  void test('the client maps 403 under Entra and drops the cached token on 401', async () => {
    let invalidated = 0;
    const answers = [403, 401];
    const client = new DpsClient({
      hostName: 'x.azure-devices-provisioning.net',
      keyName: '',
      authKind: 'entra',
      onAuthRejected: () => (invalidated += 1),
      send: () => Promise.resolve({ status: answers.shift() ?? 500, headers: {}, body: { errorCode: 403001, message: 'Forbidden' }, bodyIsText: false, requestId: 'r' }),
      retry: { maxAttempts: 1 },
    });
    await assert.rejects(client.deleteEnrollment('dev-1'), (e: unknown) => e instanceof DpsError && e.status === 403 && /Data Contributor/.test(e.message) && /Forbidden/.test(e.message));
    assert.equal(invalidated, 0);
    await assert.rejects(client.getEnrollment('dev-1'), /sign in again/);
    assert.equal(invalidated, 1);
  });

  void test('under SAS the messages stay as they were', async () => {
    const client = new DpsClient({
      hostName: 'x', keyName: 'owner',
      send: () => Promise.resolve({ status: 403, headers: {}, body: { message: 'Forbidden' }, bodyIsText: false, requestId: 'r' }),
      retry: { maxAttempts: 1 },
    });
    await assert.rejects(client.getEnrollment('a'), (e: unknown) => e instanceof DpsError && e.message === 'Forbidden');
  });
});

void describe('transport with a bearer strategy', () => {
  void test('sends the bearer token and refuses plain HTTP to a remote host', async () => {
    const seen: string[] = [];
    const transport = createHttpTransport({
      hostName: 'x.azure-devices-provisioning.net',
      auth: { kind: 'entra', authorization: () => Promise.resolve('Bearer abc') },
      adapter: (config) => {
        seen.push(String(config.headers.Authorization));
        return Promise.resolve({ data: '{}', status: 200, statusText: 'OK', headers: {}, config });
      },
    });
    const request: TransportRequest = { operation: 'IndividualEnrollment_Get', method: 'GET', path: '/enrollments/a' };
    await transport.send(request);
    assert.deepEqual(seen, ['Bearer abc']);
    assert.throws(() => createHttpTransport({ hostName: 'x.net', protocol: 'http', auth: { kind: 'entra', authorization: () => Promise.resolve('') } }), /Only HTTPS/);
    assert.throws(() => createHttpTransport({ hostName: 'x.net' }), /authentication strategy/);
  });
});
