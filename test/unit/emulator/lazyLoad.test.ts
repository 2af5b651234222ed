// Data format version 3 and items kept as JSON text until first read: a round trip keeps every
// item and etag, an item is parsed once, the snapshot writes unread items as they are, older
// formats load, and damage is named (by line when loading, by item when read).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { crc32 } from 'node:zlib';
import type { IndividualEnrollment } from '../../../src/dps/models';
import { EmulatorError } from '../../../src/emulator/errors';
import { decodeLine, encodeChange } from '../../../src/emulator/journalRecords';
import type { FileLine } from '../../../src/emulator/lineReader';
import { listingKey } from '../../../src/emulator/listingOrder';
import { readDataFiles, StorePersistence } from '../../../src/emulator/persistence';
import { loadSnapshot, writeSnapshot } from '../../../src/emulator/snapshot';
import { EmulatorStore } from '../../../src/emulator/store';
import { decodeStoredLine } from '../../../src/emulator/storedLine';

const FIXTURE_V2 = join(__dirname, '..', '..', 'fixtures', 'emulator-v2');

const e = (registrationId: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment =>
  ({ registrationId, attestation: { type: 'none' }, ...extra });

function dataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-lazy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Enrollments (one with non-ASCII text and a mixed-case id), groups and registrations of both kinds. */
function filled(n: number): EmulatorStore {
  const store = new EmulatorStore();
  for (let i = 0; i < n; i++) store.enrollments.put(e(`Dev-${i}`, { initialTwin: { tags: { site: i % 2 === 0 ? 'Zürich "HQ"' : 'Oslo\n2' } } }));
  store.enrollmentGroups.put({ enrollmentGroupId: 'Fleet', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'a2V5', secondaryKey: 'a2V5' } } });
  store.upsertRegistration({ registrationId: 'dev-1', status: 'assigned' });
  store.upsertRegistration({ registrationId: 'member-1', status: 'assigned' }, 'fleet');
  return store;
}

/** Lines as the line reader gives them: views into one chunk holding them all. */
function chunkOf(...texts: string[]): FileLine[] {
  const buffer = Buffer.from(texts.map((t) => `${t}\n`).join(''));
  const lines: FileLine[] = [];
  for (let at = 0, nl = buffer.indexOf(10); nl >= 0; at = nl + 1, nl = buffer.indexOf(10, at)) {
    lines.push({ bytes: buffer.subarray(at, nl), offset: at, complete: true });
  }
  return lines;
}

const one = (text: string): FileLine => chunkOf(text)[0];

/** Rewrites line `index` (0-based) of a data file with a valid checksum, as a hand edit would. */
function editLine(file: string, index: number, edit: (json: string) => string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const json = edit(lines[index].slice(9));
  lines[index] = `${crc32(json).toString(16).padStart(8, '0')} ${json}`;
  writeFileSync(file, lines.join('\n'));
}

void test('version 3 round trip: every item and etag comes back; enrollments and groups stay text until read', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const original = filled(200);
  await writeSnapshot(original, file, 7);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^[0-9a-f]{8} \{"format":"dps-enrollments-emulator","version":3,"journal":7\}\n/);
  assert.match(text, /\n[0-9a-f]{8} \{"op":"put","c":"enrollment","h":"[0-9a-f]{16}","i":"dev-5","v":\{"registrationId":"Dev-5",/);

  const loaded = new EmulatorStore();
  assert.deepEqual(await loadSnapshot(loaded, file), { journal: 7, legacy: false, version: 3, records: 203 });
  assert.equal(loaded.enrollments.countUnread(), 200);
  assert.equal(loaded.enrollmentGroups.countUnread(), 1);
  assert.deepEqual(loaded.counts(), original.counts());
  assert.deepEqual(loaded.snapshot(), original.snapshot(), 'same items, etags and timestamps, in the same order');
  assert.equal(loaded.enrollments.countUnread(), 0);
  assert.deepEqual(loaded.registrationsOfGroup('FLEET').map((r) => r.state.registrationId), ['member-1']);
});

void test('an item read for the first time is parsed once and then served as the same object', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const original = filled(50);
  await writeSnapshot(original, file, 1);
  const store = new EmulatorStore();
  await loadSnapshot(store, file);
  const first = store.enrollments.get('DEV-7');
  assert.deepEqual(first, original.enrollments.get('dev-7'));
  assert.equal(store.enrollments.countUnread(), 49);
  assert.equal(store.enrollments.get('dev-7'), first, 'kept as the parsed object');
  assert.equal(store.enrollments.require('Dev-7'), first);
  const page = store.enrollments.page({ scope: 'enrollments', maxItemCount: '10', maxPageSize: 100 });
  assert.equal(page.items.length, 10);
  assert.ok(store.enrollments.countUnread() <= 40 && store.enrollments.countUnread() >= 39, 'a page parses only its items');

  // A conditional write on an unread item sees its stored etag; a delete of an unread one works.
  const unread = original.enrollments.list().find((x) => x.registrationId !== 'Dev-7' && !page.items.some((p) => p.registrationId === x.registrationId));
  assert.ok(unread);
  assert.throws(() => store.enrollments.put(e(unread.registrationId), { ifMatch: '"stale"' }), /does not match If-Match/);
  const updated = store.enrollments.put(e(unread.registrationId), { ifMatch: unread.etag });
  assert.equal(updated.createdDateTimeUtc, unread.createdDateTimeUtc);
  store.enrollments.delete('dev-9');
  assert.equal(store.enrollments.get('dev-9'), undefined);
});

void test('a compaction writes unread items byte for byte as they were read, without parsing them', async (t) => {
  const file = join(dataDir(t), 'data.json');
  await writeSnapshot(filled(30), file, 1);
  const before = readFileSync(file, 'utf8').split('\n');
  const { persistence, store } = await (async () => {
    const s = new EmulatorStore();
    return { store: s, persistence: await StorePersistence.open(s, file) };
  })();
  store.enrollments.get('dev-3');
  store.enrollments.put(e('added'));
  await persistence.compact();
  assert.equal(store.enrollments.countUnread(), 29, 'the compaction parsed nothing');
  const after = readFileSync(file, 'utf8').split('\n');
  const unchanged = before.filter((l) => l.includes('"c":"enrollment"') && !l.includes('"i":"dev-3"'));
  assert.equal(unchanged.length, 29);
  for (const line of unchanged) assert.ok(after.includes(line), `rewritten: ${line.slice(0, 80)}`);
  await persistence.close();
  assert.deepEqual((await readDataFiles(file)).snapshot(), store.snapshot());
});

void test('journal records are version 3 too and replay (kept as text until read)', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const store = new EmulatorStore();
  const persistence = await StorePersistence.open(store, file);
  store.enrollments.put(e('J-1', { deviceId: 'x' }));
  store.enrollments.put(e('j-2'));
  store.enrollments.delete('j-2');
  await persistence.whenDurable();
  assert.match(readFileSync(`${file}.journal-1`, 'utf8'), /"i":"j-1","v":\{"registrationId":"J-1"/);
  const again = await readDataFiles(file);
  assert.equal(again.enrollments.countUnread(), 1);
  assert.deepEqual(again.snapshot(), store.snapshot());
  await persistence.close();
});

void test('a version-2 data file and journal (written by the previous emulator) load, and are rewritten as version 3 in the background', async (t) => {
  const dir = dataDir(t);
  cpSync(FIXTURE_V2, dir, { recursive: true });
  const file = join(dir, 'emulator-data.json');
  const expected = JSON.parse(readFileSync(join(dir, 'expected-store.json'), 'utf8')) as unknown;
  assert.deepEqual((await readDataFiles(file)).snapshot(), expected, 'same items, etags and timestamps as the old emulator had');

  const store = new EmulatorStore();
  const log: string[] = [];
  const persistence = await StorePersistence.open(store, file, { log: (l) => log.push(l) });
  assert.match(log.join('\n'), /version 2; rewriting it as version 3 in the background/);
  await persistence.compact(); // joins the conversion (or runs one more)
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{8} \{"format":"dps-enrollments-emulator","version":3/);
  assert.ok(persistence.stats().compactions >= 1);
  await persistence.close();
  const reloaded = await readDataFiles(file);
  assert.equal(reloaded.enrollments.countUnread(), 3);
  assert.deepEqual(reloaded.snapshot(), expected);
  assert.equal(reloaded.enrollments.get('device-mixed-case')?.initialTwin?.tags?.site, 'Zürich');
});

void test('the fast reader and the full parse agree; a hand-edited but valid line takes the full parse', () => {
  const put = (value: IndividualEnrollment) =>
    encodeChange({ op: 'put', collection: 'enrollment', listingKey: listingKey(value.registrationId), value }).slice(0, -1);
  const plain = { ...e('Plain-1', { initialTwin: { tags: { t: '"q" \\ }' } } }), etag: 'p' };
  const accented = { ...e('Mixed-Case.id:1', { initialTwin: { tags: { t: 'ü "q" \\ }' } } }), etag: 'x' };
  // An ASCII chunk, and a chunk with one non-ASCII line: every value comes back exactly, at its place.
  for (const lines of [chunkOf(put(plain), put(plain)), chunkOf(put(plain), put(accented), put(plain))]) {
    for (const line of lines) {
      const fast = decodeStoredLine(line);
      assert.ok(typeof fast !== 'string' && fast.kind === 'stored');
      const full = decodeLine(line.bytes.toString('utf8'));
      assert.ok(typeof full !== 'string' && full.kind === 'change' && full.change.op === 'put');
      assert.equal(fast.listingKey, full.change.listingKey);
      assert.deepEqual(JSON.parse(fast.json), full.change.value);
    }
  }
  assert.equal((decodeStoredLine(one(put(accented))) as { listingKey: string }).listingKey, listingKey('Mixed-Case.id:1'));

  // Same record, keys in another order and spaced out: valid JSON, so it loads through the full parse.
  const json = JSON.stringify({ v: accented, i: 'mixed-case.id:1', c: 'enrollment', op: 'put' }, null, 1).replace(/\n/g, '');
  const edited = decodeStoredLine(one(`${crc32(json).toString(16).padStart(8, '0')} ${json}`));
  assert.ok(typeof edited !== 'string' && edited.kind === 'change');
  // Registrations stay eager; a torn or damaged line is named as before.
  const reg = encodeChange({ op: 'put', collection: 'registration', listingKey: listingKey('r'), value: { state: { registrationId: 'r' } } }).slice(0, -1);
  assert.equal((decodeStoredLine(one(reg)) as { kind: string }).kind, 'change');
  assert.equal(decodeStoredLine(one(put(plain).slice(0, -5))), 'checksum mismatch');
  assert.equal(decodeStoredLine(one(put(plain).replace('Plain', 'Plein'))), 'checksum mismatch');
});

void test('a damaged version-3 line stops the load naming the file and its line', async (t) => {
  const file = join(dataDir(t), 'data.json');
  await writeSnapshot(filled(10), file, 1);
  const good = readFileSync(file, 'utf8');
  const lines = good.split('\n');
  writeFileSync(file, lines.map((l, i) => (i === 4 ? l.replace('"i":"dev-', '"i":"dxv-') : l)).join('\n'));
  await assert.rejects(loadSnapshot(new EmulatorStore(), file), (err: Error) => err.message.includes(file) && /line 5: checksum mismatch/.test(err.message));
  // Edited by hand (a space: not the fixed prefix, so fully parsed) with the checksum fixed, but
  // the id no longer names the value. (Through the fast reader that shows on first read: below.)
  writeFileSync(file, good);
  editLine(file, 3, (json) => json.replace(/"i":"dev-\d+"/, '"i": "someone-else"'));
  await assert.rejects(loadSnapshot(new EmulatorStore(), file), (err: Error) => err.message.includes(file) && /line 4: its id "i" does not match/.test(err.message));
});

void test('an unread item whose text was edited into something invalid answers with a clear 500, and is kept as it is', async (t) => {
  const file = join(dataDir(t), 'data.json');
  await writeSnapshot(filled(5), file, 1);
  const lines = readFileSync(file, 'utf8').split('\n');
  const target = lines.findIndex((l) => l.includes('"i":"dev-2"'));
  const other = lines.findIndex((l) => l.includes('"i":"dev-3"'));
  const broken = lines.findIndex((l) => l.includes('"i":"dev-4"'));
  // The fast reader takes the value as text, so these pass the load and fail on first read.
  editLine(file, target, (json) => json.replace('"attestation"', '"attestatio"'));
  editLine(file, other, (json) => json.replace('"registrationId":"Dev-3"', '"registrationId":"Dev-33"'));
  editLine(file, broken, (json) => json.replace('"attestation":{"type":"none"}', '"attestation":{"type":"symmetricKey","symmetricKey":{"primaryKey":"c2VjcmV0" x}}'));
  const damaged = readFileSync(file, 'utf8').split('\n')[target];
  const store = new EmulatorStore();
  await loadSnapshot(store, file);
  const cases = [['dev-2', /not a valid enrollment/], ['DEV-3', /holds the enrollment 'Dev-33' instead/], ['dev-4', /its JSON does not parse\)/]] as const;
  for (const [id, problem] of cases) {
    assert.throws(() => store.enrollments.get(id), (err: EmulatorError) =>
      err instanceof EmulatorError && err.status === 500 && err.message.includes(`'${id.toLowerCase()}'`) && problem.test(err.message)
      && /Fix or remove its line/.test(err.message) && !err.message.includes('c2VjcmV0'));
    assert.throws(() => store.enrollments.get(id), problem, 'still refused: nothing was replaced');
  }
  assert.equal(store.enrollments.get('dev-1')?.registrationId, 'Dev-1', 'the other items are served');
  const copy = join(dataDir(t), 'copy.json');
  await writeSnapshot(store, copy, 1);
  assert.ok(readFileSync(copy, 'utf8').includes(damaged), 'the damaged item is written back unchanged, not lost');
});

void test('a data file of many 1 MB chunks loads every item exactly: lines across chunk ends, one longer than a chunk', async (t) => {
  const file = join(dataDir(t), 'data.json');
  const original = new EmulatorStore();
  for (let i = 0; i < 4000; i++) original.enrollments.put(e(`chunked-${i}`, { initialTwin: { tags: { pad: (i % 3 === 0 ? 'é' : 'x').repeat(500 + (i % 700)) } } }));
  original.enrollments.put(e('huge', { initialTwin: { tags: { pad: 'h'.repeat(1_500_000) } } }));
  const written = await writeSnapshot(original, file, 1);
  assert.ok(written.bytes > 4 * 1024 * 1024, `${written.bytes} bytes: several chunks`);
  const loaded = new EmulatorStore();
  await loadSnapshot(loaded, file);
  assert.equal(loaded.enrollments.countUnread(), 4001);
  assert.deepEqual(loaded.snapshot(), original.snapshot());
});
