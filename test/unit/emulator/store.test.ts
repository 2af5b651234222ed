import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndividualEnrollment } from '../../../src/dps/models';
import { etagMatches, normalizeEtag } from '../../../src/emulator/etag';
import { readJsonFile } from '../../../src/emulator/persistence';
import { writeFileAtomicSync as writeFileAtomic } from '../../../src/util/atomicWrite';
import { EmulatorStore } from '../../../src/emulator/store';
import { compareKeys, listingKey } from '../../../src/emulator/listingOrder';

const e = (registrationId: string): IndividualEnrollment => ({ registrationId, attestation: { type: 'none' } });
const status = (fn: () => unknown): number => {
  try {
    fn();
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
};

void test('etags change on every write; If-Match rules for put and delete', () => {
  const store = new EmulatorStore();
  assert.equal(status(() => store.enrollments.put(e('a'), { ifMatch: '*' })), 412, 'If-Match on a missing item');
  const v1 = store.enrollments.put(e('a'));
  const v2 = store.enrollments.put(e('A'));
  assert.notEqual(v1.etag, v2.etag);
  assert.equal(v2.createdDateTimeUtc, v1.createdDateTimeUtc);
  assert.equal(status(() => store.enrollments.put(e('a'), { ifMatch: v1.etag })), 412);
  assert.equal(status(() => store.enrollments.put(e('a'), { mustNotExist: true })), 409);
  assert.equal(status(() => store.enrollments.delete('a', v1.etag)), 412);
  assert.equal(status(() => store.enrollments.delete('a', normalizeEtag(v2.etag ?? ''))), 0);
  assert.equal(status(() => store.enrollments.delete('a')), 404);
  assert.equal(etagMatches('W/"x"', '"x"'), true);
  assert.equal(etagMatches('"y", "x"', 'x'), true);
  assert.equal(etagMatches('*', undefined), false);
});

void test('list is in listing order (hash of the case-insensitive id) and follows inserts and deletes', () => {
  const store = new EmulatorStore();
  const ids = ['b', 'C', 'a', 'dev-1', 'dev-2', 'dev-3', 'dev-10'];
  for (const id of ids) store.enrollments.put(e(id));
  const byListingKey = (list: string[]) => [...list].sort((x, y) => compareKeys(listingKey(x), listingKey(y)));
  assert.deepEqual(store.enrollments.list().map((x) => x.registrationId), byListingKey(ids));
  store.enrollments.delete('b');
  store.enrollments.put(e('A'));
  assert.deepEqual(store.enrollments.list().map((x) => x.registrationId.toLowerCase()), byListingKey(ids.filter((i) => i !== 'b')).map((i) => i.toLowerCase()));
  const updated = store.enrollments.put({ ...e('c'), deviceId: 'new' });
  assert.ok(store.enrollments.list().includes(updated), 'an update replaces the item in the cached order');
  let changes = 0;
  store.onChange(() => (changes += 1));
  store.clear();
  assert.equal(store.enrollments.list().length, 0);
  assert.equal(changes, 1);
});

void test('registrations: per group, individual ones follow their enrollment, group ones outlive the group', () => {
  const store = new EmulatorStore();
  store.enrollments.put(e('solo'));
  store.upsertRegistration({ registrationId: 'solo', status: 'assigned' });
  store.upsertRegistration({ registrationId: 'm2', status: 'assigned' }, 'G');
  store.upsertRegistration({ registrationId: 'm1', status: 'assigned' }, 'g');
  assert.deepEqual(store.registrationsOfGroup('g').map((r) => r.state.registrationId).sort(), ['m1', 'm2']);
  assert.ok(store.individualRegistration('solo'));
  store.deleteEnrollment('solo');
  assert.equal(store.getRegistration('solo'), undefined);
  assert.equal(status(() => store.deleteRegistration('m1', '"nope"')), 412);
});

void test('snapshot and restore round-trip; a malformed snapshot is refused naming the source', () => {
  const store = new EmulatorStore();
  store.enrollments.put(e('a'));
  store.enrollmentGroups.put({ enrollmentGroupId: 'g', attestation: { type: 'symmetricKey' } });
  store.upsertRegistration({ registrationId: 'r' }, 'g');
  const copy = new EmulatorStore();
  copy.restore(JSON.parse(JSON.stringify(store.snapshot())), 'file.json');
  assert.deepEqual(copy.snapshot(), store.snapshot());
  assert.throws(() => copy.restore({ format: 'other' }, '/x/file.json'), /\/x\/file\.json.*format/);
  assert.throws(() => copy.restore({ ...store.snapshot(), registrations: [{}] }, 'f'), /registrations\[0\]/);
  assert.equal(copy.counts().enrollments, 1, 'a refused restore changes nothing');
});

void test('writeFileAtomic replaces the file and leaves no temp files; readJsonFile names a corrupt file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'data.json');
  assert.equal(readJsonFile(file), undefined);
  writeFileAtomic(file, '{"a":1}');
  writeFileAtomic(file, '{"a":2}');
  assert.deepEqual(readJsonFile(file), { a: 2 });
  assert.deepEqual(readdirSync(dir), ['data.json']);
  writeFileSync(file, '{"a":');
  assert.throws(() => readJsonFile(file), (err: Error) => err.message.includes(file) && /not valid JSON/.test(err.message));
  assert.equal(readFileSync(file, 'utf8'), '{"a":');
});

void test('paging while items are added and deleted: items present throughout come exactly once, in listing order', () => {
  const store = new EmulatorStore();
  for (let i = 0; i < 1000; i++) {
    store.enrollments.put(e(`p-${i}`));
    store.upsertRegistration({ registrationId: `m-${i}` }, i % 2 === 0 ? 'even' : 'odd');
  }
  const enrollmentsThroughout = new Set(store.enrollments.list().map((x) => x.registrationId).filter((id) => !id.endsWith('3')));
  const membersThroughout = new Set(store.registrationsOfGroup('even').map((r) => r.state.registrationId).filter((id) => !id.endsWith('4')));
  const seen: string[] = [];
  const members: string[] = [];
  let token: string | undefined;
  let groupToken: string | undefined;
  let enrollmentsDone = false;
  let membersDone = false;
  let step = 0;
  while (!enrollmentsDone || !membersDone) {
    if (!enrollmentsDone) {
      const page = store.enrollments.page({ scope: 'enrollments', maxItemCount: '33', continuation: token, maxPageSize: 100 });
      seen.push(...page.items.map((x) => x.registrationId));
      token = page.continuation;
      enrollmentsDone = token === undefined;
    }
    if (!membersDone) {
      const groupPage = store.registrationPageOfGroup('EVEN', { scope: 'registrations:even', maxItemCount: '17', continuation: groupToken, maxPageSize: 100 });
      members.push(...groupPage.items.map((r) => r.state.registrationId));
      groupToken = groupPage.continuation;
      membersDone = groupToken === undefined;
    }
    for (let k = 0; k < 5; k++, step++) {
      store.enrollments.put(e(`added-${step}`));
      if (store.enrollments.get(`p-${step * 10 + 3}`)) store.enrollments.delete(`p-${step * 10 + 3}`);
      store.upsertRegistration({ registrationId: `joined-${step}` }, 'even');
      if (store.getRegistration(`m-${step * 10 + 4}`)) store.deleteRegistration(`m-${step * 10 + 4}`);
    }
  }
  for (const [list, throughout] of [[seen, enrollmentsThroughout], [members, membersThroughout]] as const) {
    assert.equal(new Set(list).size, list.length, 'nothing twice');
    for (const id of throughout) assert.ok(list.includes(id), `${id} skipped`);
    const keys = list.map((id) => listingKey(id));
    assert.deepEqual(keys, [...keys].sort(compareKeys), 'in listing order');
  }
  assert.ok(!members.some((id) => id.startsWith('m-') && Number(id.slice(2)) % 2 === 1), 'only the group\'s members');
});
