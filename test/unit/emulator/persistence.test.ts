// The journal and snapshot on disk: what a crash leaves behind loads, damage is refused naming the
// file and changing nothing, version-1 files convert, and compaction loses nothing while queries page.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { IndividualEnrollment } from '../../../src/dps/models';
import { encodeChange } from '../../../src/emulator/journalRecords';
import { journalPath, StorePersistence } from '../../../src/emulator/persistence';
import { EmulatorStore, type StoreChange } from '../../../src/emulator/store';

const e = (registrationId: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment =>
  ({ registrationId, attestation: { type: 'none' }, ...extra });

function dataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(file: string, compactAfterBytes = 1 << 30): Promise<{ store: EmulatorStore; persistence: StorePersistence; log: string[] }> {
  const store = new EmulatorStore();
  const log: string[] = [];
  const persistence = await StorePersistence.open(store, file, { compactAfterBytes, log: (l) => log.push(l) });
  return { store, persistence, log };
}

/** Some of everything: enrollments, a group, group and individual registrations, a delete. */
async function fill(store: EmulatorStore, persistence: StorePersistence | undefined, n: number): Promise<void> {
  for (let i = 0; i < n; i++) store.enrollments.put(e(`dev-${i}`, { deviceId: `d${i}` }));
  store.enrollmentGroups.put({ enrollmentGroupId: 'fleet', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'a2V5', secondaryKey: 'a2V5' } } });
  store.upsertRegistration({ registrationId: 'dev-1', status: 'assigned' });
  store.upsertRegistration({ registrationId: 'member-1', status: 'assigned' }, 'fleet');
  store.enrollments.delete('dev-0');
  await persistence?.whenDurable();
}

void test('what the journal holds loads again, without a compaction (as after kill -9)', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const first = await open(file);
  await fill(first.store, first.persistence, 50);
  // No close(): the process "dies" here with the changes only in the journal.
  const second = await open(file);
  assert.deepEqual(second.store.snapshot(), first.store.snapshot());
  assert.deepEqual(second.store.registrationsOfGroup('FLEET').map((r) => r.state.registrationId), ['member-1']);
  await second.persistence.close();
});

void test('disk written per write is the size of its journal record', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const { store, persistence } = await open(file);
  const changes: StoreChange[] = [];
  store.onChange((c) => changes.push(c));
  for (let i = 0; i < 200; i++) store.enrollments.put(e(`w-${i}`, { initialTwin: { tags: { pad: 'x'.repeat(i) } } }));
  await persistence.whenDurable();
  const expected = changes.reduce((sum, c) => sum + Buffer.byteLength(encodeChange(c)), 0);
  assert.equal(persistence.stats().bytesWritten, expected);
  assert.equal(statSync(journalPath(file, 1)).size, expected);
  await persistence.close();
});

void test('a journal whose last record is torn loads everything before it and the tail is cut off', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const first = await open(file);
  await fill(first.store, first.persistence, 20);
  const journal = journalPath(file, 1);
  const whole = statSync(journal).size;
  const record = encodeChange({ op: 'put', collection: 'enrollment', listingKey: '0123456789abcdef:late', value: e('late') });
  for (const torn of [record.slice(0, record.length >> 1), `${record.slice(0, -3)}xx\n`, '\0\0\0\0']) {
    appendFileSync(journal, torn);
    const again = await open(file);
    assert.deepEqual(again.store.snapshot(), first.store.snapshot(), JSON.stringify(torn.slice(0, 20)));
    assert.equal(again.store.enrollments.get('late'), undefined);
    assert.equal(statSync(journal).size, whole, 'the torn tail was truncated');
    assert.match(again.log.join('\n'), /cut off \d+ bytes/);
  }
});

void test('a damaged record with valid ones after it is refused, naming the journal, and nothing changes', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const first = await open(file);
  await fill(first.store, first.persistence, 5);
  const journal = journalPath(file, 1);
  const lines = readFileSync(journal, 'utf8').split('\n');
  lines[2] = lines[2].replace('dev-2', 'dev-X');
  writeFileSync(journal, lines.join('\n'));
  const before = readFileSync(journal);
  await assert.rejects(open(file), (err: Error) => err.message.includes(journal) && /line 3 \(checksum mismatch\)/.test(err.message));
  assert.deepEqual(readFileSync(journal), before);
});

void test('a damaged snapshot is refused naming the file and is left as it was', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const first = await open(file);
  await fill(first.store, first.persistence, 5);
  await first.persistence.close();
  const good = readFileSync(file, 'utf8');
  for (const bad of [good.replace('dev-3', 'dev-Z'), good.split('\n').slice(0, -2).join('\n') + '\n', `${good}extra\n`]) {
    writeFileSync(file, bad);
    await assert.rejects(open(file), (err: Error) => err.message.includes(file) && /not usable/.test(err.message));
    assert.equal(readFileSync(file, 'utf8'), bad);
  }
});

void test('a version-1 data file (one JSON document) loads, is converted once and kept as a backup', async (t) => {
  const file = join(dataDir(t), 'data.json');
  // The fixture in the old format, made the way the old emulator saved it.
  const old = new EmulatorStore();
  await fill(old, undefined, 30);
  const v1 = JSON.stringify(old.snapshot());
  assert.match(v1, /^\{"format":"dps-enrollments-emulator","version":1,"enrollments":\[/);
  writeFileSync(file, v1);

  const first = await open(file);
  assert.deepEqual(first.store.snapshot(), old.snapshot(), 'same items, same etags and timestamps');
  assert.match(first.log.join('\n'), /converted from format version 1/);
  assert.equal(readFileSync(`${file}.v1-backup`, 'utf8'), v1);
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{8} \{"format":"dps-enrollments-emulator","version":3/);
  first.store.enrollments.put(e('after-conversion'));
  await first.persistence.close();

  const second = await open(file);
  assert.equal(second.store.counts().enrollments, 30);
  assert.ok(second.store.enrollments.get('after-conversion'));
  await second.persistence.close();
});

void test('compaction while writes go on and a query pages: nothing lost, nothing doubled, restart equal', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const { store, persistence } = await open(file);
  await fill(store, persistence, 3000);
  const throughout = new Set(store.enrollments.list().map((x) => x.registrationId).filter((id) => !id.endsWith('7')));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  const compaction = persistence.compact();
  do {
    const page = store.enrollments.page({ scope: 'enrollments', maxItemCount: '97', continuation: token, maxPageSize: 100 });
    seen.push(...page.items.map((x) => x.registrationId));
    token = page.continuation;
    // Between pages (and while the snapshot is being written): adds, updates and deletes.
    store.enrollments.put(e(`new-${pages}`));
    store.enrollments.put(e(`dev-${pages * 10 + 1}`, { deviceId: 'changed' }));
    store.enrollments.delete(`dev-${pages * 10 + 7}`);
    pages += 1;
    await new Promise((r) => setImmediate(r));
  } while (token !== undefined);
  await compaction;
  assert.equal(persistence.stats().compactions, 1);
  assert.equal(new Set(seen).size, seen.length, 'no item twice');
  for (const id of throughout) assert.ok(seen.includes(id), `${id} skipped`);

  store.upsertRegistration({ registrationId: 'after-compaction' }, 'fleet');
  await persistence.whenDurable();
  const reopened = await open(file);
  assert.deepEqual(reopened.store.snapshot(), store.snapshot());
  assert.equal(existsSync(journalPath(file, 1)), false, 'the journal before the snapshot was deleted');
  await reopened.persistence.close();
});

void test('compaction starts on its own once the journal outgrows the limit, and old journals go', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const { store, persistence } = await open(file, 4096);
  for (let i = 0; i < 400; i++) {
    store.enrollments.put(e(`auto-${i % 50}`, { deviceId: String(i) }));
    await persistence.whenDurable();
  }
  await persistence.close();
  assert.ok(persistence.stats().compactions >= 2, `compactions: ${persistence.stats().compactions}`);
  const again = await open(file);
  assert.deepEqual(again.store.snapshot(), store.snapshot());
  await again.persistence.close();
});
