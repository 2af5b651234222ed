import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindWarning, isLoopbackAddress } from '../../../src/emulator/bindWarning';

void describe('emulator bind warning', () => {
  void test('loopback addresses and the default give no warning', () => {
    for (const address of [undefined, '127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(bindWarning(address), undefined, String(address));
    }
  });

  void test('any address reachable from the network is warned about, naming it and the well-known key', () => {
    for (const address of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.5', 'my-host.example.com', '::ffff:10.0.0.1']) {
      assert.equal(isLoopbackAddress(address), false, address);
      const warning = bindWarning(address) ?? '';
      assert.match(warning, /reachable from the network/, address);
      assert.match(warning, /well-known shared access key/);
      assert.ok(warning.includes(address));
    }
  });
});
