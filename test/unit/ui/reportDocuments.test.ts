import '../../support/vscodeStubInstall';
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { documentEvents, recorder, resetRecorder, vscodeStub } from '../../support/vscodeStub';
import { REPORT_SCHEME, registerReportDocuments, reportSource, reportUri, showReport } from '../../../src/ui/reportDocuments';

const vscode = () => vscodeStub as unknown as { workspace: { openTextDocument(uri: never): Promise<{ content: string }> } };

void describe('report documents', () => {
  let registration: { dispose(): void };
  beforeEach(() => {
    resetRecorder();
    registration = registerReportDocuments();
  });
  afterEach(() => registration.dispose());

  void test('a report opens read-only from its own scheme, as Markdown, with its text', async () => {
    await showReport('Plan fleet.dps.json for lab', '# Plan\n\n1 to create\n');
    const [document] = recorder.documents;
    assert.equal(document?.uri, `${REPORT_SCHEME}:/Plan fleet.dps.json for lab.md`);
    assert.equal(document?.language, 'markdown');
    assert.equal(document?.content, '# Plan\n\n1 to create\n');
  });

  void test('the same title shows the newest report; a closed one is forgotten', async () => {
    await showReport('Plan a', 'first');
    await showReport('Plan a', 'second');
    assert.equal(recorder.documents[1]?.content, 'second');
    documentEvents.close.fire({ uri: reportUri('Plan a'), scheme: REPORT_SCHEME } as never);
    // Gone from memory once closed: a URI opened again without showReport is empty.
    const reopened = await vscode().workspace.openTextDocument(reportUri('Plan a') as never);
    assert.equal(reopened.content, '');
  });

  void test('a report remembers the file it was made from until it is closed or shown again without one', async () => {
    const file = { scheme: 'file', path: '/ws/fleet.dps.json', toString: () => 'file:///ws/fleet.dps.json' };
    await showReport('Plan fleet.dps.json for lab', 'plan', { source: file as never });
    assert.equal(reportSource(reportUri('Plan fleet.dps.json for lab')), file);
    assert.equal(reportSource(file as never), undefined, 'a file is not a report');
    await showReport('Plan fleet.dps.json for lab', 'plan again');
    assert.equal(reportSource(reportUri('Plan fleet.dps.json for lab')), undefined);
    await showReport('Plan fleet.dps.json for lab', 'plan', { source: file as never });
    documentEvents.close.fire({ uri: reportUri('Plan fleet.dps.json for lab') });
    assert.equal(reportSource(reportUri('Plan fleet.dps.json for lab')), undefined);
  });

  void test('titles become safe file names', () => {
    assert.equal(reportUri('Provisioned dev/1: "x"').path, '/Provisioned dev-1- -x-.md');
    assert.equal(reportUri('***').path, '/-.md');
    assert.equal(reportUri('   ').path, '/report.md');
  });

  void test('without registration (the extension not active) it says so', async () => {
    registration.dispose();
    await assert.rejects(showReport('x', 'y'), /not registered/);
    registration = registerReportDocuments();
  });
});
