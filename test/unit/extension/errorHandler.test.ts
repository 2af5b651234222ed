// The one error path: the command ends without waiting for the toast, every mapped button has a
// handler that acts, Retry starts a fresh run, a 429's Retry waits what the service asked.
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { LogRecorder } from '../../support/vscodeFakes';
import { DpsError } from '../../../src/dps/errors';
import { ErrorHandler, type DefaultErrorActionHandlers } from '../../../src/ui/errorHandler';
import { actionLabels, describeError, type ErrorAction } from '../../../src/common/errorPresentation';
import { createLogger } from '../../../src/common/logger';

const never = (): Promise<never> => new Promise<never>(() => undefined);

function handler(waits: number[] = []) {
  const log = new LogRecorder();
  const called: string[] = [];
  const defaults: DefaultErrorActionHandlers = {
    refresh: () => called.push('refresh'),
    updateConnection: () => called.push('updateConnection'),
    reloadAndCompare: () => called.push('reloadAndCompare'),
    startEmulator: () => called.push('startEmulator'),
  };
  const errors = new ErrorHandler(createLogger(log), defaults, (ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
  return { errors, log, called };
}

const samples: Array<[string, DpsError]> = [
  ['401', new DpsError({ kind: 'http', status: 401, message: 'm', operation: 'x' })],
  ['404', new DpsError({ kind: 'http', status: 404, message: 'm', operation: 'x' })],
  ['412', new DpsError({ kind: 'http', status: 412, message: 'm', operation: 'IndividualEnrollment_CreateOrUpdate' })],
  ['429', new DpsError({ kind: 'http', status: 429, message: 'm', operation: 'x', retryAfterMs: 2000 })],
  ['refused', new DpsError({ kind: 'network', causeCode: 'ECONNREFUSED', hostName: 'localhost:4443', message: 'm', operation: 'x' })],
  ['dns', new DpsError({ kind: 'network', causeCode: 'ENOTFOUND', hostName: 'x.example', message: 'm', operation: 'x' })],
  ['tls', new DpsError({ kind: 'tls', causeCode: 'CERT_HAS_EXPIRED', hostName: 'x.example', message: 'm', operation: 'x' })],
  ['timeout', new DpsError({ kind: 'timeout', hostName: 'x.example', message: 'm', operation: 'x' })],
];

beforeEach(() => resetRecorder());

void describe('ErrorHandler', () => {
  void test('a failed command resolves while its toast is still open', async () => {
    const { errors, log } = handler();
    recorder.answers.push(never);
    let settled = false;
    const run = errors.run('Could not enable', () => Promise.reject(samples[2]?.[1])).then(() => (settled = true));
    await Promise.race([run, new Promise((r) => setTimeout(r, 1000))]);
    assert.equal(settled, true, 'the command did not wait for the notification');
    assert.equal(recorder.messages.length, 1);
    assert.ok(log.lines.some((l) => l.startsWith('error Could not enable:')), 'the failure is logged');
  });

  void test('every action the mapping offers is shown, and each button does something', async () => {
    for (const [name, error] of samples) {
      const mapped = describeError(error, 'C').actions;
      for (const action of mapped) {
        resetRecorder();
        const { errors, called, log } = handler();
        let retried = 0;
        recorder.answers.push(actionLabels[action]);
        await errors.report(error, 'C', { retry: () => retried++ });
        assert.deepEqual(recorder.messages[0]?.items, mapped.map((a: ErrorAction) => actionLabels[a]), `${name}: a mapped action has no button`);
        const acted = action === 'retry' ? retried === 1 : action === 'showLogs' ? true : called.includes(action);
        assert.ok(acted, `${name}: ${action} did nothing`);
        assert.ok(!log.lines.some((l) => /chosen action failed/.test(l)));
      }
    }
  });

  void test('412 offers "Reload and Compare" and the command can say what that does', async () => {
    const { errors, called } = handler();
    const shown: string[] = [];
    recorder.answers.push('Reload and Compare');
    await errors.report(samples[2]?.[1], 'Could not disable', { reloadAndCompare: () => shown.push('opened current version') });
    assert.deepEqual(recorder.messages[0]?.items, ['Reload and Compare', 'Show Logs']);
    assert.deepEqual(shown, ['opened current version']);
    assert.deepEqual(called, [], 'the per-command handler wins over the default');
  });

  void test('Retry starts a fresh run: the failed run does not contain it', async () => {
    const { errors } = handler();
    let tries = 0;
    recorder.answers.push('Retry');
    const task = (): Promise<void> => {
      tries++;
      // The retried run never finishes: if it ran inside the first, the first would never end either.
      return tries === 1 ? Promise.reject(new DpsError({ kind: 'http', status: 503, message: 'busy', operation: 'x' })) : never();
    };
    const first = errors.run('Could not load', task).then(() => 'ended');
    assert.equal(await Promise.race([first, new Promise((r) => setTimeout(() => r('still pending'), 1000))]), 'ended');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(tries, 2, 'the retry ran');
  });

  void test("Retry after a 429 waits the service's Retry-After first", async () => {
    const waits: number[] = [];
    const { errors } = handler(waits);
    let retried = 0;
    recorder.answers.push('Retry');
    await errors.report(samples[3]?.[1], 'C', { retry: () => retried++ });
    assert.deepEqual(waits, [2000]);
    assert.equal(retried, 1);
  });

  void test('cancelling is silent; a failing action is logged, not thrown', async () => {
    const { errors, log } = handler();
    await errors.run('C', () => Promise.reject(new DpsError({ kind: 'aborted', message: 'a', operation: 'x' })));
    assert.equal(recorder.messages.length, 0);
    recorder.answers.push('Retry');
    await errors.report(samples[7]?.[1], 'C', { retry: () => Promise.reject(new Error('boom')) });
    assert.ok(log.lines.some((l) => /C: the chosen action failed: boom/.test(l)));
  });
});
