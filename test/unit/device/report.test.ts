// The result and error documents of "Provision Test Device…", the device routes, the ID scope and
// the SAS the client signs: pure pieces, checked without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DeviceProvisioningError } from '../../../src/device/errors';
import { errorMarkdown, howToFix, resultMarkdown } from '../../../src/device/report';
import { deviceConnectionString, deviceSasToken, keySigner } from '../../../src/device/sas';
import { splitAuthenticationKey } from '../../../src/device/tpm';
import { matchDeviceRoute } from '../../../src/emulator/device/deviceRoutes';
import { idScopeForKey, isValidIdScope } from '../../../src/emulator/device/idScope';
import { IdScopeStore } from '../../../src/connections/idScopeStore';

void test('the result document shows hub, device id, substatus and payload', () => {
  const md = resultMarkdown({ registrationId: 'dev-1', operationId: 'op', status: 'assigned', assignedHub: 'h.azure-devices.net', deviceId: 'dev-1', substatus: 'initialAssignment', payload: { a: 1 } }, { host: 'localhost:1', idScope: '0ne00000001' });
  for (const part of ['h.azure-devices.net', 'dev-1', 'initialAssignment', '"a": 1', '0ne00000001']) assert.ok(md.includes(part), part);
});

void test('errors say what to fix per kind', () => {
  const scope = new DeviceProvisioningError('unauthorized', 'The ID scope does not name this provisioning service.', { status: 401, errorCode: 401002, trackingId: 't-1' });
  assert.match(howToFix(scope), /ID scope/);
  assert.match(howToFix(new DeviceProvisioningError('unauthorized', 'not signed')), /credential does not match/);
  assert.match(howToFix(new DeviceProvisioningError('disabled', 'x')), /Enable/);
  assert.match(howToFix(new DeviceProvisioningError('failed', 'Custom allocation failed with status code: 500.')), /webhook/);
  const md = errorMarkdown(scope, 'dev|1');
  assert.ok(md.includes('401002') && md.includes('t-1') && !md.includes('dev|1'), 'table cells are escaped');
});

void test('device SAS: sr is the encoded scope/registrations/id, signed over "sr\\nse", skn=registration', async () => {
  const key = Buffer.alloc(32, 3).toString('base64');
  const token = await deviceSasToken('0ne00000001', 'dev-1', keySigner(key), 1_700_000_000_000);
  const sr = encodeURIComponent('0ne00000001/registrations/dev-1');
  const se = 1_700_000_000 + 3600;
  const sig = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64');
  assert.equal(token, `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=registration`);
  assert.equal(deviceConnectionString('h', 'd', 'k'), 'HostName=h;DeviceId=d;SharedAccessKey=k');
});

void test('authenticationKey splits into the five TPM2B parts the SDKs read (a trailing TPM2B_DATA allowed) and refuses bad layouts', () => {
  const parts = [[0, 2, 9, 9], [0, 1, 7], [0, 1, 6], [0, 1, 5], [0, 3, 0, 8, 4]].map((p) => Buffer.from(p));
  const blob = Buffer.concat(parts);
  const expected = { credentialBlob: parts[0], encryptedSecret: parts[1], duplicate: parts[2], encryptedSeed: parts[3], publicArea: parts[4] };
  assert.deepEqual(splitAuthenticationKey(blob), expected);
  assert.deepEqual(splitAuthenticationKey(Buffer.concat([blob, Buffer.from([0, 0])])), expected, 'the empty encUriData the Java SDK reads');
  assert.throws(() => splitAuthenticationKey(blob.subarray(0, blob.length - 1)), /cut short/);
  assert.throws(() => splitAuthenticationKey(Buffer.concat(parts.slice(0, 2))), /2 of the 5 parts/, 'the old two-part layout');
  assert.throws(() => splitAuthenticationKey(Buffer.concat([blob, Buffer.from([0, 0, 0, 0])])), /left over/);
});

void test('device routes: the three device paths, 405 for other verbs, service paths untouched', () => {
  assert.deepEqual(matchDeviceRoute('PUT', '/0ne1/registrations/d%2D1/register'), { kind: 'register', idScope: '0ne1', registrationId: 'd-1' });
  assert.deepEqual(matchDeviceRoute('get', '/0ne1/Registrations/d/operations/4.x'), { kind: 'operationStatus', idScope: '0ne1', registrationId: 'd', operationId: '4.x' });
  assert.equal(matchDeviceRoute('POST', '/0ne1/registrations/d')?.kind, 'registrationStatus');
  assert.throws(() => matchDeviceRoute('GET', '/0ne1/registrations/d/register'), (e: Error & { status?: number }) => e.status === 405);
  assert.equal(matchDeviceRoute('GET', '/registrations/d'), undefined);
  assert.equal(matchDeviceRoute('POST', '/registrations/g/query'), undefined);
  assert.equal(matchDeviceRoute('GET', '/enrollments/e'), undefined);
});

void test('the ID scope is stable per key and shaped like the service\'s; the store keeps it per connection', async () => {
  assert.equal(idScopeForKey('a'), idScopeForKey('a'));
  assert.notEqual(idScopeForKey('a'), idScopeForKey('b'));
  assert.ok(isValidIdScope(idScopeForKey('a')));
  const data = new Map<string, unknown>();
  const store = new IdScopeStore({ get: <T>(k: string) => data.get(k) as T | undefined, update: (k, v) => { data.set(k, v); return Promise.resolve(); } });
  await store.set('c1', '0ne00000001');
  assert.equal(store.get('c1'), '0ne00000001');
  assert.equal(store.get('c2'), undefined);
  await store.set('c2', '0ne00000002');
  await store.forget('c1');
  assert.equal(store.get('c1'), undefined, 'forgotten');
  assert.equal(store.get('c2'), '0ne00000002', 'the others are kept');
});
