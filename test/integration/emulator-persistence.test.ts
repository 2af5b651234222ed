// Persistence across restarts, the corrupt-file refusal, the stable key and the TLS material reuse.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndividualEnrollment } from '../../src/dps/models';
import { createSasToken, expiryFromNow } from '../../src/dps/sas';
import { readDataFiles } from '../../src/emulator/persistence';
import { startEmulator } from '../../src/emulator/server';
import { connectionStringParts, request, tempDir } from '../support/emulator';

void test('data, key and CA survive a restart; stop folds the journal into the data file', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startEmulator({ dataDir });
  const created = await request<IndividualEnrollment>(first, { method: 'PUT', path: '/enrollments/persist-1', body: { registrationId: 'persist-1', attestation: { type: 'symmetricKey' } } });
  for (let b = 0; b < 10; b++) {
    const enrollments = Array.from({ length: 10 }, (_, i) => ({ registrationId: `burst-${b}-${i}`, attestation: { type: 'none' } }));
    await request(first, { method: 'POST', path: '/enrollments', body: { mode: 'create', enrollments } });
  }
  await first.stop();
  const dataFile = join(dataDir, 'emulator-data.json');
  assert.equal((await readDataFiles(dataFile)).counts().enrollments, 101);
  assert.equal(statSync(dataFile).mode & 0o777, 0o600);
  assert.equal(statSync(`${dataFile}.journal-2`).size, 0, 'stop compacted: the journal after the snapshot is empty');
  assert.equal(statSync(join(dataDir, 'emulator-ca.key.pem')).mode & 0o777, 0o600);

  const second = await startEmulator({ dataDir });
  try {
    assert.equal(connectionStringParts(second.connectionString).key, connectionStringParts(first.connectionString).key);
    assert.equal(second.caCertificatePem, first.caCertificatePem);
    const read = await request<IndividualEnrollment>(second, { method: 'GET', path: '/enrollments/persist-1' });
    assert.equal(read.status, 200);
    assert.equal(read.body.etag, created.body.etag);
    assert.equal(second.store.counts().enrollments, 101);
  } finally {
    await second.stop();
  }
});

void test('a corrupt data file stops the start with an error naming it and is left untouched', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const dataFile = join(dataDir, 'broken.json');
  writeFileSync(dataFile, '{"format": "dps-enrollments-emulator", "version": 1, "enrollments": [');
  await assert.rejects(startEmulator({ dataDir, dataFile }), (e: Error) => e.message.includes(dataFile) && /not valid JSON/.test(e.message));
  writeFileSync(dataFile, JSON.stringify({ format: 'dps-enrollments-emulator', version: 1, enrollments: [{ nope: 1 }], enrollmentGroups: [], registrations: [] }));
  const before = readFileSync(dataFile, 'utf8');
  await assert.rejects(startEmulator({ dataDir, dataFile }), (e: Error) => e.message.includes(dataFile) && /enrollments\[0\]/.test(e.message));
  assert.equal(readFileSync(dataFile, 'utf8'), before);
});

void test('seed demo fills an empty store once, with each attestation type and group registrations', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const emu = await startEmulator({ dataDir, seed: 'demo' });
  try {
    const types = new Set(emu.store.enrollments.list().map((e) => e.attestation.type));
    assert.deepEqual([...types].sort(), ['symmetricKey', 'tpm', 'x509']);
    const groups = emu.store.enrollmentGroups.list();
    assert.ok(groups.some((g) => g.attestation.type === 'x509') && groups.some((g) => g.attestation.type === 'symmetricKey'));
    assert.ok(groups.some((g) => g.provisioningStatus === 'disabled'));
    const states = await request<unknown[]>(emu, { method: 'POST', path: '/registrations/contoso-x509-fleet/query', body: { query: '*' } });
    assert.equal(states.body.length, 3);
    const counts = emu.store.counts();
    await emu.stop();
    const again = await startEmulator({ dataDir, seed: 'demo' });
    assert.deepEqual(again.store.counts(), counts, 'no second seeding');
    await again.stop();
  } finally {
    await emu.stop();
  }
});

void test('an optional plain-HTTP listener on loopback serves the same API', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const emu = await startEmulator({ dataDir, dataFile: null, httpPort: 0 });
  try {
    assert.match(emu.httpUrl ?? '', /^http:\/\/localhost:\d+$/);
    const cs = connectionStringParts(emu.connectionString);
    const res = await fetch(`${emu.httpUrl ?? ''}/enrollments/nobody?api-version=2021-10-01`.replace('localhost', '127.0.0.1'), {
      headers: { authorization: createSasToken({ resourceUri: cs.hostName, keyName: cs.keyName, key: cs.key, expiry: expiryFromNow(60) }) },
    });
    assert.equal(res.status, 404);
  } finally {
    await emu.stop();
  }
});
