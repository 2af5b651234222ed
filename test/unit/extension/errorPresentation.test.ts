import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsError } from '../../../src/dps/errors';
import { ConnectionStringError } from '../../../src/dps/connectionString';
import { describeError, isCancellation, UserCancelledError } from '../../../src/common/errorPresentation';
import { withEntraRoleHint } from '../../../src/dps/auth';

const http = (status: number, extra: Partial<ConstructorParameters<typeof DpsError>[0]> = {}) =>
  new DpsError({ kind: 'http', status, message: 'Service says no.', operation: 'IndividualEnrollment_Get', trackingId: 'track-123', errorCode: status * 1000 + 1, ...extra });

void describe('error mapping', () => {
  void test('cancellation is silent', () => {
    for (const e of [new UserCancelledError(), Object.assign(new Error('Canceled'), { name: 'Canceled' }), new DpsError({ kind: 'aborted', message: 'aborted', operation: 'x' })]) {
      assert.ok(isCancellation(e));
      const d = describeError(e, 'Could not load');
      assert.equal(d.message, null);
      assert.deepEqual(d.actions, []);
    }
  });

  void test('each status gets the button that fixes it, and always Show Logs', () => {
    const cases: Array<[number, string]> = [
      [401, 'updateConnection'],
      [403, 'updateConnection'],
      [404, 'refresh'],
      [412, 'reloadAndCompare'],
      [429, 'retry'],
      [503, 'retry'],
    ];
    for (const [status, action] of cases) {
      const d = describeError(http(status), 'Could not load enrollments');
      assert.ok(d.actions.includes(action as never), `${status} → ${action}, got ${d.actions.join(',')}`);
      assert.equal(d.actions.at(-1), 'showLogs');
      assert.match(d.message ?? '', /^Could not load enrollments: /);
      assert.equal(d.isAuth, status === 401 || status === 403);
    }
  });

  void test('an Entra connection\'s 401/403 leads with the role or sign-in, never a key, and offers Retry instead of Update Connection', () => {
    const write = withEntraRoleHint(http(403, { operation: 'IndividualEnrollment_CreateOrUpdate' }));
    const refused = describeError(write, 'Could not save the enrollment');
    assert.match(refused.message ?? '', /^Could not save the enrollment: The signed-in account lacks the "Device Provisioning Service Data Contributor" role/);
    assert.doesNotMatch(refused.message ?? '', /shared access policy|key/i);
    assert.match(refused.message ?? '', /\(Service says no\.\)/, "the service's own words are kept");
    assert.deepEqual(refused.actions, ['retry', 'showLogs']);
    assert.equal(refused.isAuth, true);
    const expired = describeError(withEntraRoleHint(http(401)), 'Could not load enrollments');
    assert.match(expired.message ?? '', /^Could not load enrollments: The service did not accept the Microsoft Entra token: sign in again/);
    assert.ok(!expired.actions.includes('updateConnection'));
    // The same statuses from a SAS connection still point at the policy and its key.
    assert.match(describeError(http(401), 'C').message ?? '', /shared access policy and key/);
  });

  void test('network, timeout and exhausted retries say what happened and offer retry', () => {
    assert.match(describeError(new DpsError({ kind: 'network', message: 'connect ECONNREFUSED', operation: 'x' }), 'C').message ?? '', /could not be reached/);
    assert.match(describeError(new DpsError({ kind: 'timeout', message: 't', operation: 'x' }), 'C').message ?? '', /did not answer in time/);
    const throttled = describeError(new DpsError({ kind: 'retriesExhausted', status: 429, message: 't', operation: 'x', attempts: 5 }), 'C');
    assert.match(throttled.message ?? '', /throttling/);
    assert.ok(throttled.actions.includes('retry'));
  });

  void test('the log line carries operation, status, error code and tracking id', () => {
    const d = describeError(http(404), 'Could not open');
    assert.match(d.logLine, /operation=IndividualEnrollment_Get/);
    assert.match(d.logLine, /status=404/);
    assert.match(d.logLine, /errorCode=404001/);
    assert.match(d.logLine, /trackingId=track-123/);
  });

  void test('a connection string problem is shown as such', () => {
    const d = describeError(new ConnectionStringError('SharedAccessKey is missing.'), 'Could not add the connection');
    assert.equal(d.message, 'Could not add the connection: SharedAccessKey is missing.');
  });

  void test('a secret inside any error text is masked in the message and the log', () => {
    const key = 'c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldA==';
    const e = new Error(`failed for HostName=x.azure-devices-provisioning.net;SharedAccessKeyName=p;SharedAccessKey=${key}`);
    const d = describeError(e, 'Oops');
    assert.ok(!(d.message ?? '').includes(key));
    assert.ok(!d.logLine.includes(key));
    assert.match(d.message ?? '', /SharedAccessKey=\*\*\*/);
  });

  void test('refused, DNS, TLS and timeout each get their own sentence and the buttons that help', () => {
    const net = (causeCode: string, hostName: string, extra: Partial<ConstructorParameters<typeof DpsError>[0]> = {}) =>
      new DpsError({ kind: 'network', causeCode, hostName, message: `Could not reach ${hostName}.`, operation: 'x', ...extra });
    // A stopped local emulator, after its quick second try: not "kept failing".
    const refusedLocal = describeError(new DpsError({ kind: 'retriesExhausted', lastKind: 'network', causeCode: 'ECONNREFUSED', hostName: 'localhost:8443', attempts: 2, message: 'm', operation: 'x' }), 'Could not load');
    assert.equal(refusedLocal.message, 'Could not load: the local emulator is not running (nothing answers at localhost:8443).');
    assert.deepEqual(refusedLocal.actions, ['startEmulator', 'retry', 'showLogs']);
    // Retries that ended without any HTTP answer from a loopback host say the same, never "kept failing".
    const droppedLocal = describeError(new DpsError({ kind: 'retriesExhausted', hostName: '127.0.0.1:8443', attempts: 2, message: 'm', operation: 'x' }), 'Could not load');
    assert.match(droppedLocal.message ?? '', /the local emulator is not running/);
    assert.deepEqual(droppedLocal.actions[0], 'startEmulator');
    const refusedRemote = describeError(net('ECONNREFUSED', 'mydps.azure-devices-provisioning.net'), 'C');
    assert.match(refusedRemote.message ?? '', /refused the connection/);
    assert.ok(!refusedRemote.actions.includes('startEmulator'), 'Start Emulator only for the local emulator');
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const dns = describeError(net(code, 'nosuch.azure-devices-provisioning.net'), 'C');
      assert.match(dns.message ?? '', new RegExp(`host name nosuch\\.azure-devices-provisioning\\.net could not be found \\(DNS ${code}\\)`));
      assert.deepEqual(dns.actions, ['updateConnection', 'retry', 'showLogs']);
    }
    const tls = (code: string) => describeError(new DpsError({ kind: 'tls', causeCode: code, hostName: 'h.example', message: 'm', operation: 'x' }), 'C');
    assert.match(tls('CERT_HAS_EXPIRED').message ?? '', /not trusted: its certificate has expired \(CERT_HAS_EXPIRED\)/);
    assert.match(tls('ERR_TLS_CERT_ALTNAME_INVALID').message ?? '', /issued for another host name/);
    assert.match(tls('SELF_SIGNED_CERT_IN_CHAIN').message ?? '', /root this machine does not trust/);
    assert.match(tls('DEPTH_ZERO_SELF_SIGNED_CERT').message ?? '', /self-signed/);
    assert.deepEqual(tls('CERT_HAS_EXPIRED').actions, ['updateConnection', 'showLogs']);
    const timeout = describeError(new DpsError({ kind: 'retriesExhausted', lastKind: 'timeout', hostName: 'h.example', attempts: 2, message: 'm', operation: 'x' }), 'C');
    assert.equal(timeout.message, 'C: h.example did not answer in time (tried 2 times).');
    assert.deepEqual(timeout.actions, ['retry', 'showLogs']);
    for (const d of [refusedLocal, refusedRemote, timeout, tls('CERT_HAS_EXPIRED')]) assert.doesNotMatch(d.message ?? '', /kept failing/);
  });

  void test('a 429 carries the wait it asked for, so Retry can honour it', () => {
    const d = describeError(http(429, { retryAfterMs: 7000 }), 'C');
    assert.equal(d.retryAfterMs, 7000);
    assert.match(d.message ?? '', /Retry waits the 7 s it asked for/);
    assert.deepEqual(d.actions, ['retry', 'showLogs']);
  });
});

