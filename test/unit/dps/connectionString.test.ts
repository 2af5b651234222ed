import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ConnectionStringError,
  formatConnectionString,
  isLoopbackHost,
  parseConnectionString,
} from '../../../src/dps/connectionString';

// A fresh key per run: a message that leaked it could not match by accident of a fixed fixture.
const KEY = randomBytes(32).toString('base64');
const HOST = 'my-dps.azure-devices-provisioning.net';
const GOOD = `HostName=${HOST};SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=${KEY}`;

/** Expects a ConnectionStringError whose message matches and never contains the key (or its unpadded body). */
function refuses(text: string, expected: RegExp, key = KEY): void {
  let caught: unknown;
  try {
    parseConnectionString(text);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConnectionStringError, `expected ConnectionStringError for ${JSON.stringify(text.slice(0, 40))}`);
  assert.match(caught.message, expected);
  const body = key.replace(/=+$/, '');
  assert.ok(body.length < 4 || !caught.message.includes(body), `message leaks the key: ${caught.message}`);
  assert.ok(!JSON.stringify(caught).includes(body) || body.length < 4);
}

void describe('parseConnectionString: accepted forms', () => {
  void test('the standard three fields, in any order', () => {
    const expected = { hostName: HOST, sharedAccessKeyName: 'provisioningserviceowner', sharedAccessKey: KEY };
    assert.deepEqual(parseConnectionString(GOOD), expected);
    assert.deepEqual(
      parseConnectionString(`SharedAccessKey=${KEY};HostName=${HOST};SharedAccessKeyName=provisioningserviceowner`),
      expected,
    );
  });

  void test('a trailing newline, surrounding spaces and one trailing semicolon from a paste are trimmed', () => {
    assert.equal(parseConnectionString(`  ${GOOD}\r\n`).sharedAccessKey, KEY);
    assert.equal(parseConnectionString(`${GOOD};`).hostName, HOST);
    assert.equal(parseConnectionString(GOOD.replace(/;/g, '; ')).sharedAccessKeyName, 'provisioningserviceowner');
  });

  void test('a loopback emulator host may carry a port', () => {
    for (const host of ['localhost:8443', '127.0.0.1:443', '[::1]:8443', 'localhost', '127.1.2.3']) {
      assert.equal(parseConnectionString(GOOD.replace(HOST, host)).hostName, host);
    }
  });

  void test('format and parse round-trip', () => {
    const cs = parseConnectionString(GOOD);
    assert.equal(formatConnectionString(cs), GOOD);
    assert.deepEqual(parseConnectionString(formatConnectionString(cs)), cs);
  });
});

void describe('parseConnectionString: refused forms', () => {
  void test('empty, blank, ";;"', () => {
    refuses('', /is empty/);
    refuses('  \n', /is empty/);
    refuses(';;', /empty segment 1 of 2/);
    refuses(`HostName=${HOST};;SharedAccessKeyName=p;SharedAccessKey=${KEY}`, /empty segment 2 of 4/);
  });

  void test('each missing field is named', () => {
    refuses(`HostName=${HOST};SharedAccessKeyName=p`, /missing 'SharedAccessKey'\./);
    refuses(`SharedAccessKey=${KEY}`, /missing 'HostName' and 'SharedAccessKeyName'/);
    refuses(`HostName=${HOST};SharedAccessKeyName=p;SharedAccessKey=`, /empty value for 'SharedAccessKey'/);
  });

  void test('a segment without "=" is refused without echoing it', () => {
    refuses(`HostName=${HOST};SharedAccessKeyName=p;${KEY.replace(/=/g, '')}`, /segment 3 of 3 has no '='/, KEY);
  });

  void test('a bare key pasted without its name is refused without echoing it', () => {
    const padded = randomBytes(16).toString('base64'); // ends in '=='
    refuses(`HostName=${HOST};SharedAccessKeyName=p;${padded}`, /looks like a bare key/, padded);
  });

  void test('duplicate and unknown fields are named', () => {
    refuses(`${GOOD};HostName=${HOST}`, /repeats 'HostName'/);
    refuses(`${GOOD};Foo=bar`, /unknown field 'Foo'/);
    refuses(GOOD.replace('HostName', 'hostname'), /'hostname' \(did you mean 'HostName'\?\)/);
  });

  void test('key must be non-empty valid base64, and is never echoed', () => {
    refuses(GOOD.replace(KEY, 'not*base64!'), /not valid base64/, 'not*base64!');
    refuses(GOOD.replace(KEY, 'abc'), /not valid base64/, 'abc');
    refuses(GOOD.replace(KEY, `${KEY.slice(0, -4)}$$$$`), /not valid base64/);
    refuses(GOOD.replace(KEY, '===='), /not valid base64|decodes to no bytes/, '====');
  });

  void test('IoT Hub strings are recognised and refused with a sentence that says so', () => {
    refuses(`HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, /this is an IoT Hub connection string, not a DPS one/i);
    refuses(`HostName=${HOST};SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, /IoT Hub connection string, not a DPS one/);
    refuses(`HostName=myhub.azure-devices.net;SharedAccessKeyName=whatever;SharedAccessKey=${KEY}`, /IoT Hub connection string, not a DPS one/);
  });

  void test('device and module connection strings are refused', () => {
    refuses(`HostName=myhub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${KEY}`, /IoT Hub device connection string \(it has DeviceId\), not a DPS one/);
    refuses(`HostName=myhub.azure-devices.net;DeviceId=dev1;ModuleId=m;SharedAccessKey=${KEY}`, /device connection string/);
    refuses(`HostName=h.azure-devices.net;DeviceId=d;x509=true`, /device connection string/);
  });

  void test('quotes around the string are refused (not guessed), and so are line breaks inside', () => {
    refuses(`"${GOOD}"`, /wrapped in quotes/);
    refuses(`'${GOOD}'`, /wrapped in quotes/);
    refuses(`\u201c${GOOD}\u201d`, /wrapped in quotes/);
    refuses(GOOD.replace(';SharedAccessKey=', ';\r\nSharedAccessKey='), /line break/);
    refuses(GOOD.replace(';SharedAccessKey=', '\nSharedAccessKey='), /line break/);
  });

  void test('host names: no scheme, no path, a port only on loopback', () => {
    refuses(GOOD.replace(HOST, `https://${HOST}`), /without https:\/\//);
    refuses(GOOD.replace(HOST, `${HOST}/x`), /without a path/);
    refuses(GOOD.replace(HOST, `${HOST}:443`), /port is allowed only for a local emulator/);
    refuses(GOOD.replace(HOST, 'localhost:99999'), /invalid port/);
    refuses(GOOD.replace(HOST, 'bad_host!'), /not a valid host name/);
  });

  void test('an Event Hubs string is refused as such', () => {
    refuses(`Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=p;SharedAccessKey=${KEY}`, /Event Hubs or Service Bus/);
  });
});

void describe('isLoopbackHost', () => {
  void test('loopback names and addresses, with or without port', () => {
    for (const host of ['localhost', 'LOCALHOST:1', '127.0.0.1', '127.255.0.9:8443', '[::1]', '[::1]:8443', '::1']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });
  void test('everything else', () => {
    for (const host of [HOST, '128.0.0.1', '127.0.0', '127.0.0.256', 'localhost.evil.com', '[::2]', '10.0.0.1:8443', '']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});

void describe('connection string messages never echo a value that may be a secret', () => {
  const key = 'c2VjcmV0LWtleS1mb3ItcmVkYWN0aW9uLXRlc3RzMzI=';
  void test('a key pasted into HostName is not repeated, and the message says what probably happened', () => {
    const error = (() => {
      try {
        parseConnectionString(`HostName=${key};SharedAccessKeyName=owner;SharedAccessKey=${key}`);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(error, 'refused');
    assert.ok(!error.message.includes(key), error.message);
    assert.ok(!error.message.includes(key.slice(0, 12)), error.message);
    assert.match(error.message, /HostName is not a valid host name \(it looks like a key: was the key pasted into HostName\?\)/);
  });

  void test('a host with a port off loopback names the port, not the host', () => {
    assert.throws(() => parseConnectionString(`HostName=abcdefghijklmnopqrstuvwxyz0123456789.example.com:8443;SharedAccessKeyName=owner;SharedAccessKey=${key}`), (e: Error) => /has a port \(8443\)/.test(e.message) && !e.message.includes('abcdefghijklmnop'));
  });
});
