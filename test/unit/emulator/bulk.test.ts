import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBulkRequest, runBulk } from '../../../src/emulator/bulk';
import { EmulatorStore } from '../../../src/emulator/store';

const e = (registrationId: string, extra: Record<string, unknown> = {}) => ({ registrationId, attestation: { type: 'none' }, ...extra });

void test('whole-request rules: mode, array, 1..10 items, no duplicate ids', () => {
  assert.throws(() => parseBulkRequest({ mode: 'merge', enrollments: [e('a')] }, 'enrollments'), /mode must be one of/);
  assert.throws(() => parseBulkRequest({ mode: 'create' }, 'enrollments'), /enrollments must be an array/);
  assert.throws(() => parseBulkRequest({ mode: 'create', enrollments: [] }, 'enrollments'), /at least one/);
  assert.throws(() => parseBulkRequest({ mode: 'create', enrollments: Array.from({ length: 11 }, (_, i) => e(`x${i}`)) }, 'enrollments'), /at most 10 items; this one has 11/);
  assert.throws(() => parseBulkRequest({ mode: 'create', enrollments: [e('A'), e('b'), e('a')] }, 'enrollments'), /'a' appears more than once/);
  assert.equal(parseBulkRequest({ mode: 'create', enrollments: Array.from({ length: 10 }, (_, i) => e(`x${i}`)) }, 'enrollments').items.length, 10);
  assert.equal(parseBulkRequest({ mode: 'updateIfMatchEtag', enrollments: [e('a')] }, 'enrollments').mode, 'updateIfMatchETag');
});

void test('per-item results: valid items applied, each failure with its status-prefixed code', () => {
  const store = new EmulatorStore();
  store.enrollments.put(e('exists') as never);
  const errors = runBulk(store, 'enrollments', parseBulkRequest({ mode: 'create', enrollments: [e('new-1'), e('exists'), e('bad id'), { registrationId: 'no-att' }] }, 'enrollments'));
  assert.deepEqual(errors.map((x) => [x.id, Math.floor(x.errorCode / 1000)]), [['exists', 409], ['bad id', 400], ['no-att', 400]]);
  assert.ok(store.enrollments.get('new-1'));
  assert.equal(store.enrollments.get('no-att'), undefined);
});

void test('updateIfMatchETag checks each item etag; delete reports missing ids', () => {
  const store = new EmulatorStore();
  const a = store.enrollments.put(e('a') as never);
  store.enrollments.put(e('b') as never);
  const errors = runBulk(store, 'enrollments', parseBulkRequest({ mode: 'updateIfMatchETag', enrollments: [e('a', { etag: a.etag, deviceId: 'dev-a' }), e('b', { etag: 'old' })] }, 'enrollments'));
  assert.deepEqual(errors.map((x) => [x.id, Math.floor(x.errorCode / 1000)]), [['b', 412]]);
  assert.equal(store.enrollments.get('a')?.deviceId, 'dev-a');
  const del = runBulk(store, 'enrollments', parseBulkRequest({ mode: 'delete', enrollments: [e('a'), e('zzz')] }, 'enrollments'));
  assert.deepEqual(del.map((x) => [x.id, Math.floor(x.errorCode / 1000)]), [['zzz', 404]]);
  assert.equal(store.enrollments.get('a'), undefined);
});

void test('group bulk refuses TPM per item', () => {
  const store = new EmulatorStore();
  const errors = runBulk(store, 'enrollmentGroups', parseBulkRequest({ mode: 'update', enrollmentGroups: [{ enrollmentGroupId: 'g1', attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } } }, { enrollmentGroupId: 'g2', attestation: { type: 'symmetricKey' } }] }, 'enrollmentGroups'));
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.errorStatus ?? '', /TPM/);
  assert.ok(store.enrollmentGroups.get('g2'));
});
