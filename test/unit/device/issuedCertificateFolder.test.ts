// Where the issued certificate of a test device may be saved: a folder inside the workspace, named
// as typed; anything that leaves the workspace or is empty is refused with what to type instead.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { folderProblem, issuedCertificatePaths } from '../../../src/device/issuedCertificateFiles';

void describe('issued certificate folder', () => {
  void test('relative folders inside the workspace are fine, including nested ones and the workspace itself', () => {
    for (const ok of ['dev-01', 'certs/dev-01', ' certs/./dev-01 ', '.', 'a/../b']) assert.equal(folderProblem(ok), undefined, ok);
  });

  void test('empty, absolute and escaping folders are refused, each with its reason', () => {
    assert.match(folderProblem('  ') ?? '', /Enter a folder name/);
    assert.match(folderProblem('/etc') ?? '', /relative to the workspace/);
    assert.match(folderProblem('C:\\temp') ?? '', /relative to the workspace/);
    assert.match(folderProblem('..') ?? '', /inside the workspace/);
    assert.match(folderProblem('certs/../../x') ?? '', /inside the workspace/);
  });

  void test('the files are named for the registration id', () => {
    assert.deepEqual(issuedCertificatePaths('/w/dev-01', 'dev-01'), { certificatePath: join('/w/dev-01', 'dev-01.cert.pem'), keyPath: join('/w/dev-01', 'dev-01.key.pem') });
  });
});
