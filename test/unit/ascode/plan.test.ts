// computePlan and the comparable form: service defaults and server-written twin members compare equal
// to absent, attestations compare by their facts (thumbprints in either case, SHA-1 or SHA-256), an
// update keeps fields the file does not manage, and what cannot be sent is a problem at the item.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computePlan, DesiredStateError, liveKey, parseDesiredState, resolveDesiredState, type LiveItem, type LiveState, type Plan } from '../../../src/ascode';
import { comparableFields } from '../../../src/ascode/normalize';
import type { Item, ItemKind } from '../../../src/dps/items';

const HOST = 'test.azure-devices-provisioning.net';
const SHA1 = 'AB'.repeat(20);
const SHA256 = 'CD'.repeat(32);

function live(kind: ItemKind, item: Record<string, unknown>): LiveItem {
  const id = String(kind === 'enrollment' ? item.registrationId : item.enrollmentGroupId);
  return { kind, id, item: { etag: `"etag-${id}"`, ...item } as unknown as Item };
}

function state(...items: LiveItem[]): LiveState {
  return { hostName: HOST, items: new Map(items.map((i) => [liveKey(i.kind, i.id), i])), requests: 0 };
}

async function planOf(file: { enrollments?: unknown[]; enrollmentGroups?: unknown[] }, liveState: LiveState, prune = false, apiVersion?: '2021-10-01' | '2026-11-01'): Promise<Plan> {
  const parsed = parseDesiredState(JSON.stringify({ version: 1, ...file }, null, 2), { fileName: 'unit.dps.json', baseDir: '/nowhere' });
  const resolved = await resolveDesiredState(parsed, { env: {} });
  return computePlan(resolved, liveState, { prune, fileName: 'unit.dps.json', now: new Date('2026-12-01T00:00:00Z'), ...(apiVersion ? { apiVersion } : {}) });
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DesiredStateError, `expected problems, got ${String(error)}`);
  return error.problems.map((p) => p.message);
}

const x509Live = (id: string) => live('enrollment', {
  registrationId: id,
  attestation: { type: 'x509', x509: { clientCertificates: { primary: { info: { sha1Thumbprint: SHA1.toLowerCase(), sha256Thumbprint: SHA256.toLowerCase(), subjectName: 'CN=dev' } } } } },
});

void describe('comparableFields', () => {
  void test('service defaults, nulls and server-written twin members are the same as absent', () => {
    const fromService = comparableFields('enrollment', {
      registrationId: 'd1', etag: '"1"', createdDateTimeUtc: '2026-01-01T00:00:00Z',
      provisioningStatus: 'enabled', capabilities: { iotEdge: false }, iotHubs: [], deviceId: null,
      initialTwin: { tags: { version: 3, count: 0 }, properties: { desired: { version: 1, metadata: {} } } },
    });
    assert.deepEqual(fromService, {});
  });

  void test('a value other than the default, and twin content beside server members, are kept', () => {
    assert.deepEqual(comparableFields('group', {
      provisioningStatus: 'disabled', capabilities: { iotEdge: true }, iotHubs: ['h.azure-devices.net'],
      initialTwin: { tags: { site: 'a', version: 2 }, properties: { desired: { rate: 5, version: 4 } } },
      deviceId: 'groups have none',
    }), {
      provisioningStatus: 'disabled', capabilities: { iotEdge: true }, iotHubs: ['h.azure-devices.net'],
      initialTwin: { tags: { site: 'a' }, properties: { desired: { rate: 5 } } },
    });
  });
});

void describe('computePlan', () => {
  void test('a file that leaves out what the service assumes plans as unchanged', async () => {
    const p = await planOf(
      { enrollments: [{ registrationId: 'd1', attestation: { type: 'none' } }, { registrationId: 'd2', attestation: { type: 'none' }, provisioningStatus: 'enabled', iotHubs: [] }] },
      state(
        live('enrollment', { registrationId: 'd1', attestation: { type: 'none' }, provisioningStatus: 'enabled', capabilities: { iotEdge: false }, iotHubs: [] }),
        live('enrollment', { registrationId: 'D2', attestation: { type: 'none' } }),
      ),
    );
    assert.deepEqual(p.counts, { create: 0, update: 0, delete: 0, unchanged: 2 });
    assert.equal(p.entries[1]?.etag, '"etag-D2"', 'ids match whatever their case');
  });

  void test('a certificate thumbprint matches in either case, SHA-1 or SHA-256', async () => {
    const p = await planOf({
      enrollments: [
        { registrationId: 'a', attestation: { type: 'x509', certificate: { thumbprint: SHA1.toLowerCase() } } },
        { registrationId: 'b', attestation: { type: 'x509', certificate: { thumbprint: SHA256 } } },
      ],
    }, state(x509Live('a'), x509Live('b')));
    assert.deepEqual(p.counts, { create: 0, update: 0, delete: 0, unchanged: 2 });
  });

  void test('an update sends the certificate the service showed (by thumbprint), the file\'s fields, the etag, and keeps fields the file does not manage', async () => {
    const current = x509Live('d1');
    Object.assign(current.item, { provisioningStatus: 'enabled', futureField: { kept: true }, registrationState: { status: 'assigned' }, lastUpdatedDateTimeUtc: 'x' });
    const p = await planOf({ enrollments: [{ registrationId: 'd1', attestation: { type: 'x509', certificate: { thumbprint: SHA256 } }, provisioningStatus: 'disabled' }] }, state(current));
    const entry = p.entries[0];
    assert.equal(entry?.action, 'update');
    // "enabled" is the service's default, so it compares (and shows) as absent.
    assert.deepEqual(entry?.changes, [{ field: 'provisioningStatus', after: 'disabled' }]);
    assert.deepEqual(JSON.parse(JSON.stringify(entry?.body)), {
      registrationId: 'd1',
      futureField: { kept: true },
      provisioningStatus: 'disabled',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { info: { sha1Thumbprint: SHA1.toLowerCase(), sha256Thumbprint: SHA256.toLowerCase(), subjectName: 'CN=dev' } } } } },
      etag: '"etag-d1"',
    });
  });

  void test('a field the file no longer names is removed: before only, and absent from the body', async () => {
    const current = live('group', { enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey' }, reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true }, allocationPolicy: 'geoLatency' });
    const p = await planOf({ enrollmentGroups: [{ enrollmentGroupId: 'g1', attestation: { type: 'symmetricKey', keys: 'keep' }, allocationPolicy: 'geoLatency' }] }, state(current));
    assert.deepEqual(p.entries[0]?.changes, [{ field: 'reprovisionPolicy', before: { updateHubAssignment: true, migrateDeviceData: true } }]);
    assert.equal((p.entries[0]?.body as unknown as Record<string, unknown>).reprovisionPolicy, undefined);
    assert.equal(p.entries[0]?.keys, 'keep');
    assert.equal(p.entries[0]?.liveAttestationType, 'symmetricKey');
  });

  void test('a thumbprint the service does not hold, or "keep" for an item that does not exist, is a problem at the item', async () => {
    const messages = await problemsOf(planOf({
      enrollments: [
        { registrationId: 'new-x509', attestation: { type: 'x509', certificate: { thumbprint: SHA256 } } },
        { registrationId: 'new-keys', attestation: { type: 'symmetricKey', keys: 'keep' } },
        { registrationId: 'other-cert', attestation: { type: 'x509', certificate: { thumbprint: 'EF'.repeat(32) } } },
      ],
    }, state(x509Live('other-cert'))));
    assert.deepEqual(messages, [
      `"new-x509" names its certificate by thumbprint ${SHA256}, but the service holds none; a thumbprint cannot be sent. Name the certificate file instead: {"file": "certs/….pem"}.`,
      '"keys": "keep" but individual enrollment "new-keys" does not exist, so there are no keys to keep. Write "generate" to have the service make keys, or name them with {"env": …}.',
      `"other-cert" names its certificate by thumbprint ${'EF'.repeat(32)}, but the service holds a different one; a thumbprint cannot be sent. Name the certificate file instead: {"file": "certs/….pem"}.`,
    ]);
  });

  void test('prune off lists items the file does not name; prune on deletes them with their etags; groups sort first', async () => {
    const liveState = state(
      live('enrollment', { registrationId: 'zz', attestation: { type: 'none' } }),
      live('enrollment', { registrationId: 'aa', attestation: { type: 'none' } }),
      live('group', { enrollmentGroupId: 'g', attestation: { type: 'symmetricKey' } }),
    );
    const file = { enrollments: [{ registrationId: 'new', attestation: { type: 'none' } }] };
    const kept = await planOf(file, liveState);
    assert.deepEqual(kept.notInFile, [{ kind: 'group', id: 'g' }, { kind: 'enrollment', id: 'aa' }, { kind: 'enrollment', id: 'zz' }]);
    assert.deepEqual(kept.counts, { create: 1, update: 0, delete: 0, unchanged: 0 });
    const pruned = await planOf(file, liveState, true);
    assert.deepEqual(pruned.notInFile, []);
    assert.deepEqual(pruned.entries.map((e) => [e.action, e.id, e.etag]), [
      ['delete', 'g', '"etag-g"'], ['delete', 'aa', '"etag-aa"'], ['create', 'new', undefined], ['delete', 'zz', '"etag-zz"'],
    ]);
  });

  void test('a create carries the file\'s fields and attestation; its changes list them from nothing', async () => {
    const p = await planOf({ enrollmentGroups: [{ enrollmentGroupId: 'g', attestation: { type: 'x509', caReferences: { primary: 'root' } }, allocationPolicy: 'custom', customAllocationDefinition: { webhookUrl: 'https://a.example/x', apiVersion: '2021-10-01' } }] }, state());
    const entry = p.entries[0];
    assert.deepEqual(JSON.parse(JSON.stringify(entry?.body)), {
      allocationPolicy: 'custom', customAllocationDefinition: { webhookUrl: 'https://a.example/x', apiVersion: '2021-10-01' },
      enrollmentGroupId: 'g', attestation: { type: 'x509', x509: { caReferences: { primary: 'root' } } },
    });
    assert.deepEqual(entry?.changes.map((c) => c.field), ['attestation.type', 'attestation.caReferences', 'allocationPolicy', 'customAllocationDefinition']);
  });

  void test('fields newer than the connection\'s api-version are a problem at the item, not sent', async () => {
    const file = { enrollments: [{ registrationId: 'p', attestation: { type: 'none' }, namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' }] };
    const [message] = await problemsOf(planOf(file, state(), false, '2021-10-01'));
    assert.match(message ?? '', /^api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)/);
    assert.equal((await planOf(file, state(), false, '2026-11-01')).counts.create, 1);
  });
});
