import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateSymmetricKey } from '../../../src/attestation';
import { writeFileAtomic } from '../../../src/util/atomicWrite';
import { deviceKeyCsv } from '../../../src/bulk/deviceKeyCsv';
import { expandIdPattern } from '../../../src/bulk/idPattern';
import { withTempDir } from '../../support/attestation';

void describe('device key CSV', () => {
  void test('each valid id gets base64(HMAC-SHA256(group key, id)); bad and repeated ids are rejected', () => {
    const groupKey = generateSymmetricKey();
    const ids = [...expandIdPattern('dev-{001..100}'), 'bad id', 'DEV-001'];
    const result = deviceKeyCsv(groupKey, ids);
    assert.equal(result.count, 100);
    assert.deepEqual(result.rejected.map((r) => r.registrationId), ['bad id', 'DEV-001']);
    const records = parse<{ registrationId: string; derivedKey: string }>(result.csv, { columns: true });
    assert.equal(records.length, 100);
    const expected = createHmac('sha256', Buffer.from(groupKey, 'base64')).update('dev-042').digest('base64');
    assert.equal(records.find((r) => r.registrationId === 'dev-042')?.derivedKey, expected);
    assert.ok(!result.csv.includes(groupKey), 'the group key itself is not written');
  });

  void test('an unusable group key throws without echoing it', () => {
    assert.throws(() => deviceKeyCsv('c2hvcnQ=', ['d1']), (e: unknown) => e instanceof Error && /group key/.test(e.message) && !e.message.includes('c2hvcnQ='));
  });
});

void describe('writeFileAtomic', () => {
  void test('writes the whole file with the mode asked and leaves no temp file', async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, 'keys.csv');
      await writeFileAtomic(target, 'a,b\n', { mode: 0o600 });
      await writeFileAtomic(target, 'c,d\n', { mode: 0o600 });
      assert.equal(readFileSync(target, 'utf8'), 'c,d\n');
      assert.equal(statSync(target).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir), ['keys.csv']);
    });
  });

  void test('a failed write leaves nothing behind', async () => {
    await withTempDir(async (dir) => {
      // The target is a folder: the rename fails after the temp file was written.
      await assert.rejects(writeFileAtomic(dir, 'x'));
      await assert.rejects(writeFileAtomic(join(dir, 'missing', 'f.csv'), 'x'));
      assert.deepEqual(readdirSync(dir), []);
    });
  });
});
