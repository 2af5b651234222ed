// Export and import of a generated 100,000-item instance, end to end against the emulator: the
// store is generated directly (the emulator's load hook), exported as it is read into a file,
// imported by streaming that file through the dry run and the runner into a second emulator, and
// exported again: the two files hold exactly the same items (order aside: it is not guaranteed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportConnectionToFile, planBulk, readExistingItems, readJsonSourcesFromFile, runBulkJob, type ExportDocument } from '../../src/bulk';
import { InstanceBudget } from '../../src/dps/budget';
import { generateSymmetricKey } from '../../src/attestation';
import { FAST_RETRY, startBulkEnvironment, type BulkTestEnvironment } from '../support/bulk';
import { tempDir } from '../support/emulator';

const ENROLLMENTS = 100_000;
const SYMMETRIC = 1_000; // each costs one attestation read on export with keys
const GROUPS = 20;
let source: BulkTestEnvironment;
let target: BulkTestEnvironment;

before(async () => {
  source = await startBulkEnvironment();
  target = await startBulkEnvironment();
});
after(async () => {
  await source.dispose();
  await target.dispose();
});

/** A TPM2B_PUBLIC of an RSA-2048 key laid out like the TCG EK template, as base64. */
function endorsementKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const modulus = Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url');
  const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
  const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const sized = (d: Buffer): Buffer => Buffer.concat([u16(d.length), d]);
  const area = Buffer.concat([u16(0x0001), u16(0x000b), u32(0x000300b2), sized(Buffer.alloc(32, 0x83)), u16(0x0006), u16(128), u16(0x0043), u16(0x0010), u16(2048), u32(0), sized(modulus)]);
  return sized(area).toString('base64');
}

function byId(items: Array<Record<string, unknown>>, field: string): Map<string, unknown> {
  return new Map(items.map((item) => [String(item[field]).toLowerCase(), item]));
}

void test(`export and import of ${ENROLLMENTS.toLocaleString('en-US')} enrollments and ${GROUPS} groups round-trip exactly`, { timeout: 600_000 }, async () => {
  const eks = Array.from({ length: 4 }, endorsementKey);
  const store = source.emulator.emu.store;
  const now = new Date().toISOString();
  for (let i = 0; i < ENROLLMENTS; i++) {
    const id = `rt-${String(i).padStart(6, '0')}`;
    const attestation = i < SYMMETRIC
      ? { type: 'symmetricKey' as const, symmetricKey: { primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey() } }
      : { type: 'tpm' as const, tpm: { endorsementKey: eks[i % eks.length] } };
    store.enrollments.load({
      registrationId: id, attestation, provisioningStatus: i % 7 === 0 ? 'disabled' : 'enabled', deviceId: `device-${i}`,
      initialTwin: { tags: { line: i % 13 }, properties: { desired: { n: i } } }, capabilities: { iotEdge: i % 5 === 0 },
      etag: `e${i}`, createdDateTimeUtc: now, lastUpdatedDateTimeUtc: now,
    });
  }
  for (let g = 0; g < GROUPS; g++) {
    store.enrollmentGroups.load({
      enrollmentGroupId: `rt-group-${g}`, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey() } },
      provisioningStatus: 'enabled', etag: `g${g}`, createdDateTimeUtc: now, lastUpdatedDateTimeUtc: now,
    });
  }

  const dir = tempDir('export-import-');
  const first = join(dir, 'first.json');
  const budget = (): InstanceBudget => new InstanceBudget({ operationsPerMinute: 1e9, retry: FAST_RETRY });
  const counts = await exportConnectionToFile(source.client, first, { includeKeys: true, budget: budget() });
  assert.deepEqual(counts, { enrollments: ENROLLMENTS, enrollmentGroups: GROUPS });

  const sources = await readJsonSourcesFromFile(first, { mode: 'create', fileName: 'first.json' });
  assert.deepEqual(sources.map((s) => [s.kind, s.rows.length]), [['enrollment', ENROLLMENTS], ['group', GROUPS]]);
  for (const s of sources) {
    const jobBudget = budget();
    const plan = planBulk(s, 'create', await readExistingItems(target.client, s.kind, { budget: jobBudget }));
    assert.equal(plan.invalid.length, 0, JSON.stringify(plan.invalid.slice(0, 2).map((i) => i.reasons)));
    const report = await runBulkJob(target.client, plan, { budget: jobBudget, concurrency: 8, retry: FAST_RETRY });
    assert.deepEqual(report.counts, { done: s.rows.length, failed: 0, notSent: 0, invalid: 0 });
  }

  const second = join(dir, 'second.json');
  await exportConnectionToFile(target.client, second, { includeKeys: true, budget: budget() });
  const a = JSON.parse(readFileSync(first, 'utf8')) as ExportDocument;
  const b = JSON.parse(readFileSync(second, 'utf8')) as ExportDocument;
  assert.equal(b.enrollments.length, ENROLLMENTS);
  assert.deepEqual(byId(b.enrollments, 'registrationId'), byId(a.enrollments, 'registrationId'));
  assert.deepEqual(byId(b.enrollmentGroups, 'enrollmentGroupId'), byId(a.enrollmentGroups, 'enrollmentGroupId'));
  const someKey = a.enrollments.find((e) => e.attestation.type === 'symmetricKey')?.attestation.symmetricKey?.primaryKey;
  assert.ok(someKey !== undefined && someKey.length > 0, 'keys travelled');
});
