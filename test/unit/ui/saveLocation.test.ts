// Where save dialogs open: in the first workspace folder, else the home folder; never at "/", where a
// bare file name lands in VS Code and code-server.
import '../../support/vscodeStubInstall';
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { vscodeStub } from '../../support/vscodeStub';
import { defaultSaveUri } from '../../../src/ui/saveLocation';

const fsPath = (uri: unknown) => (uri as { fsPath: string }).fsPath;

void describe('defaultSaveUri', () => {
  afterEach(() => {
    vscodeStub.workspace.workspaceFolders = undefined;
  });

  void test('the file in the first workspace folder', () => {
    vscodeStub.workspace.workspaceFolders = [
      { uri: vscodeStub.Uri.file('/work/fleet'), name: 'fleet', index: 0 },
      { uri: vscodeStub.Uri.file('/work/other'), name: 'other', index: 1 },
    ];
    assert.equal(fsPath(defaultSaveUri('lab.dps.json')), '/work/fleet/lab.dps.json');
  });

  void test('without a folder open, the file in the home folder', () => {
    const uri = defaultSaveUri('lab.dps.json');
    assert.equal(fsPath(uri), `${homedir()}/lab.dps.json`);
    assert.notEqual(fsPath(uri), '/lab.dps.json');
  });
});
