// The editor's enrollments-as-code commands driven through the vscode stub against a fake service:
// Check Drift asks about prune as Plan does and says when the service holds items the file does not
// name; Export as Desired State opens its save dialog in the workspace folder, not at "/".
import '../../support/vscodeStubInstall';
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recorder, resetRecorder, vscodeStub } from '../../support/vscodeStub';
import { enrollment, FakeDpsApi } from '../../support/vscodeFakes';
import { checkDrift, exportDesiredStateFile } from '../../../src/commands/asCodeCommands';
import type { CommandContext } from '../../../src/commands/commandContext';
import { UserCancelledError } from '../../../src/common/errorPresentation';
import { registerReportDocuments } from '../../../src/ui/reportDocuments';

const FILE = vscodeStub.Uri.file('/ws/fleet.dps.json');
const TEXT = JSON.stringify({ version: 1, enrollments: [{ registrationId: 'd1', attestation: { type: 'symmetricKey', keys: 'keep' } }] });

function setup(api: FakeDpsApi): CommandContext {
  return {
    store: { list: () => [{ id: 'c', label: 'lab', hostName: api.hostName, keyName: 'owner' }] },
    clients: { clientFor: () => Promise.resolve(api) },
    settings: { value: { bulkOperationsPerMinute: 60_000 } },
  } as unknown as CommandContext;
}

/** Answers the prune question as a user picks: by the choice's own flag. */
const prune = (wanted: boolean) => (items: Array<{ prune: boolean }>) => items.find((i) => i.prune === wanted);

void describe('enrollments-as-code commands', () => {
  let registration: { dispose(): void };
  beforeEach(() => {
    resetRecorder();
    registration = registerReportDocuments();
    // The file is open in an editor: its text is what is planned.
    vscodeStub.workspace.textDocuments.length = 0;
    vscodeStub.workspace.textDocuments.push({ uri: FILE, getText: () => TEXT });
  });
  afterEach(() => {
    registration.dispose();
    vscodeStub.workspace.workspaceFolders = undefined;
  });

  void test('Check Drift, prune off: no drift, but the items not in the file are counted, and the plan lists them', async () => {
    const api = new FakeDpsApi([enrollment('d1'), enrollment('by-hand')]);
    recorder.answers.push(prune(false), 'Show Plan');
    await checkDrift(setup(api), FILE);
    assert.deepEqual(recorder.messages.map((m) => [m.level, m.text, m.items]), [[
      'info',
      'No drift in the items fleet.dps.json names, but lab holds 1 it does not name. 0 to create, 0 to update, 0 to delete, 1 unchanged; 1 on the service but not in the file (kept: prune is off).',
      ['Show Plan'],
    ]]);
    await new Promise(setImmediate); // the command did not wait for the notification; its button opens the plan after
    assert.match(recorder.documents[0]?.content ?? '', /## On the service, not in the file \(1, kept\)\n\n- individual enrollment `by-hand`/);
  });

  void test('Check Drift, prune on: an item added by hand is drift, to delete', async () => {
    const api = new FakeDpsApi([enrollment('d1'), enrollment('by-hand')]);
    recorder.answers.push(prune(true), undefined);
    await checkDrift(setup(api), FILE);
    assert.deepEqual(recorder.messages.map((m) => [m.level, m.text]), [[
      'warn', 'Drift: lab no longer matches fleet.dps.json. 0 to create, 0 to update, 1 to delete, 1 unchanged.',
    ]]);
    assert.equal(recorder.documents.length, 0, 'the plan only when asked for');
  });

  void test('Check Drift: the service holds exactly the file; dismissing the prune question cancels', async () => {
    const api = new FakeDpsApi([enrollment('d1')]);
    recorder.answers.push(prune(false));
    await checkDrift(setup(api), FILE);
    assert.deepEqual(recorder.messages.map((m) => [m.level, m.text, m.items]), [['info', 'No drift: lab matches fleet.dps.json. 0 to create, 0 to update, 0 to delete, 1 unchanged.', []]]);
    recorder.answers.push(undefined);
    await assert.rejects(checkDrift(setup(api), FILE), UserCancelledError);
    assert.equal(api.queries, 2, 'nothing read once the question is dismissed');
  });

  void test('Export as Desired State opens its save dialog in the workspace folder', async () => {
    vscodeStub.workspace.workspaceFolders = [{ uri: vscodeStub.Uri.file('/ws'), name: 'ws', index: 0 }];
    let offered: { defaultUri?: { fsPath: string } } | undefined;
    recorder.answers.push((options: typeof offered) => {
      offered = options;
      return undefined; // the user closes the dialog
    });
    await assert.rejects(exportDesiredStateFile(setup(new FakeDpsApi())), UserCancelledError);
    assert.equal(offered?.defaultUri?.fsPath, '/ws/lab.dps.json');
  });
});
