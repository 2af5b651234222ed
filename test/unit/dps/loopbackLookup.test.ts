import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackLookup } from '../../../src/dps/loopbackLookup';

function lookup(hostname: string, options: LookupOptions): Promise<{ address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => {
    loopbackLookup(hostname, options, (err, address, family) => (err ? reject(err) : resolve({ address, family })));
  });
}

void describe('loopbackLookup', () => {
  void test('localhost (any case) is both loopback addresses, IPv4 first, or the one family asked for', async () => {
    assert.deepEqual(await lookup('localhost', { all: true }), { address: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }], family: undefined });
    assert.deepEqual(await lookup('LocalHost', {}), { address: '127.0.0.1', family: 4 });
    assert.deepEqual(await lookup('localhost', { family: 6 }), { address: '::1', family: 6 });
    assert.deepEqual(await lookup('localhost', { family: 'IPv6', all: true }), { address: [{ address: '::1', family: 6 }], family: undefined });
  });

  void test('any other name goes to the system resolver', async () => {
    assert.deepEqual(await lookup('127.0.0.1', {}), { address: '127.0.0.1', family: 4 });
    await assert.rejects(lookup('no-such-host.invalid', {}), (e: unknown) => (e as { code?: string }).code === 'ENOTFOUND' || (e as { code?: string }).code === 'EAI_AGAIN');
  });

  void test('an agent using it reaches a server on 127.0.0.1 by the name localhost', async () => {
    const server = http.createServer((_req, res) => res.end('here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ lookup: loopbackLookup });
    try {
      const text = await new Promise<string>((resolve, reject) => {
        http.get({ hostname: 'localhost', port, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => { body += c; });
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      assert.equal(text, 'here');
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
