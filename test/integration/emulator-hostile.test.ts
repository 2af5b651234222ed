// Hostile input: each is refused with a specific 4xx, stores nothing, and the emulator stays healthy
// (the next query answers and the next save of the data file succeeds). Limits: src/emulator/README.md.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IndividualEnrollment } from '../../src/dps/models';
import { createSasToken, expiryFromNow } from '../../src/dps/sas';
import { MAX_JSON_DEPTH } from '../../src/emulator/requestBodyRules';
import { readDataFiles } from '../../src/emulator/persistence';
import { MAX_BODY_BYTES } from '../../src/emulator/server';
import { connectionStringParts, request, startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

void describe('hostile input', () => {
  let t: TestEmulator;
  let dataFile: string;
  let healthyRuns = 0;
  let dir: string;
  before(async () => {
    // With a data file, so saves are exercised.
    dir = tempDir();
    dataFile = join(dir, 'data.json');
    t = await startTestEmulator({ dataDir: dir, dataFile });
  });
  after(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Nothing was stored; a query answers; a valid PUT is on disk when it is answered. */
  async function assertHealthyAndNothingStored(before: { enrollments: number; enrollmentGroups: number; registrations: number }): Promise<void> {
    assert.deepEqual(t.emu.store.counts(), before, 'nothing stored');
    const query = await request<IndividualEnrollment[]>(t.emu, { method: 'POST', path: '/enrollments/query', body: { query: '*' } });
    assert.equal(query.status, 200);
    const id = `healthy-${++healthyRuns}`;
    assert.equal((await request(t.emu, { method: 'PUT', path: `/enrollments/${id}`, body: { registrationId: id, attestation: { type: 'none' } } })).status, 200);
    const saved = await readDataFiles(dataFile);
    assert.ok(saved.enrollments.get(id) !== undefined, 'the next write is in the data files');
  }

  void test(`a body nested deeper than ${MAX_JSON_DEPTH} levels (10 KB of [[[[) is 400 / 400012`, async () => {
    const counts = t.emu.store.counts();
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const r = await request(t.emu, { method: 'PUT', path: '/enrollments/deep-1', rawBody: deep });
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-ms-error-code'], '400012');
    await assertHealthyAndNothingStored(counts);
  });

  void test('a deep object inside an otherwise valid enrollment ({"a":{"a":...}} in initialTwin) is 400 / 400012', async () => {
    const counts = t.emu.store.counts();
    const nested = '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000);
    const raw = `{"registrationId":"deep-2","attestation":{"type":"none"},"initialTwin":{"tags":${nested}}}`;
    const r = await request(t.emu, { method: 'PUT', path: '/enrollments/deep-2', rawBody: raw });
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-ms-error-code'], '400012');
    await assertHealthyAndNothingStored(counts);
  });

  void test('a bulk request nested deep is refused the same way', async () => {
    const counts = t.emu.store.counts();
    const raw = `{"mode":"create","enrollments":[{"registrationId":"deep-3","attestation":{"type":"none"},"optionalDeviceInformation":${'['.repeat(5_000)}${']'.repeat(5_000)}}]}`;
    const r = await request(t.emu, { method: 'POST', path: '/enrollments', rawBody: raw });
    assert.equal(r.status, 400);
    await assertHealthyAndNothingStored(counts);
  });

  void test('a text/plain body is 415 (the spec consumes application/json only)', async () => {
    const counts = t.emu.store.counts();
    const r = await request(t.emu, {
      method: 'PUT', path: '/enrollments/plain-1', headers: { 'content-type': 'text/plain' },
      rawBody: JSON.stringify({ registrationId: 'plain-1', attestation: { type: 'none' } }),
    });
    assert.equal(r.status, 415);
    assert.equal(r.headers['x-ms-error-code'], '415001');
    await assertHealthyAndNothingStored(counts);
  });

  void test('a content type that merely mentions json (text/plain; x=json) is 415 too', async () => {
    const counts = t.emu.store.counts();
    const r = await request(t.emu, {
      method: 'PUT', path: '/enrollments/plain-2', headers: { 'content-type': 'text/plain; note=json' },
      rawBody: JSON.stringify({ registrationId: 'plain-2', attestation: { type: 'none' } }),
    });
    assert.equal(r.status, 415);
    await assertHealthyAndNothingStored(counts);
  });

  void test(`a body above ${MAX_BODY_BYTES} bytes is 413`, async () => {
    const counts = t.emu.store.counts();
    const big = JSON.stringify({ registrationId: 'big-1', attestation: { type: 'none' }, initialTwin: { tags: { pad: 'x'.repeat(MAX_BODY_BYTES) } } });
    const r = await request(t.emu, { method: 'PUT', path: '/enrollments/big-1', rawBody: big });
    assert.equal(r.status, 413);
    await assertHealthyAndNothingStored(counts);
  });

  void test('a SAS token minted for another DPS host is 401 even when the Host header names that host', async () => {
    const counts = t.emu.store.counts();
    const { keyName, key } = connectionStringParts(t.emu.connectionString);
    const otherHost = 'other-dps.azure-devices-provisioning.net';
    const authorization = createSasToken({ resourceUri: otherHost, keyName, key, expiry: expiryFromNow(300) });
    const r = await request(t.emu, {
      method: 'PUT', path: '/enrollments/foreign-1', authorization, headers: { host: otherHost },
      body: { registrationId: 'foreign-1', attestation: { type: 'none' } },
    });
    assert.equal(r.status, 401);
    assert.equal(r.headers['x-ms-error-code'], '401002');
    await assertHealthyAndNothingStored(counts);
  });
});
