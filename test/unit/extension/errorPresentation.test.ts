import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsError } from '../../../src/dps/errors';
import { ConnectionStringError } from '../../../src/dps/connectionString';
import { describeError, isCancellation, UserCancelledError } from '../../../src/common/errorPresentation';

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
});
