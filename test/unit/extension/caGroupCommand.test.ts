// "Create Enrollment Group with This CA…": the CA's current state is read through ARM (a tree row may
// be stale), an unverified or expired CA is refused with what to do first, from the palette only the
// usable CAs are offered, and the menu shows the command on verified CA rows only (Verify on the rest).
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import type { CaCertificate } from '../../../src/azure/armModels';
import type { CommandContext } from '../../../src/commands/commandContext';
import type { ConnectionRecord } from '../../../src/connections/connectionStore';
import { referencableCaCertificate } from '../../../src/commands/azureCommands';

const RESOURCE_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/dps1';
const fromAzure: ConnectionRecord = { id: 'dps1/entra', label: 'dps1', hostName: 'dps1.azure-devices-provisioning.net', keyName: 'Microsoft Entra ID', authKind: 'entra', azure: { cloud: 'AzureCloud', subscriptionId: 's', resourceId: RESOURCE_ID } };
const plain: ConnectionRecord = { id: 'dps2/owner', label: 'dps2', hostName: 'dps2.azure-devices-provisioning.net', keyName: 'owner' };
const DAY = 86_400_000;
const inDays = (days: number): string => new Date(Date.now() + days * DAY + 3_600_000).toISOString();

function setup(connection: ConnectionRecord, certificates: CaCertificate[]) {
  const calls: string[] = [];
  let disposed = 0;
  const arm = {
    getCertificate: (resourceId: string, name: string) => {
      calls.push(`get ${name}`);
      assert.equal(resourceId, RESOURCE_ID);
      const found = certificates.find((c) => c.name === name);
      return found ? Promise.resolve(found) : Promise.reject(new Error(`no certificate ${name}`));
    },
    listCertificates: () => {
      calls.push('list');
      return Promise.resolve(certificates);
    },
    dispose: () => {
      disposed += 1;
    },
  };
  const ctx = { store: { list: () => [connection] }, azure: { armClient: () => Promise.resolve(arm) } } as unknown as CommandContext;
  return { ctx, calls, disposed: () => disposed };
}

void describe('"Create Enrollment Group with This CA…"', () => {
  beforeEach(() => resetRecorder());

  void test('a verified CA: read fresh through ARM and returned with its connection', async () => {
    const s = setup(fromAzure, [{ name: 'root', isVerified: true, expiry: inDays(400) }]);
    const { connection, certificate } = await referencableCaCertificate(s.ctx, undefined, 'root');
    assert.equal(connection.id, fromAzure.id);
    assert.equal(certificate.name, 'root');
    assert.deepEqual(s.calls, ['get root']);
    assert.equal(s.disposed(), 1);
  });

  void test('a CA shown verified in the tree but no longer verified on the service is refused: verify it first', async () => {
    const s = setup(fromAzure, [{ name: 'fresh', isVerified: false, expiry: inDays(400) }]);
    await assert.rejects(referencableCaCertificate(s.ctx, undefined, 'fresh'), /"fresh" is not verified: verify it first/);
    assert.equal(s.disposed(), 1, 'the ARM client is released on refusal too');
  });

  void test('an expired CA is refused', async () => {
    const s = setup(fromAzure, [{ name: 'old', isVerified: true, expiry: inDays(-3) }]);
    await assert.rejects(referencableCaCertificate(s.ctx, undefined, 'old'), /"old" expired 3 days ago: upload its renewal/);
  });

  void test('from the palette only usable CAs are offered', async () => {
    const s = setup(fromAzure, [
      { name: 'root', isVerified: true, expiry: inDays(400) },
      { name: 'fresh', isVerified: false, expiry: inDays(400) },
      { name: 'old', isVerified: true, expiry: inDays(-3) },
    ]);
    let offered: string[] = [];
    recorder.answers.push((items: Array<{ label: string }>) => {
      offered = items.map((i) => i.label);
      return items[0];
    });
    const { certificate } = await referencableCaCertificate(s.ctx, undefined, undefined);
    assert.deepEqual(offered, ['root']);
    assert.equal(certificate.name, 'root');
  });

  void test('a connection not added from Azure says so', async () => {
    const s = setup(plain, []);
    await assert.rejects(referencableCaCertificate(s.ctx, undefined, 'root'), /"dps2" was not added from Azure/);
    assert.deepEqual(s.calls, []);
  });

  void test('the menu: the command on verified CA rows only, Verify on unverified ones', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string; title: string; category?: string }>; menus: Record<string, Array<{ command: string; when?: string }>> } };
    const declared = manifest.contributes.commands.find((c) => c.command === 'dpsEnrollments.createGroupWithCaCertificate');
    assert.deepEqual([declared?.title, declared?.category], ['Create Enrollment Group with This CA…', 'DPS']);
    const whenOf = (command: string): string => manifest.contributes.menus['view/item/context']?.find((e) => e.command === command)?.when ?? '';
    const create = whenOf('dpsEnrollments.createGroupWithCaCertificate');
    assert.match(create, /viewItem =~ \/\(\^\|;\)caCertificate\(;\|\$\)\//);
    assert.match(create, /viewItem =~ \/\(\^\|;\)verified\(;\|\$\)\//);
    assert.match(whenOf('dpsEnrollments.verifyCaCertificate'), /\(\^\|;\)unverified\(;\|\$\)/);
  });
});
