import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStore, CONNECTIONS_STATE_KEY, secretKeyFor } from '../../../src/connections/connectionStore';
import { PagedCollection } from '../../../src/tree/pagedCollection';
import { MemorySecrets, MemoryState } from '../../support/vscodeFakes';

const cs = (host: string) => `HostName=${host};SharedAccessKeyName=owner;SharedAccessKey=a2V5`;

void describe('connection store', () => {
  void test('several connections: add, rename, replace by host and policy, remove', async () => {
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const store = new ConnectionStore(secrets, state);
    let changes = 0;
    store.onDidChange(() => changes++);
    const a = await store.add({ connectionString: cs('a.azure-devices-provisioning.net'), hostName: 'a.azure-devices-provisioning.net', keyName: 'owner', label: 'A' });
    const b = await store.add({ connectionString: cs('b.azure-devices-provisioning.net'), hostName: 'b.azure-devices-provisioning.net', keyName: 'owner' });
    assert.deepEqual(store.list().map((r) => r.label), ['A', 'b.azure-devices-provisioning.net']);
    await store.rename(b.id, '  B  ');
    assert.equal(store.get(b.id)?.label, 'B');
    await assert.rejects(store.rename(b.id, '   '), /cannot be empty/);
    // The same host and policy again replaces the key, keeps the name and the position.
    await store.add({ connectionString: 'HostName=a.azure-devices-provisioning.net;SharedAccessKeyName=owner;SharedAccessKey=bmV3', hostName: 'a.azure-devices-provisioning.net', keyName: 'owner' });
    assert.deepEqual(store.list().map((r) => r.label), ['A', 'B']);
    assert.match(await store.connectionString(a.id), /bmV3$/);
    await store.remove(a.id);
    assert.deepEqual(store.list().map((r) => r.id), [b.id]);
    assert.equal(secrets.values.has(secretKeyFor(a.id)), false, 'the secret is removed with the connection');
    await assert.rejects(store.connectionString(a.id), /missing from the secret store/);
    assert.equal(changes, 5);
    assert.ok(!JSON.stringify(state.values.get(CONNECTIONS_STATE_KEY)).includes('a2V5'));
  });
});

void describe('paged collection', () => {
  void test('concurrent "load more" clicks share one request; a reset drops a late answer', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const pages = new PagedCollection<{ id: string }>(async (token) => {
      calls++;
      await gate;
      return token ? { items: [{ id: 'c' }] } : { items: [{ id: 'a' }, { id: 'b' }], continuationToken: 't' };
    }, (i) => i.id);
    const first = pages.loadNext();
    const second = pages.loadNext();
    assert.equal(pages.isLoading, true);
    release();
    await Promise.all([first, second]);
    assert.equal(calls, 1);
    assert.deepEqual(pages.items.map((i) => i.id), ['a', 'b']);
    assert.equal(pages.hasMore, true);
    await pages.loadNext();
    assert.equal(pages.hasMore, false);
    pages.remove('b');
    assert.deepEqual(pages.items.map((i) => i.id), ['a', 'c']);
    pages.reset();
    assert.equal(pages.items.length, 0);
    assert.equal(pages.hasLoaded, false);
  });
});
