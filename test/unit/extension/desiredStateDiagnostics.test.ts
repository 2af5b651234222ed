// YAML desired-state files get their problems in the Problems panel as they are edited: each at its
// line, cleared when fixed, never overwritten by an older edit's check, and only for such files.
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { documentEvents, recorder, resetRecorder } from '../../support/vscodeStub';
import { registerDesiredStateDiagnostics } from '../../../src/ui/desiredStateDiagnostics';

interface FakeDocument {
  uri: { scheme: string; toString(): string };
  fileName: string;
  version: number;
  isClosed: boolean;
  getText(): string;
  getWordRangeAtPosition(): undefined;
  lineAt(line: number): { range: { end: { line: number; character: number } } };
}

function yamlDocument(fileName: string, text: string, version = 1): FakeDocument {
  return {
    uri: { scheme: 'file', toString: () => `file://${fileName}` },
    fileName,
    version,
    isClosed: false,
    getText: () => text,
    getWordRangeAtPosition: () => undefined,
    lineAt: (line) => ({ range: { end: { line, character: 80 } } }),
  };
}

const BAD = 'version: 1\nenrollments:\n  - registrationId: "bad id with spaces"\n    attestation: { type: symmetricKey }\n';
const GOOD = 'version: 1\nenrollments:\n  - registrationId: dev-01\n    attestation: { type: symmetricKey }\n';

/** The check loads the desired-state library on first use; once it is loaded, results arrive within a few turns. */
async function settled(): Promise<void> {
  await import('../../../src/ascode/index.js');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

type Diag = { message: string; range: { start: { line: number } } };

void describe('desired-state diagnostics for YAML files', () => {
  beforeEach(() => resetRecorder());

  void test('a problem is shown at its line and cleared once fixed', async () => {
    const disposable = registerDesiredStateDiagnostics();
    const doc = yamlDocument('/ws/prod.dps.yaml', BAD);
    documentEvents.open.fire(doc);
    await settled();
    const shown = recorder.diagnostics.get('file:///ws/prod.dps.yaml') as Diag[] | undefined;
    assert.equal(shown?.length, 1, 'one problem');
    assert.equal(shown[0]?.range.start.line, 2, 'on the registrationId line (0-based)');
    assert.match(shown[0]?.message ?? '', /bad id with spaces|registration id/i);
    documentEvents.change.fire({ document: { ...doc, version: 2, getText: () => GOOD } });
    await settled();
    assert.deepEqual(recorder.diagnostics.get('file:///ws/prod.dps.yaml'), []);
    disposable.dispose();
  });

  void test('an older edit finishing late does not replace the newer result', async () => {
    const disposable = registerDesiredStateDiagnostics();
    const doc = yamlDocument('/ws/late.dps.yml', BAD);
    documentEvents.open.fire(doc);
    // The user edits again before the first check finished: the document is now at version 2.
    doc.version = 2;
    await settled();
    assert.equal(recorder.diagnostics.has('file:///ws/late.dps.yml'), false, 'the stale check set nothing');
    disposable.dispose();
  });

  void test('other files are left alone, and closing drops the problems', async () => {
    const disposable = registerDesiredStateDiagnostics();
    documentEvents.open.fire(yamlDocument('/ws/pipeline.yaml', BAD));
    const doc = yamlDocument('/ws/dps-enrollments.yml', BAD);
    documentEvents.open.fire(doc);
    await settled();
    assert.equal(recorder.diagnostics.has('file:///ws/pipeline.yaml'), false);
    assert.equal((recorder.diagnostics.get('file:///ws/dps-enrollments.yml') as Diag[]).length, 1);
    documentEvents.close.fire(doc);
    assert.equal(recorder.diagnostics.has('file:///ws/dps-enrollments.yml'), false);
    disposable.dispose();
  });
});
