// The "CA Certificates" folder under a connection added from Azure: present only there, loaded only
// when expanded, each certificate with its verified state and expiry (30-day warning), errors as a
// node that retries, and the tokens the context menu matches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaCertificate } from '../../../src/azure/armModels';
import { ArmError } from '../../../src/azure/armErrors';
import type { ConnectionRecord } from '../../../src/connections/connectionStore';
import { describeError } from '../../../src/common/errorPresentation';
import { hasToken } from '../../../src/tree/contextValues';
import { caCertificateStatus } from '../../../src/tree/caCertificateStatus';
import { CaCertificateNode, CaCertificatesNode, ConnectionNode, ErrorNode, MessageNode } from '../../../src/tree/nodes';
import type { TreeContext } from '../../../src/tree/treeModel';
import { FakeDpsApi } from '../../support/vscodeFakes';

const RESOURCE_ID = '/subscriptions/91d12660-3dec-467a-be2a-213b5544ddc0/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/dps1';
const plain: ConnectionRecord = { id: 'dps1.azure-devices-provisioning.net/owner', label: 'dps1', hostName: 'dps1.azure-devices-provisioning.net', keyName: 'owner' };
const fromAzure: ConnectionRecord = { ...plain, id: 'dps1.azure-devices-provisioning.net/entra', keyName: 'Microsoft Entra ID', authKind: 'entra', azure: { cloud: 'AzureCloud', subscriptionId: '91d12660-3dec-467a-be2a-213b5544ddc0', resourceId: RESOURCE_ID } };

const DAY = 86_400_000;
const inDays = (days: number): string => new Date(Date.now() + days * DAY + 3_600_000).toISOString();
const cert = (name: string, isVerified: boolean, expiry?: string): CaCertificate => ({ name, isVerified, etag: `e-${name}`, subject: `CN=${name}`, thumbprint: 'AB'.repeat(20), ...(expiry ? { expiry } : {}) });

function rootFor(connection: ConnectionRecord, list: () => Promise<CaCertificate[]>) {
  let calls = 0;
  const ctx: TreeContext = {
    clientFor: () => Promise.resolve(new FakeDpsApi()),
    pageSize: () => 10,
    filter: () => ({}),
    describeError,
    caCertificatesOf: (c) => {
      calls += 1;
      assert.equal(c.id, connection.id);
      return list();
    },
  };
  return { root: new ConnectionNode(connection, ctx), calls: () => calls };
}

void describe('CA Certificates folder', () => {
  void test('only a connection added from Azure has the folder; it loads nothing until expanded', async () => {
    const withoutArm = rootFor(plain, () => Promise.resolve([]));
    assert.deepEqual((await withoutArm.root.getChildren()).map((n) => n.describe().label), ['Individual enrollments', 'Enrollment groups']);
    const withArm = rootFor(fromAzure, () => Promise.resolve([cert('root', true, inDays(400))]));
    const children = await withArm.root.getChildren();
    assert.deepEqual(children.map((n) => n.describe().label), ['Individual enrollments', 'Enrollment groups', 'CA Certificates']);
    const folder = children[2];
    assert.ok(folder instanceof CaCertificatesNode);
    const d = folder.describe();
    assert.equal(d.collapsible, 'collapsed');
    assert.ok(hasToken(d.contextValue, 'caCertificates') && hasToken(d.contextValue, 'refreshable'));
    assert.equal(d.id, `conn:${fromAzure.id}/caCertificates`);
    assert.equal(withArm.calls(), 0, 'describing the folder makes no ARM call');
  });

  void test('rows: verified or not, expiry, a warning within 30 days, an error once expired; the folder counts the unverified', async () => {
    const { root, calls } = rootFor(fromAzure, () =>
      Promise.resolve([cert('good', true, inDays(400)), cert('fresh', false, inDays(200)), cert('soon', true, inDays(12)), cert('old', false, inDays(-3)), cert('undated', false)]),
    );
    const folder = root.caCertificates;
    assert.ok(folder);
    const rows = await folder.getChildren();
    assert.equal(calls(), 1);
    assert.ok(rows.every((r) => r instanceof CaCertificateNode));
    const byName = new Map(rows.map((r) => [r.describe().label, r.describe()]));
    const good = byName.get('good');
    assert.match(good?.description ?? '', /^verified · expires \d{4}-\d{2}-\d{2}$/);
    assert.equal(good?.icon?.id, 'verified-filled');
    assert.ok(good && hasToken(good.contextValue, 'caCertificate') && hasToken(good.contextValue, 'verified') && !hasToken(good.contextValue, 'unverified'));
    const fresh = byName.get('fresh');
    assert.match(fresh?.description ?? '', /^not verified · expires /);
    assert.equal(fresh?.icon?.id, 'unverified');
    assert.ok(fresh && hasToken(fresh.contextValue, 'unverified'));
    assert.equal(byName.get('soon')?.description, 'verified · expires in 12 days');
    assert.equal(byName.get('soon')?.icon?.id, 'warning');
    assert.match(byName.get('soon')?.tooltip ?? '', /Warning: this certificate expires in 12 days/);
    assert.equal(byName.get('old')?.description, 'not verified · expired 3 days ago');
    assert.deepEqual(byName.get('old')?.icon, { id: 'error', color: 'errorForeground' });
    assert.equal(byName.get('undated')?.description, 'not verified');
    assert.equal(rows[0]?.id, `conn:${fromAzure.id}/caCertificates/good`);
    assert.match(byName.get('good')?.ariaLabel ?? '', /^good, CA certificate, verified/);
    assert.equal(folder.describe().description, '5 · 3 not verified');
  });

  void test('an empty instance says how to add one; a refresh (reset) reads ARM again', async () => {
    let answer: CaCertificate[] = [];
    const { root, calls } = rootFor(fromAzure, () => Promise.resolve(answer));
    const folder = root.caCertificates;
    assert.ok(folder);
    const empty = await folder.getChildren();
    assert.ok(empty[0] instanceof MessageNode);
    assert.match(empty[0].describe().label, /No CA certificates\. Upload one/);
    answer = [cert('new', false, inDays(100))];
    assert.equal((await folder.getChildren()).length, 1, 'still the loaded (empty) answer');
    folder.pages.reset();
    assert.deepEqual((await folder.getChildren()).map((n) => n.describe().label), ['new']);
    assert.equal(calls(), 2);
  });

  void test('an ARM failure is an error node with the advice; under Entra ID it offers Retry, not Update Connection; retry loads again', async () => {
    let fail = true;
    const { root } = rootFor(fromAzure, () =>
      fail
        ? Promise.reject(new ArmError({ kind: 'http', operation: 'DpsCertificate_List', status: 403, code: 'AuthorizationFailed', message: 'The signed-in account may not list CA certificates: it needs "Reader" on scope x.' }))
        : Promise.resolve([cert('ok', true, inDays(90))]),
    );
    const folder = root.caCertificates;
    assert.ok(folder);
    const [error] = await folder.getChildren();
    assert.ok(error instanceof ErrorNode);
    // The remedy is a role on the instance; the connection has no key for "Update Connection" to mend.
    assert.equal(error.isAuth, false);
    assert.match(error.describe().label, /^Could not load CA certificates: The signed-in account may not list CA certificates: it needs "Reader"/);
    fail = false;
    await folder.pages.loadNext();
    assert.deepEqual((await folder.getChildren()).map((n) => n.describe().label), ['ok']);
  });

  void test('status facts on a fixed clock', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    assert.deepEqual(caCertificateStatus(cert('a', true, '2026-12-31T00:00:00Z'), now), { verified: true, daysLeft: 30, expiryText: 'expires 2026-12-31', warn: false, icon: { id: 'verified-filled', color: 'testing.iconPassed' } });
    assert.equal(caCertificateStatus(cert('b', true, '2026-12-30T23:59:59Z'), now).expiryText, 'expires in 29 days');
    assert.equal(caCertificateStatus(cert('c', false, '2026-12-01T12:00:00Z'), now).expiryText, 'expires today');
    assert.equal(caCertificateStatus(cert('d', false, 'not a date'), now).daysLeft, undefined);
  });
});
