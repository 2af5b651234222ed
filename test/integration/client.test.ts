// The real DpsClient (axios, SAS, TLS with the emulator's own CA) against the local emulator over HTTPS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { DpsClient, type DpsClientOptions, type RequestEvent } from '../../src/dps/client';
import { runBulk } from '../../src/dps/bulk';
import { isDpsError, type DpsError } from '../../src/dps/errors';
import { parseConnectionString, formatConnectionString } from '../../src/dps/connectionString';
import type { EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import { testChain } from '../support/attestation';

/** Pacing budget high enough not to slow the tests (the default, 1000/min, is for the real service). */
const FAST = 60_000;
let emu: RunningEmulator;
let dataDir: string;
const clients: DpsClient[] = [];

function client(options: DpsClientOptions = {}): DpsClient {
  const c = DpsClient.fromConnectionString(emu.connectionString, { ca: emu.caCertificatePem, retry: { baseDelayMs: 10, maxDelayMs: 500 }, ...options });
  clients.push(c);
  return c;
}

function symmetricEnrollment(id: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment {
  return {
    registrationId: id,
    attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64'), secondaryKey: Buffer.alloc(32, 2).toString('base64') } },
    provisioningStatus: 'enabled',
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<DpsError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isDpsError(e), `expected DpsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dps-client-it-'));
  emu = await startEmulator({ port: 0, dataDir, seed: 'none' });
});

after(async () => {
  for (const c of clients) c.dispose();
  await emu.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

void describe('DpsClient against the emulator', () => {
  void test('individual enrollment create, read, update with If-Match, stale If-Match 412, delete, 404', async () => {
    const dps = client();
    const created = await dps.createOrUpdateEnrollment(symmetricEnrollment('it-crud-1', { initialTwin: { tags: { room: 'a' } } }));
    assert.equal(created.registrationId, 'it-crud-1');
    assert.equal(typeof created.etag, 'string');
    const read = await dps.getEnrollment('it-crud-1');
    assert.deepEqual(read.initialTwin?.tags?.room, 'a');

    const updated = await dps.createOrUpdateEnrollment({ ...read, provisioningStatus: 'disabled' }, { ifMatch: read.etag });
    assert.equal(updated.provisioningStatus, 'disabled');
    assert.notEqual(updated.etag, read.etag, 'ETag changes on write');

    const stale = await rejection(dps.createOrUpdateEnrollment({ ...read, provisioningStatus: 'enabled' }, { ifMatch: read.etag }));
    assert.deepEqual([stale.kind, stale.status, stale.attempts], ['http', 412, 1]);
    assert.ok(stale.errorCode !== undefined && String(stale.errorCode).startsWith('412'));

    const staleDelete = await rejection(dps.deleteEnrollment('it-crud-1', { ifMatch: read.etag }));
    assert.equal(staleDelete.status, 412);
    await dps.deleteEnrollment('it-crud-1', { ifMatch: updated.etag });

    const missing = await rejection(dps.getEnrollment('it-crud-1'));
    assert.deepEqual([missing.kind, missing.status, missing.operation], ['http', 404, 'IndividualEnrollment_Get']);
    assert.ok(missing.errorCode !== undefined && String(missing.errorCode).startsWith('404'));
    assert.equal(typeof missing.trackingId, 'string');
  });

  void test('attestation mechanism returns the keys that query results hide', async () => {
    const dps = client();
    await dps.createOrUpdateEnrollment(symmetricEnrollment('it-att-1'));
    const attestation = await dps.getEnrollmentAttestation('it-att-1');
    assert.equal(attestation.type, 'symmetricKey');
    assert.equal(attestation.symmetricKey?.primaryKey, Buffer.alloc(32, 1).toString('base64'));
    const page = await dps.queryEnrollments({ pageSize: 100 });
    const listed = page.items.find((e) => e.registrationId === 'it-att-1');
    assert.ok(listed);
    assert.equal(listed.attestation.symmetricKey?.primaryKey ?? undefined, undefined);
  });

  void test('enrollment groups: create, read, attestation, query, delete', async () => {
    const dps = client();
    const group: EnrollmentGroup = { enrollmentGroupId: 'it-group-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(64, 3).toString('base64'), secondaryKey: Buffer.alloc(64, 4).toString('base64') } } };
    const created = await dps.createOrUpdateEnrollmentGroup(group);
    assert.equal(created.enrollmentGroupId, 'it-group-1');
    assert.equal((await dps.getEnrollmentGroup('it-group-1')).enrollmentGroupId, 'it-group-1');
    assert.equal((await dps.getEnrollmentGroupAttestation('it-group-1')).symmetricKey?.primaryKey, group.attestation.symmetricKey?.primaryKey);
    const pages: string[] = [];
    for await (const page of dps.listEnrollmentGroups()) pages.push(...page.items.map((g) => g.enrollmentGroupId));
    assert.ok(pages.includes('it-group-1'));
    await dps.deleteEnrollmentGroup('it-group-1');
    assert.equal((await rejection(dps.getEnrollmentGroup('it-group-1'))).status, 404);
  });

  void test('250 enrollments listed with page size 100: exactly 3 query requests, every item once', async () => {
    const dps = client();
    // Start from an empty service so the page arithmetic is exact.
    const leftovers = [];
    for await (const page of dps.listEnrollments({ pageSize: 100 })) leftovers.push(...page.items);
    if (leftovers.length > 0) await runBulk({ client: dps, kind: 'enrollment', mode: 'delete', items: leftovers, operationsPerMinute: FAST });

    const items = Array.from({ length: 250 }, (_, i) => symmetricEnrollment(`it-page-${String(i).padStart(3, '0')}`));
    const created = await runBulk({ client: dps, kind: 'enrollment', mode: 'create', items, operationsPerMinute: FAST });
    assert.deepEqual(created.counts, { done: 250, failed: 0, notSent: 0 });
    assert.equal(created.requests, 25);

    const events: RequestEvent[] = [];
    const counting = client({ onRequest: (e) => events.push(e) });
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const page of counting.listEnrollments({ pageSize: 100 })) {
      sizes.push(page.items.length);
      ids.push(...page.items.map((e) => e.registrationId));
    }
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(events.length, 3);
    assert.ok(events.every((e) => e.operation === 'IndividualEnrollment_Query' && e.status === 200 && e.attempt === 1));
    assert.deepEqual([...new Set(ids)].sort(), items.map((e) => e.registrationId));

    const removed = await runBulk({ client: dps, kind: 'enrollment', mode: 'delete', items, operationsPerMinute: FAST });
    assert.equal(removed.counts.done, 250);
  });

  void test('bulk: per-item errors come back per item; 11 items are refused by the client', async () => {
    const dps = client();
    await dps.createOrUpdateEnrollment(symmetricEnrollment('it-bulk-exists'));
    const result = await dps.runEnrollmentBulk('create', [symmetricEnrollment('it-bulk-new'), symmetricEnrollment('it-bulk-exists')]);
    assert.equal(result.isSuccessful, false);
    assert.deepEqual(result.errors?.map((e) => e.registrationId), ['it-bulk-exists']);
    assert.ok(String(result.errors?.[0].errorCode).startsWith('409'));
    assert.equal((await dps.getEnrollment('it-bulk-new')).registrationId, 'it-bulk-new', 'valid items are applied');

    const before = emu.stats().requests;
    await assert.rejects(dps.runEnrollmentBulk('create', Array.from({ length: 11 }, (_, i) => symmetricEnrollment(`it-bulk-11-${i}`))), /at most 10 items/);
    assert.equal(emu.stats().requests, before, 'nothing was sent');

    const report = await runBulk({ client: dps, kind: 'enrollment', mode: 'create', items: [symmetricEnrollment('it-bulk-exists'), symmetricEnrollment('it-bulk-r1'), symmetricEnrollment('it-bulk-r1')] });
    assert.deepEqual(report.items.map((i) => i.outcome), ['failed', 'done', 'failed']);
    assert.ok(String(report.items[0].errorCode).startsWith('409'));
  });

  void test('registration states: query by group, get, delete with If-Match', async () => {
    const dps = client();
    await dps.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'it-reg-group', attestation: { type: 'symmetricKey' } });
    for (let i = 0; i < 3; i++) {
      emu.store.upsertRegistration({ registrationId: `it-reg-dev-${i}`, status: 'assigned', assignedHub: 'hub.azure-devices.net', deviceId: `it-reg-dev-${i}` }, 'it-reg-group');
    }
    const ids: string[] = [];
    let pages = 0;
    for await (const page of dps.listRegistrationStates('it-reg-group', { pageSize: 2 })) {
      pages++;
      ids.push(...page.items.map((r) => r.registrationId ?? ''));
    }
    assert.deepEqual(ids.sort(), ['it-reg-dev-0', 'it-reg-dev-1', 'it-reg-dev-2']);
    assert.equal(pages, 2);
    const state = await dps.getRegistrationState('it-reg-dev-1');
    assert.equal(state.status, 'assigned');
    assert.equal((await rejection(dps.deleteRegistrationState('it-reg-dev-1', { ifMatch: '"stale"' }))).status, 412);
    await dps.deleteRegistrationState('it-reg-dev-1', { ifMatch: state.etag });
    assert.equal((await rejection(dps.getRegistrationState('it-reg-dev-1'))).status, 404);
  });
});

void describe('DpsClient security against the emulator', () => {
  void test('without the emulator CA the TLS check fails (verification stays on)', async () => {
    const dps = client({ ca: undefined });
    const e = await rejection(dps.getEnrollment('x'));
    assert.equal(e.kind, 'tls');
    assert.equal(e.attempts, 1, 'TLS failures are not retried');
  });

  void test('a CA other than the emulator\'s is not enough: only the CA given is trusted', async () => {
    const other = await testChain('ecdsa-p256', 'not-the-emulator');
    const e = await rejection(client({ ca: other.root.certificatePem }).getEnrollment('x'));
    assert.equal(e.kind, 'tls');
  });

  void test('a wrong key gets a 401 that is not retried, and the key appears nowhere', async () => {
    const wrongKey = Buffer.alloc(32, 9).toString('base64');
    const cs = formatConnectionString({ ...parseConnectionString(emu.connectionString), sharedAccessKey: wrongKey });
    const dps = DpsClient.fromConnectionString(cs, { ca: emu.caCertificatePem });
    clients.push(dps);
    const e = await rejection(dps.getEnrollment('x'));
    assert.deepEqual([e.kind, e.status, e.attempts], ['http', 401, 1]);
    const text = `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`;
    assert.ok(!text.includes(wrongKey) && !text.includes('SharedAccessSignature sr='));
  });
});

void describe('DpsClient reliability against the emulator', () => {
  void test('503s are retried until success; permanent 503 gives retriesExhausted with the last status', async () => {
    const dps = client({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 2000 } });
    await dps.createOrUpdateEnrollment(symmetricEnrollment('it-fault-1'));
    emu.setFaults({ rate: 1, kinds: ['503'], retryAfterSeconds: 0 });
    try {
      const e = await rejection(dps.getEnrollment('it-fault-1'));
      assert.deepEqual([e.kind, e.status, e.attempts], ['retriesExhausted', 503, 3]);
    } finally {
      emu.setFaults(undefined);
    }
    assert.equal((await dps.getEnrollment('it-fault-1')).registrationId, 'it-fault-1');
  });

  void test('pacing at the quota never trips the emulator quota, and uses the budget', async () => {
    const dps = client();
    const items = Array.from({ length: 300 }, (_, i) => symmetricEnrollment(`it-quota-${i}`));
    const throttledBefore = emu.stats().throttled;
    emu.setQuota({ operationsPerMinute: 1200 });
    let report;
    try {
      report = await runBulk({ client: dps, kind: 'enrollment', mode: 'create', items, operationsPerMinute: 1200 });
    } finally {
      emu.setQuota(undefined);
    }
    assert.deepEqual(report.counts, { done: 300, failed: 0, notSent: 0 });
    assert.equal(report.requests, 30);
    assert.equal(emu.stats().throttled - throttledBefore, 0, 'no 429 from the quota');
    // 30 requests, 50 ms apart: at least 29 gaps. (How close to the budget it runs is checked on a virtual clock in test/unit/dps/bulk.test.ts.)
    assert.ok(report.elapsedMs >= 29 * 50 - 5, `elapsed ${report.elapsedMs} ms`);
    await runBulk({ client: dps, kind: 'enrollment', mode: 'delete', items, operationsPerMinute: FAST });
  });

  void test('bulk create under 20% faults (resets and 500s after processing, 503s) loses and duplicates nothing', async () => {
    const dps = client({ retry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 100 } });
    const items = Array.from({ length: 200 }, (_, i) => symmetricEnrollment(`it-chaos-${i}`));
    emu.setFaults({ rate: 0.2, kinds: ['reset', '500', '503'], retryAfterSeconds: 0, applyAfterProcessing: true, seed: 7 });
    let report;
    try {
      report = await runBulk({ client: dps, kind: 'enrollment', mode: 'create', items, operationsPerMinute: FAST, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 } });
    } finally {
      emu.setFaults(undefined);
    }
    assert.ok(emu.stats().faultsInjected > 0, 'faults were injected');
    assert.ok(report.requests > 20, 'failed requests were retried (and ambiguous ones verified)');
    const confirmed = new Set(report.items.filter((i) => i.outcome === 'done').map((i) => i.id));
    // Every item reported done exists; nothing reported done is missing.
    const listed = new Set<string>();
    for await (const page of dps.listEnrollments({ pageSize: 100 })) for (const e of page.items) if (e.registrationId.startsWith('it-chaos-')) listed.add(e.registrationId);
    for (const id of confirmed) assert.ok(listed.has(id), `${id} reported done but missing`);
    assert.equal(report.counts.done, 200, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 3)));
    assert.equal(listed.size, 200);
  });
});
