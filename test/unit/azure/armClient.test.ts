// ARM answers shaped like the 2026-08-01 examples of Microsoft.Devices/provisioningServices in
// azure-rest-api-specs (our own small fixtures written from those facts: PascalCase
// `ProvisioningServices` in ids, RFC 1123 dates on certificates, linked hubs in properties.iotHubs).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { ArmClient, ArmError, DPS_ARM_API_VERSION, base64Der, parseDpsResourceId } from '../../../src/azure';

const SUB = '91d12660-3dec-467a-be2a-213b5544ddc0';
const DPS_ID = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Devices/ProvisioningServices/myFirstProvisioningService`;

const dps = {
  name: 'myFirstProvisioningService',
  type: 'Microsoft.Devices/ProvisioningServices',
  etag: 'AAAAAAAADGk=',
  id: DPS_ID,
  location: 'eastus',
  properties: {
    allocationPolicy: 'Hashed',
    deviceProvisioningHostName: 'global.azure-devices-provisioning.net',
    idScope: '0ne00000012',
    serviceOperationsHostName: 'myFirstProvisioningService.azure-devices-provisioning.net',
    state: 'Active',
    iotHubs: [{ applyAllocationPolicy: true, allocationWeight: 1, name: 'myFirstIoTHub.azure-devices.net', hostName: 'myFirstIoTHub.azure-devices.net', location: 'eastus' }],
  },
  resourcegroup: 'myResourceGroup',
  sku: { name: 'S1', capacity: 1, tier: 'Standard' },
  subscriptionid: SUB,
  tags: {},
};

const certificate = {
  name: 'cert',
  type: 'Microsoft.Devices/ProvisioningServices/Certificates',
  etag: 'AAAAAAExpNs=',
  id: `${DPS_ID}/certificates/cert`,
  properties: {
    certificate: 'MA==',
    created: 'Thu, 12 Oct 2017 19:23:50 GMT',
    expiry: 'Sat, 31 Dec 2039 23:59:59 GMT',
    isVerified: false,
    subject: 'CN=testdevice1',
    thumbprint: '97388663832D0393C9246CAB4FBA2C8677185A25',
    updated: 'Thu, 12 Oct 2017 19:23:50 GMT',
  },
};

interface Seen {
  method?: string;
  url: string;
  headers: Record<string, unknown>;
  data?: unknown;
}

function fakeArm(answer: (seen: Seen) => { status: number; body?: unknown }) {
  const seen: Seen[] = [];
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) => {
    const s: Seen = { method: config.method?.toUpperCase(), url: String(config.url), headers: { ...config.headers }, data: config.data };
    seen.push(s);
    const { status, body } = answer(s);
    return Promise.resolve({ data: body === undefined ? '' : JSON.stringify(body), status, statusText: '', headers: { 'x-ms-request-id': 'req-1' }, config });
  };
  let tokens = 0;
  const client = new ArmClient({
    endpoint: 'https://management.azure.com',
    tokenProvider: () => {
      tokens += 1;
      return Promise.resolve({ token: 'arm-token-secret', expiresOnTimestamp: Date.now() + 3_600_000 });
    },
    adapter,
  });
  return { client, seen, tokens: () => tokens };
}

void describe('ARM client: parsing the spec shapes', () => {
  void test('lists instances of a subscription with ID scope, hosts, SKU and linked hubs', async () => {
    const { client, seen } = fakeArm(() => ({ status: 200, body: { value: [dps] } }));
    const [info] = await client.listProvisioningServices(SUB);
    assert.equal(seen[0].url, `/subscriptions/${SUB}/providers/Microsoft.Devices/provisioningServices?api-version=${DPS_ARM_API_VERSION}`);
    assert.equal(seen[0].headers.Authorization, 'Bearer arm-token-secret');
    assert.deepEqual(
      { name: info.name, rg: info.resourceGroup, sub: info.subscriptionId, scope: info.idScope, host: info.serviceHostName, sku: info.sku, hubs: info.linkedHubs, location: info.location },
      {
        name: 'myFirstProvisioningService', rg: 'myResourceGroup', sub: SUB, scope: '0ne00000012',
        host: 'myFirstProvisioningService.azure-devices-provisioning.net', sku: { name: 'S1', tier: 'Standard', capacity: 1 },
        hubs: [{ hostName: 'myFirstIoTHub.azure-devices.net', location: 'eastus', allocationWeight: 1, applyAllocationPolicy: true }], location: 'eastus',
      },
    );
  });

  void test('follows nextLink on the same host, keeps its query, and refuses one to another host', async () => {
    const pages = [
      { value: [{ subscriptionId: 'a', displayName: 'A', tenantId: 't', state: 'Enabled' }], nextLink: 'https://management.azure.com/subscriptions?api-version=2022-12-01&%24skiptoken=x' },
      { value: [{ subscriptionId: 'b', displayName: 'B' }] },
    ];
    const { client, seen, tokens } = fakeArm(() => ({ status: 200, body: pages.shift() }));
    const subs = await client.listSubscriptions();
    assert.deepEqual(subs.map((s) => s.subscriptionId), ['a', 'b']);
    assert.equal(seen[1].url, '/subscriptions?api-version=2022-12-01&%24skiptoken=x');
    assert.equal(tokens(), 1, 'the cached token serves both pages');

    const evil = fakeArm(() => ({ status: 200, body: { value: [], nextLink: 'https://evil.example/steal' } }));
    await assert.rejects(evil.client.listSubscriptions(), /nextLink to another host \(evil\.example\)/);
    assert.equal(evil.seen.length, 1);

    const loop = fakeArm(() => ({ status: 200, body: { value: [], nextLink: 'https://management.azure.com/subscriptions?x=1' } }));
    await assert.rejects(loop.client.listSubscriptions(), /same nextLink twice/);
  });

  void test('certificates: status, expiry and thumbprint; RFC 1123 dates become ISO', async () => {
    const { client, seen } = fakeArm(() => ({ status: 200, body: { value: [certificate] } }));
    const [c] = await client.listCertificates(DPS_ID);
    assert.deepEqual(
      { name: c.name, verified: c.isVerified, expiry: c.expiry, thumb: c.thumbprint, etag: c.etag, subject: c.subject },
      { name: 'cert', verified: false, expiry: '2039-12-31T23:59:59.000Z', thumb: '97388663832D0393C9246CAB4FBA2C8677185A25', etag: 'AAAAAAExpNs=', subject: 'CN=testdevice1' },
    );
    assert.match(seen[0].url, /\/resourceGroups\/myResourceGroup\/providers\/Microsoft\.Devices\/provisioningServices\/myFirstProvisioningService\/certificates\?api-version=2026-08-01$/);
  });

  void test('verification code, verify and delete send If-Match; upload sends base64 DER', async () => {
    const answers = [
      { status: 200, body: { name: 'cert', properties: { ...certificate.properties, verificationCode: 'ABC123' } } },
      { status: 200, body: { ...certificate, etag: 'AAAAAAExpTQ=', properties: { ...certificate.properties, isVerified: true } } },
      { status: 200 },
      { status: 200, body: certificate },
    ];
    const { client, seen } = fakeArm(() => answers.shift() ?? { status: 500 });
    const code = await client.generateVerificationCode(DPS_ID, 'cert', 'AAAAAAAADGk=');
    assert.equal(code.verificationCode, 'ABC123');
    const verified = await client.verifyCertificate(DPS_ID, 'cert', 'AAAAAAAADGk=', '-----BEGIN CERTIFICATE-----\nMIIB\nAA==\n-----END CERTIFICATE-----\n');
    assert.equal(verified.isVerified, true);
    await client.deleteCertificate(DPS_ID, 'cert', 'AAAAAAExpTQ=');
    await client.createOrUpdateCertificate(DPS_ID, 'cert', 'MIIBAA==');
    assert.deepEqual(seen.map((s) => [s.method, s.url.split('?')[0].split('/').slice(-2).join('/'), s.headers['If-Match']]), [
      ['POST', 'cert/generateVerificationCode', 'AAAAAAAADGk='],
      ['POST', 'cert/verify', 'AAAAAAAADGk='],
      ['DELETE', 'certificates/cert', 'AAAAAAExpTQ='],
      ['PUT', 'certificates/cert', undefined],
    ]);
    assert.deepEqual(JSON.parse(String(seen[1].data)), { certificate: 'MIIBAA==' });
    assert.deepEqual(JSON.parse(String(seen[3].data)), { properties: { certificate: 'MIIBAA==' } });
  });

  void test('listkeys for a policy', async () => {
    const { client, seen } = fakeArm(() => ({ status: 200, body: { keyName: 'testKey', primaryKey: 'cHJpbWFyeQ==', secondaryKey: 'c2Vjb25kYXJ5', rights: 'RegistrationStatusWrite' } }));
    const keys = await client.listKeysForKeyName(parseDpsResourceId(DPS_ID), 'testKey');
    assert.equal(keys.primaryKey, 'cHJpbWFyeQ==');
    assert.equal(seen[0].method, 'POST');
    assert.match(seen[0].url, /\/keys\/testKey\/listkeys\?api-version=2026-08-01$/);
  });
});

void describe('ARM client: errors', () => {
  void test('ARM error bodies become ArmError with code and status; no token in any form of it', async () => {
    const { client } = fakeArm(() => ({ status: 403, body: { error: { code: 'AuthorizationFailed', message: "The client 'x' does not have authorization to perform action 'Microsoft.Devices/provisioningServices/read'." } } }));
    const error = await client.getProvisioningService(DPS_ID).catch((e: unknown) => e);
    assert.ok(error instanceof ArmError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'AuthorizationFailed');
    assert.equal(error.requestId, 'req-1');
    assert.match(error.message, /may not read the provisioning service .* needs "Reader" .* \(HTTP 403, AuthorizationFailed\): The client 'x'/);
    for (const text of [error.message, JSON.stringify(error), inspect(error), String(error.stack)]) assert.doesNotMatch(text, /arm-token-secret/);
  });

  void test('412, 404 and unexpected shapes have their own sentences', async () => {
    const answers = [
      { status: 412, body: { code: 'PreconditionFailed', message: 'etag mismatch' } },
      { status: 200, body: { value: [{ name: 'no-id' }] } },
      { status: 200, body: { nope: 1 } },
      { status: 200, body: { value: [{ ...dps, properties: { iotHubs: 'x' } }] } },
    ];
    const { client } = fakeArm(() => answers.shift() ?? { status: 500 });
    await assert.rejects(client.deleteCertificate(DPS_ID, 'cert', 'e'), (e: unknown) => e instanceof ArmError && e.code === 'PreconditionFailed' && /changed since it was read/.test(e.message));
    await assert.rejects(client.listProvisioningServices(SUB), (e: unknown) => e instanceof ArmError && e.kind === 'invalidResponse' && /without "id"/.test(e.message));
    await assert.rejects(client.listCertificates(DPS_ID), /without a "value" array/);
    await assert.rejects(client.listProvisioningServices(SUB), /linked IoT hubs that are not a list/);
  });

  void test('bad input is refused before any request', async () => {
    const { client, seen } = fakeArm(() => ({ status: 200 }));
    await assert.rejects(client.getProvisioningService('/subscriptions/x/resourceGroups/y/providers/Microsoft.Devices/IotHubs/z'), /Not the resource id of a provisioning service/);
    await assert.rejects(client.deleteCertificate(DPS_ID, 'cert', ''), /etag is required/);
    await assert.rejects(client.listProvisioningServices(''), /subscriptionId is required/);
    assert.throws(() => base64Der('not a certificate!'), /PEM or base64 DER/);
    assert.throws(() => new ArmClient({ endpoint: 'http://management.azure.com', tokenProvider: () => Promise.reject(new Error('x')) }), /HTTPS/);
    assert.equal(seen.length, 0);
  });

  void test('a token failure is an ArmError of kind auth', async () => {
    const client = new ArmClient({ endpoint: 'https://management.azure.com', tokenProvider: () => Promise.reject(new Error('User cancelled sign-in')) });
    await assert.rejects(client.listSubscriptions(), (e: unknown) => e instanceof ArmError && e.kind === 'auth' && /User cancelled sign-in/.test(e.message));
  });
});
