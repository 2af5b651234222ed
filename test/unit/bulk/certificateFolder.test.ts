import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateFolderSource, certificateRows } from '../../../src/bulk/certificateFolder';
import { leafWithCommonName, testChain, withTempDir, writeFiles } from '../../support/attestation';

void describe('certificate folder source', () => {
  void test('one enrollment per leaf, id from the CN; CA certificates and bad CNs are invalid rows', async () => {
    const chain = await testChain('ecdsa-p256', 'folder-dev-1');
    const other = await leafWithCommonName('folder-dev-2');
    const badCn = await leafWithCommonName('bad cn!');
    await withTempDir(async (dir) => {
      writeFiles(dir, { 'a.pem': chain.device.certificatePem, 'b.crt': other, 'c.pem': chain.root.certificatePem, 'd.cer': badCn, 'notes.txt': 'ignored', 'e.pem': 'not a certificate' });
      const source = await certificateFolderSource(dir, 'create');
      assert.deepEqual(source.rows.map((r) => r.origin), ['a.pem', 'b.crt', 'c.pem', 'd.cer', 'e.pem']);
      assert.deepEqual(source.rows.map((r) => r.id), ['folder-dev-1', 'folder-dev-2', '', '', '']);
      assert.equal(source.rows[0].item?.attestation.x509?.clientCertificates?.primary?.certificate?.includes('BEGIN CERTIFICATE'), true);
      for (const row of source.rows.slice(2)) assert.ok(row.errors.length > 0 && row.item === undefined, row.origin);
      assert.match(source.rows[3].errors.join(' '), /CN/);
    });
  });

  void test('delete takes only the CN', async () => {
    const other = await leafWithCommonName('folder-dev-3');
    const [row] = certificateRows([{ name: 'x.pem', bytes: Buffer.from(other) }], 'delete');
    assert.deepEqual(row.item, { registrationId: 'folder-dev-3', attestation: { type: 'none' } });
  });

  void test('an empty or missing folder is a clear error', async () => {
    await withTempDir(async (dir) => {
      writeFiles(dir, { 'readme.md': '#' });
      await assert.rejects(certificateFolderSource(dir, 'create'), /has no certificate files/);
      await assert.rejects(certificateFolderSource(`${dir}/missing`, 'create'), /could not be read/);
    });
  });
});
