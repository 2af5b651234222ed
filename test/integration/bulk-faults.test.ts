// A 1,000-enrollment bulk job against the emulator while it injects 429 (with Retry-After), 503, 500 and
// connection resets — some of them after the request was applied. The runner must lose nothing and
// duplicate nothing: every item reported exactly once, reported done only when the service has it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsClient } from '../../src/dps/client';
import { runBulk, type BulkReport } from '../../src/dps/bulk';
import type { IndividualEnrollment } from '../../src/dps/models';
import { startTestEmulator, type TestEmulator } from '../support/emulator';

const COUNT = 1_000;
const PREFIX = 'fault-run-';
let test_emu: TestEmulator;
let client: DpsClient;

function enrollments(tag: string): IndividualEnrollment[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    registrationId: `${PREFIX}${String(i).padStart(4, '0')}`,
    attestation: { type: 'symmetricKey' as const },
    initialTwin: { tags: { run: tag } },
  }));
}

function storedWithPrefix(): IndividualEnrollment[] {
  return test_emu.emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith(PREFIX));
}

/** Each input id appears exactly once in the report, and the counts add up. */
function assertEveryItemReportedOnce(report: BulkReport, items: IndividualEnrollment[]): void {
  const ids = report.items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, 'no item reported twice');
  assert.deepEqual([...ids].sort(), items.map((e) => e.registrationId).sort(), 'every item reported');
  assert.equal(report.counts.done + report.counts.failed + report.counts.notSent, items.length);
}

async function runUnderFaults(mode: 'create' | 'updateIfMatchETag' | 'delete', items: IndividualEnrollment[], seed: number): Promise<BulkReport> {
  const faultsBefore = test_emu.emu.stats().faultsInjected;
  test_emu.emu.setFaults({ rate: 0.25, kinds: ['429', '503', '500', 'reset'], retryAfterSeconds: 1, applyAfterProcessing: true, seed });
  try {
    const report = await runBulk({
      client, kind: 'enrollment', mode, items,
      operationsPerMinute: 600_000, concurrency: 4,
      retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 2_000 },
    });
    assert.ok(test_emu.emu.stats().faultsInjected - faultsBefore >= 20, 'faults were really injected');
    return report;
  } finally {
    test_emu.emu.setFaults(undefined);
  }
}

before(async () => {
  test_emu = await startTestEmulator({ seed: 'none' });
  client = DpsClient.fromConnectionString(test_emu.emu.connectionString, {
    ca: test_emu.emu.caCertificatePem,
    retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 2_000 },
  });
});

after(async () => {
  client.dispose();
  await test_emu.dispose();
});

void describe(`bulk of ${COUNT} enrollments under injected faults`, () => {
  void test('create: all done, each stored once', async () => {
    const items = enrollments('created');
    const report = await runUnderFaults('create', items, 11);
    assertEveryItemReportedOnce(report, items);
    assert.equal(report.counts.done, COUNT, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 3)));
    const stored = storedWithPrefix();
    assert.equal(stored.length, COUNT);
    assert.equal(new Set(stored.map((e) => e.registrationId.toLowerCase())).size, COUNT);
  });

  // The live service refuses bulk mode `update` of existing items (409201, recording
  // test_individual_enrollment_bulk_operations): an update carries the etag read before it.
  void test('update guarded by etags: every stored enrollment carries the new content', async () => {
    const etags = new Map(storedWithPrefix().map((e) => [e.registrationId, e.etag]));
    const items = enrollments('updated').map((e) => ({ ...e, etag: etags.get(e.registrationId) }));
    const report = await runUnderFaults('updateIfMatchETag', items, 12);
    assertEveryItemReportedOnce(report, items);
    assert.equal(report.counts.done, COUNT);
    const stored = storedWithPrefix();
    assert.equal(stored.length, COUNT);
    assert.ok(stored.every((e) => e.initialTwin?.tags?.run === 'updated'), 'no item kept the old content');
  });

  void test('delete: all gone, none reported failed for having gone on an earlier attempt', async () => {
    const items = enrollments('deleted');
    const report = await runUnderFaults('delete', items, 13);
    assertEveryItemReportedOnce(report, items);
    assert.equal(report.counts.done, COUNT, JSON.stringify(report.items.filter((i) => i.outcome !== 'done').slice(0, 3)));
    assert.equal(storedWithPrefix().length, 0);
  });
});
