import { describe, test } from 'node:test';
import { loadUntilMatches } from '../../../src/tree/loadUntilMatches';
import { matchesFilter } from '../../../src/tree/filters';
import assert from 'node:assert/strict';
import type { ConnectionRecord } from '../../../src/connections/connectionStore';
import { DpsError } from '../../../src/dps/errors';
import { describeError } from '../../../src/common/errorPresentation';
import { hasToken } from '../../../src/tree/contextValues';
import type { EnrollmentFilter } from '../../../src/tree/filters';
import { CategoryNode, ConnectionNode, EnrollmentNode, ErrorNode, GroupNode, LoadMoreNode, MessageNode, RegistrationNode } from '../../../src/tree/nodes';
import type { DpsTreeNode, TreeContext } from '../../../src/tree/treeModel';
import { enrollment, FakeDpsApi, group } from '../../support/vscodeFakes';

const connection: ConnectionRecord = { id: 'fake.azure-devices-provisioning.net/owner', label: 'Fake', hostName: 'fake.azure-devices-provisioning.net', keyName: 'owner' };

function setup(api: FakeDpsApi, pageSize = 2, record: ConnectionRecord = connection) {
  let filter: EnrollmentFilter = {};
  const ctx: TreeContext = { clientFor: () => Promise.resolve(api), pageSize: () => pageSize, filter: () => filter, describeError };
  const root = new ConnectionNode(record, ctx);
  return { root, setFilter: (f: EnrollmentFilter) => (filter = f) };
}

async function labels(node: DpsTreeNode): Promise<string[]> {
  return ((await node.getChildren?.()) ?? []).map((c) => c.describe().label);
}

void describe('tree model', () => {
  void test('a connection shows its two lists, host and policy, and never the key', async () => {
    const { root } = setup(new FakeDpsApi());
    assert.deepEqual(await labels(root), ['Individual enrollments', 'Enrollment groups']);
    const d = root.describe();
    assert.match(d.description ?? '', /fake\.azure-devices-provisioning\.net · owner/);
    assert.ok(hasToken(d.contextValue, 'connection'));
    assert.equal(d.id, 'conn:fake.azure-devices-provisioning.net/owner');
  });

  void test('a connection says how it authenticates and which api-version it speaks', () => {
    const ctx: TreeContext = { clientFor: () => Promise.resolve(new FakeDpsApi()), pageSize: () => 2, filter: () => ({}), describeError };
    const sas = new ConnectionNode(connection, ctx).describe();
    assert.equal(sas.description, 'fake.azure-devices-provisioning.net · owner', 'the default version is not repeated on every row');
    assert.match(sas.tooltip ?? '', /^Authentication: shared access policy "owner"$/m);
    assert.match(sas.tooltip ?? '', /^API version: 2021-10-01$/m);
    assert.doesNotMatch(sas.tooltip ?? '', /Azure resource/);

    const resourceId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/dps1';
    const entra: ConnectionRecord = { id: 'dps1.azure-devices-provisioning.net/entra', label: 'dps1', hostName: 'dps1.azure-devices-provisioning.net', keyName: 'Microsoft Entra ID', authKind: 'entra', apiVersion: '2026-11-01', azure: { cloud: 'AzureCloud', subscriptionId: 's', resourceId } };
    const d = new ConnectionNode(entra, ctx).describe();
    assert.equal(d.description, 'dps1.azure-devices-provisioning.net · Microsoft Entra ID · 2026-11-01');
    assert.match(d.tooltip ?? '', /^Authentication: Microsoft Entra ID/m);
    assert.doesNotMatch(d.tooltip ?? '', /shared access policy/i, 'an Entra connection has no policy');
    assert.match(d.tooltip ?? '', /^API version: 2026-11-01$/m);
    assert.ok((d.tooltip ?? '').includes(`Azure resource: ${resourceId}`));
  });

  void test('pages: the first page plus "Load more"; loading more appends; the last page has no "Load more"', async () => {
    const api = new FakeDpsApi(['a', 'b', 'c', 'd', 'e'].map((id) => enrollment(id)));
    const { root } = setup(api, 2);
    const list = root.enrollments;
    let children = (await list.getChildren()) ;
    assert.deepEqual(children.map((c) => c.describe().label), ['a', 'b', 'Load more…']);
    assert.ok(children[2] instanceof LoadMoreNode);
    await list.pages.loadNext();
    assert.deepEqual(await labels(list), ['a', 'b', 'c', 'd', 'Load more…']);
    await list.pages.loadNext();
    children = await list.getChildren();
    assert.deepEqual(children.map((c) => c.describe().label), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(api.queries, 3);
    assert.equal(list.describe().description, '5');
  });

  void test('"Load more" adds nodes for the new page only: loaded nodes stay the same objects, a replaced item gets a new one', async () => {
    const api = new FakeDpsApi(['a', 'b', 'c', 'd', 'e'].map((id) => enrollment(id)));
    const { root } = setup(api, 2);
    const list = root.enrollments;
    const first = await list.getChildren();
    await list.pages.loadNext();
    const second = await list.getChildren();
    assert.deepEqual(second.map((c) => c.describe().label), ['a', 'b', 'c', 'd', 'Load more…']);
    assert.ok(second[0] === first[0] && second[1] === first[1], 'the first page\'s nodes are reused, not rebuilt');
    assert.ok(second[2] instanceof EnrollmentNode && second[2] !== first[2]);
    const again = await list.getChildren();
    assert.ok(again.slice(0, 4).every((node, i) => node === second[i]), 'a repaint builds no item node');

    list.pages.replace(enrollment('b', { provisioningStatus: 'disabled' }));
    const edited = await list.getChildren();
    assert.ok(edited[0] === second[0] && edited[2] === second[2] && edited[3] === second[3]);
    assert.ok(edited[1] !== second[1] && edited[1] instanceof EnrollmentNode && edited[1].enrollment.provisioningStatus === 'disabled', 'the edited item is drawn from its new value');

    list.pages.reset();
    const refreshed = await list.getChildren();
    assert.ok(refreshed[0] !== edited[0] && refreshed[0]?.id === edited[0]?.id, 'a refresh makes new nodes with the same ids');
  });

  void test('a group keeps its registration nodes (and their loaded pages) across "Load more" of the group list', async () => {
    const api = new FakeDpsApi([], [group('g1'), group('g2'), group('g3')], { g1: [{ registrationId: 'r1', status: 'assigned' }] });
    const { root } = setup(api, 2);
    const [g1] = (await root.groups.getChildren()) as GroupNode[];
    assert.ok(g1 instanceof GroupNode);
    const regs = await g1.getChildren();
    await root.groups.pages.loadNext();
    const after = await root.groups.getChildren();
    assert.equal(after[0], g1, 'the same group node, with its loaded registrations');
    assert.deepEqual(await g1.getChildren(), regs, 'its registration nodes are the same objects');
    assert.equal(api.queries, 3, 'two group pages and one registration page: nothing refetched');
  });

  void test('ids are resource paths, stable across a refresh', async () => {
    const api = new FakeDpsApi([enrollment('dev-1')]);
    const { root } = setup(api);
    const before = (await root.enrollments.getChildren())[0]?.id;
    root.enrollments.pages.reset();
    const after = (await root.enrollments.getChildren())[0]?.id;
    assert.equal(before, `conn:${connection.id}/enrollments/dev-1`);
    assert.equal(after, before);
  });

  void test('filters apply to what is loaded without fetching again', async () => {
    const api = new FakeDpsApi([
      enrollment('sensor-1'),
      enrollment('sensor-2', { provisioningStatus: 'disabled' }),
      enrollment('gateway-1', { attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } } }),
    ]);
    const { root, setFilter } = setup(api, 10);
    await root.enrollments.getChildren();
    const queries = api.queries;
    setFilter({ idPrefix: 'SENSOR' });
    assert.deepEqual(await labels(root.enrollments), ['sensor-1', 'sensor-2']);
    setFilter({ status: 'disabled' });
    assert.deepEqual(await labels(root.enrollments), ['sensor-2']);
    setFilter({ attestationTypes: ['tpm'] });
    assert.deepEqual(await labels(root.enrollments), ['gateway-1']);
    assert.equal(root.enrollments.describe().description, '1 of 3', 'every page is loaded: 3 is the total');
    setFilter({ idPrefix: 'nothing' });
    const children = await root.enrollments.getChildren();
    assert.ok(children[0] instanceof MessageNode);
    assert.match(children[0].describe().label, /No item matches the filter \(3 in all\)/);
    assert.equal(api.queries, queries, 'no page fetched again');
  });

  void test('a failed load is an error node with retry; auth failures are marked for "Update connection"', async () => {
    const api = new FakeDpsApi([enrollment('a'), enrollment('b'), enrollment('c')]);
    const { root } = setup(api, 2);
    api.failNext = new DpsError({ kind: 'http', status: 401, message: 'Unauthorized.', operation: 'IndividualEnrollment_Query' });
    let children = await root.enrollments.getChildren();
    const error = children[0];
    assert.ok(error instanceof ErrorNode);
    const d = error.describe();
    assert.equal(d.command?.command, 'dpsEnrollments.retry');
    assert.ok(hasToken(d.contextValue, 'error') && hasToken(d.contextValue, 'auth'));
    assert.match(d.label, /refused the credentials \(401\)/);
    // Retry: the same (first) page again.
    await root.enrollments.pages.loadNext();
    children = await root.enrollments.getChildren();
    assert.deepEqual(children.map((c) => c.describe().label), ['a', 'b', 'Load more…']);
    // A later page failing keeps what was loaded; retry continues from the same token.
    api.failNext = new DpsError({ kind: 'network', message: 'reset', operation: 'IndividualEnrollment_Query' });
    await root.enrollments.pages.loadNext();
    children = await root.enrollments.getChildren();
    assert.deepEqual(children.map((c) => c.constructor.name), ['EnrollmentNode', 'EnrollmentNode', 'ErrorNode']);
    assert.ok(!hasToken(children[2]?.describe().contextValue ?? '', 'auth'));
    await root.enrollments.pages.loadNext();
    assert.deepEqual(await labels(root.enrollments), ['a', 'b', 'c']);
  });

  void test('under Entra ID a 401/403 row offers Retry only: there is no key for "Update connection" to mend', async () => {
    const api = new FakeDpsApi([enrollment('a')]);
    const { root } = setup(api, 2, { ...connection, id: 'fake/entra', keyName: 'Microsoft Entra ID', authKind: 'entra' });
    api.failNext = new DpsError({ kind: 'http', status: 403, message: 'Forbidden.', operation: 'IndividualEnrollment_Query', authKind: 'entra' });
    const [error] = await root.enrollments.getChildren();
    assert.ok(error instanceof ErrorNode);
    const d = error.describe();
    assert.ok(hasToken(d.contextValue, 'error') && !hasToken(d.contextValue, 'auth'), d.contextValue);
    assert.equal(d.command?.command, 'dpsEnrollments.retry');
  });

  void test('an enrollment shows id, attestation icon, status and target; disabled looks different', async () => {
    const api = new FakeDpsApi([
      enrollment('on', { deviceId: 'device-on', attestation: { type: 'x509' } }),
      enrollment('off', { provisioningStatus: 'disabled', registrationState: { registrationId: 'off', status: 'assigned', assignedHub: 'hub.azure-devices.net' } }),
    ]);
    const { root } = setup(api, 10);
    const [on, off] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    const a = on?.describe();
    const b = off?.describe();
    assert.equal(a?.label, 'on');
    assert.equal(a?.description, 'device-on · not registered');
    assert.equal(a?.icon?.id, 'workspace-trusted');
    assert.equal(a?.icon?.color, undefined);
    assert.equal(a?.contextValue, 'enrollment;individual;x509;enabled');
    assert.equal(b?.description, 'disabled · hub.azure-devices.net');
    assert.equal(b?.icon?.id, 'key');
    assert.equal(b?.icon?.color, 'disabledForeground');
    assert.equal(b?.contextValue, 'enrollment;individual;symmetricKey;disabled;hasKeys');
    assert.equal(a?.command?.command, 'dpsEnrollments.openJson');
    assert.match(b?.tooltip ?? '', /Status: disabled/);
  });

  void test('an individual enrollment has its registration as a child only when a device registered', async () => {
    const api = new FakeDpsApi([
      enrollment('fresh', { registrationState: { registrationId: 'fresh', status: 'unassigned' } }),
      enrollment('queried'),
      enrollment('dev', {
        registrationState: { registrationId: 'dev', status: 'assigned', substatus: 'initialAssignment', deviceId: 'dev', assignedHub: 'hub-1.azure-devices.net', lastUpdatedDateTimeUtc: '2024-05-01T10:00:00.1234567Z' },
      }),
    ]);
    const { root } = setup(api, 10);
    const [fresh, queried, dev] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    for (const unregistered of [fresh, queried]) {
      assert.equal(unregistered?.describe().collapsible, 'none');
      assert.match(unregistered?.describe().description ?? '', /not registered/);
      assert.deepEqual(await unregistered?.getChildren(), []);
    }
    assert.equal(dev?.describe().collapsible, 'collapsed');
    assert.doesNotMatch(dev?.describe().description ?? '', /not registered/);
    const [registration] = (await dev?.getChildren()) ?? [];
    assert.ok(registration instanceof RegistrationNode);
    const d = registration.describe();
    assert.equal(d.label, 'Device registration');
    assert.equal(d.description, 'assigned / initialAssignment · dev @ hub-1.azure-devices.net · updated 2024-05-01T10:00:00.1234567Z');
    assert.match(d.tooltip ?? '', /Substatus: initialAssignment/);
    assert.match(d.tooltip ?? '', /Last updated: 2024-05-01/);
    assert.ok(hasToken(d.contextValue, 'registration'));
    assert.equal(registration.itemId, 'dev');
  });

  void test('an enrollment whose registration failed or is disabled says so on its own row, not only in its child', async () => {
    const api = new FakeDpsApi([
      enrollment('refused', {
        iotHubHostName: 'hub-1.azure-devices.net',
        registrationState: { registrationId: 'refused', status: 'failed', errorCode: 400209, errorMessage: 'Custom allocation failed.' },
      }),
      enrollment('turned-off', {
        provisioningStatus: 'disabled',
        registrationState: { registrationId: 'turned-off', status: 'disabled', errorCode: 401003, errorMessage: "Enrollment 'turned-off' is disabled." },
      }),
      enrollment('fine', { registrationState: { registrationId: 'fine', status: 'assigned', deviceId: 'fine', assignedHub: 'hub-1.azure-devices.net' } }),
    ]);
    const { root } = setup(api, 10);
    const [refused, turnedOff, fine] = ((await root.enrollments.getChildren()) as EnrollmentNode[]).map((n) => n.describe());
    assert.equal(refused?.description, 'hub-1.azure-devices.net · registration failed');
    assert.match(refused?.ariaLabel ?? '', /registration failed/, 'screen readers hear it too');
    // The enrollment's own status and its registration's are two facts: both show.
    assert.equal(turnedOff?.description, 'disabled · registration disabled');
    assert.match(turnedOff?.ariaLabel ?? '', /registration disabled/);
    assert.equal(fine?.description, 'hub-1.azure-devices.net', 'an assigned registration adds nothing');
    // Still expandable: the child holds the error message.
    assert.equal(refused?.collapsible, 'collapsed');
  });

  void test('X.509 items whose certificate ends within 30 days (or ended) say so with a warning icon', async () => {
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000 + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const x509 = (notAfterUtc: string, where: 'clientCertificates' | 'signingCertificates') => ({
      type: 'x509' as const,
      x509: { [where]: { primary: { info: { subjectName: 'CN=dev', sha1Thumbprint: '', sha256Thumbprint: '', issuerName: '', notBeforeUtc: '2020-01-01T00:00:00Z', notAfterUtc, serialNumber: '', version: 3 } } } },
    });
    const api = new FakeDpsApi(
      [enrollment('soon', { attestation: x509(inDays(26), 'clientCertificates') }), enrollment('later', { attestation: x509(inDays(90), 'clientCertificates') })],
      [group('old', { attestation: x509(inDays(-3), 'signingCertificates') })],
    );
    const { root } = setup(api, 10);
    const [soon, later] = (await root.enrollments.getChildren()) as EnrollmentNode[];
    assert.match(soon?.describe().description ?? '', /expires in 26 days/);
    assert.equal(soon?.describe().icon?.id, 'warning');
    assert.match(soon?.describe().tooltip ?? '', /Certificate: primary client certificate \(CN=dev\) expires in 26 days/);
    assert.doesNotMatch(later?.describe().description ?? '', /expire/);
    assert.equal(later?.describe().icon?.id, 'workspace-trusted');
    const [old] = (await root.groups.getChildren()) as GroupNode[];
    assert.match(old?.describe().description ?? '', /expired 3 days ago/);
    assert.equal(old?.describe().icon?.id, 'error');
  });

  void test('tooltips are plain text with the service values as they came', async () => {
    const hostile = '<img src=x onerror=alert(1)> **bold** [link](command:evil)';
    const api = new FakeDpsApi([enrollment('x', { deviceId: hostile })]);
    const { root } = setup(api, 10);
    const [node] = await root.enrollments.getChildren();
    assert.ok((node?.describe().tooltip ?? '').includes(`Device id: ${hostile}`), 'kept verbatim; the provider sets it as a plain string');
  });

  void test('a group lists its device registrations, paged', async () => {
    const api = new FakeDpsApi([], [group('fleet', { iotHubs: ['hub-1', 'hub-2'] })], {
      fleet: [
        { registrationId: 'r1', status: 'assigned', deviceId: 'r1', assignedHub: 'hub-1' },
        { registrationId: 'r2', status: 'failed', errorMessage: 'bad' },
        { registrationId: 'r3', status: 'assigned' },
      ],
    });
    const { root } = setup(api, 2);
    const [fleet] = (await root.groups.getChildren()) as GroupNode[];
    assert.ok(fleet instanceof GroupNode);
    assert.equal(fleet.describe().description, 'hub-1, hub-2');
    assert.equal(fleet.describe().contextValue, 'group;x509;enabled;refreshable');
    const regs = await fleet.getChildren();
    assert.deepEqual(regs.map((r) => r.describe().label), ['r1', 'r2', 'Load more…']);
    assert.ok(regs[0] instanceof RegistrationNode);
    assert.equal(regs[0].describe().description, 'r1 @ hub-1');
    assert.equal(regs[1]?.describe().icon?.color, 'errorForeground');
    assert.equal(regs[0].describe().contextValue, 'registration');
  });

  void test('empty lists say so', async () => {
    const { root } = setup(new FakeDpsApi());
    assert.deepEqual(await labels(root.groups), ['No enrollment groups.']);
    assert.ok(root.groups instanceof CategoryNode);
  });
});

void describe('filter beyond the loaded pages', () => {
  void test('pages are fetched until the filter has a match; the count becomes a total once all are loaded', async () => {
    const api = new FakeDpsApi(Array.from({ length: 600 }, (_, i) => enrollment(`dev-${String(i).padStart(4, '0')}`)));
    const { root, setFilter } = setup(api, 100);
    await root.enrollments.getChildren();
    assert.equal(root.enrollments.describe().description, '100+');
    const filter = { idPrefix: 'dev-0450' };
    setFilter(filter);
    const seen: number[] = [];
    const result = await loadUntilMatches(root.enrollments.pages, (item) => matchesFilter(item, filter), { onPage: (loaded) => seen.push(loaded) });
    assert.deepEqual(seen, [200, 300, 400, 500]);
    assert.deepEqual(result, { matches: 1, loaded: 500, complete: false, cancelled: false });
    assert.deepEqual(await labels(root.enrollments), ['dev-0450', 'Load more…']);
    assert.equal(root.enrollments.describe().description, '1 of 500+ loaded');
    const none = { idPrefix: 'nothing' };
    setFilter(none);
    const all = await loadUntilMatches(root.enrollments.pages, (item) => matchesFilter(item, none));
    assert.equal(all.complete, true);
    assert.equal(root.enrollments.describe().description, '0 of 600');
    assert.match((await labels(root.enrollments))[0] ?? '', /No item matches the filter \(600 in all\)/);
  });

  void test('cancelling stops after the page under way', async () => {
    const api = new FakeDpsApi(Array.from({ length: 600 }, (_, i) => enrollment(`dev-${i}`)));
    const { root } = setup(api, 100);
    const controller = new AbortController();
    const result = await loadUntilMatches(root.enrollments.pages, () => false, { signal: controller.signal, onPage: () => controller.abort() });
    assert.deepEqual(result, { matches: 0, loaded: 200, complete: false, cancelled: true });
  });
});

void describe('tree: ADR certificate policy', () => {
  const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };

  void test('enrollments and groups with a policy show its name in the description and all three names in the tooltip', async () => {
    const api = new FakeDpsApi([enrollment('with-policy', POLICY), enrollment('plain')], [group('grp-policy', POLICY)]);
    const { root } = setup(api, 10);
    const [withPolicy, plain] = (await root.enrollments.getChildren()).map((c) => c.describe());
    assert.match(withPolicy?.description ?? '', /policy device-certs/);
    assert.match(withPolicy?.tooltip ?? '', /^Certificate policy: device-certs \(certificate authority ca1, namespace adr-ns\)$/m);
    assert.match(withPolicy?.ariaLabel ?? '', /policy device-certs/);
    assert.doesNotMatch(`${plain?.description ?? ''}\n${plain?.tooltip ?? ''}`, /policy/i, 'no policy, no line');
    const g = (await root.groups.getChildren())[0]?.describe();
    assert.match(g?.description ?? '', /policy device-certs/);
    assert.match(g?.tooltip ?? '', /Certificate policy: device-certs \(certificate authority ca1, namespace adr-ns\)/);
  });

  void test('a partial reference (not what the service stores) shows no policy', async () => {
    const api = new FakeDpsApi([enrollment('partial', { namespaceName: 'adr-ns', certificatePolicyName: 'p1' })]);
    const { root } = setup(api, 10);
    const d = (await root.enrollments.getChildren())[0]?.describe();
    assert.doesNotMatch(d?.tooltip ?? '', /Certificate policy/);
  });
});
