// src/device against the emulator: every attestation (symmetric key, derived group key, X.509
// individual/group/CA reference, TPM with a software TPM and with swtpm), custom allocation via
// a local webhook, reprovisioning, polling, and the refusals a device can meet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDeviceCertificate, generateRootCertificate, generateTestChain, type TestChain } from '../../../src/attestation';
import { provisionDevice, type DeviceCredential, type ProvisionOptions } from '../../../src/device/client';
import { DeviceProvisioningError } from '../../../src/device/errors';
import { deviceSasToken, keySigner } from '../../../src/device/sas';
import { deriveDeviceKey } from '../../../src/attestation/symmetricKey';
import { Tpm2ToolsTpm } from '../../../src/device/tpm2Tools';
import { request, startTestEmulator, type EmulatorRequest, type TestEmulator } from '../../support/emulator';
import { caReferenceGroup, symmetricEnrollment, symmetricGroup, x509Enrollment, x509Group } from '../../support/deviceEnrollments';
import { SoftwareTpm } from '../../support/softwareTpm';
import { SWTPM_MISSING, startSwtpm, swtpmAvailable } from '../../support/swtpm';

let env: TestEmulator;
let chain: TestChain;
let webhook: Server;
let webhookUrl: string;
const webhookCalls: Array<Record<string, unknown>> = [];

before(async () => {
  chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'client-x509-member' });
  const verifiedRoot = await generateRootCertificate({ commonName: 'Verified CA', key: 'ecdsa-p256' });
  env = await startTestEmulator({
    device: { retryAfterSeconds: 0, assignDelayMs: 20 },
    caCertificates: [{ name: 'verified-root', certificate: chain.root.certificatePem }, { name: 'unverified', certificate: verifiedRoot.certificatePem, isVerified: false }],
  });
  webhook = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      webhookCalls.push(body);
      const ctx = body.deviceRuntimeContext as { registrationId: string; payload?: { wants?: string } };
      if (ctx.registrationId === 'custom-broken') {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        iotHubHostName: ctx.payload?.wants ?? 'hub-2.azure-devices.net',
        initialTwin: { tags: { chosenBy: 'webhook' } },
        payload: { echo: ctx.payload ?? null },
      }));
    });
  });
  webhook.listen(0, '127.0.0.1');
  await new Promise((r) => webhook.once('listening', r));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/allocate`;
});
after(async () => {
  webhook.close();
  await env.dispose();
});

function provision(registrationId: string, credential: DeviceCredential, extra: Partial<ProvisionOptions> = {}) {
  return provisionDevice({ host: env.emu.hostName, ca: env.emu.caCertificatePem, idScope: env.emu.idScope, registrationId, credential, ...extra });
}

async function refused(promise: Promise<unknown>, kind: string, message: RegExp): Promise<DeviceProvisioningError> {
  let caught: unknown;
  await promise.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof DeviceProvisioningError, `expected a DeviceProvisioningError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, message);
  return caught;
}

void test('symmetric key: assigning, then assigned with hub, device id and substatus; the registration is recorded', async () => {
  const key = symmetricEnrollment(env.emu, 'client-sym', { allocationPolicy: 'hashed', iotHubs: ['a.azure-devices.net', 'b.azure-devices.net'] });
  const seen: string[] = [];
  const result = await provision('client-sym', { kind: 'symmetricKey', key }, { onStatus: (s) => seen.push(s) });
  assert.ok(seen.includes('assigning'));
  assert.ok(['a.azure-devices.net', 'b.azure-devices.net'].includes(result.assignedHub));
  assert.equal(result.substatus, 'initialAssignment');
  assert.equal(env.emu.store.getRegistration('client-sym')?.state.assignedHub, result.assignedHub);
  const again = await provision('client-sym', { kind: 'symmetricKey', key });
  assert.equal(again.assignedHub, result.assignedHub, 'hashed allocation is stable');
  assert.equal(again.substatus, 'reprovisionedToInitialAssignment');
});

void test('group key: the client derives the device key; an unknown member of another group is refused', async () => {
  const groupKey = symmetricGroup(env.emu, 'client-group', { allocationPolicy: 'geoLatency', iotHubs: ['geo-1.azure-devices.net', 'geo-2.azure-devices.net'] });
  const result = await provision('member-1', { kind: 'groupKey', groupKey });
  assert.equal(result.assignedHub, 'geo-1.azure-devices.net');
  assert.equal(result.deviceId, 'member-1');
  const other = symmetricEnrollment(env.emu, 'someone-else');
  const error = await refused(provision('member-2', { kind: 'symmetricKey', key: other }), 'unauthorized', /No enrollment or symmetric-key group accepts/);
  assert.equal(error.status, 401);
  assert.equal(error.errorCode, 401002);
  assert.match(error.trackingId ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(!error.message.includes(other), 'the key never appears in the error');
});

void test('wrong key and wrong ID scope are 401 with the live error shape', async () => {
  symmetricEnrollment(env.emu, 'client-wrong');
  await refused(provision('client-wrong', { kind: 'symmetricKey', key: Buffer.alloc(32, 1).toString('base64') }), 'unauthorized', /not signed with a key of enrollment/);
  const key = symmetricEnrollment(env.emu, 'client-scope');
  await refused(provision('client-scope', { kind: 'symmetricKey', key }, { idScope: '0ne00000000' }), 'unauthorized', /ID scope/);
});

void test('disabled enrollment and disabled group settle as disabled', async () => {
  const key = symmetricEnrollment(env.emu, 'client-disabled', { provisioningStatus: 'disabled' });
  const e = await refused(provision('client-disabled', { kind: 'symmetricKey', key }), 'disabled', /Enrollment 'client-disabled' is disabled/);
  assert.equal(e.errorCode, 401003);
  const groupKey = symmetricGroup(env.emu, 'client-disabled-group', { provisioningStatus: 'disabled' });
  await refused(provision('in-disabled-group', { kind: 'groupKey', groupKey }), 'disabled', /group 'client-disabled-group' is disabled/);
  assert.equal(env.emu.store.getRegistration('in-disabled-group')?.state.status, 'disabled');
});

void test('X.509 individual: the enrolled leaf is accepted, another certificate with the same CN is refused, an expired one too', async () => {
  const issuer = { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem };
  const device = await generateDeviceCertificate({ commonName: 'client-x509', key: 'ecdsa-p256', issuer });
  x509Enrollment(env.emu, 'client-x509', device.certificatePem);
  const ok = await provision('client-x509', { kind: 'x509', certificate: device.certificatePem, privateKey: device.privateKeyPem });
  assert.equal(ok.deviceId, 'client-x509');
  const impostor = await generateDeviceCertificate({ commonName: 'client-x509', key: 'ecdsa-p256', issuer });
  await refused(provision('client-x509', { kind: 'x509', certificate: impostor.certificatePem, privateKey: impostor.privateKeyPem }), 'unauthorized', /not the one enrolled/);
  const expired = await generateDeviceCertificate({
    commonName: 'client-x509-old', key: 'ecdsa-p256', issuer, notBefore: new Date(Date.now() - 3 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
  });
  x509Enrollment(env.emu, 'client-x509-old', expired.certificatePem);
  await refused(provision('client-x509-old', { kind: 'x509', certificate: expired.certificatePem, privateKey: expired.privateKeyPem }), 'unauthorized', /expired/);
});

void test('X.509 group: chain to the signing certificate, by CA reference to a verified CA; a foreign chain and an unverified CA are refused', async () => {
  x509Group(env.emu, 'client-x509-group', chain.intermediate.certificatePem);
  const member = await provision('client-x509-member', { kind: 'x509', certificate: chain.device.certificatePem, privateKey: chain.device.privateKeyPem });
  assert.equal(env.emu.store.getRegistration(member.registrationId)?.enrollmentGroupId, 'client-x509-group');

  const other = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'foreign-device', namePrefix: 'Foreign' });
  await refused(provision('foreign-device', { kind: 'x509', certificate: other.device.certificatePem + other.intermediate.certificatePem, privateKey: other.device.privateKeyPem }), 'unauthorized', /No X.509 enrollment or group accepts/);

  env.emu.store.enrollmentGroups.delete('client-x509-group');
  caReferenceGroup(env.emu, 'client-ca-ref', 'verified-root');
  const viaCa = await generateDeviceCertificate({ commonName: 'client-ca-member', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  await provision('client-ca-member', { kind: 'x509', certificate: viaCa.certificatePem + chain.intermediate.certificatePem, privateKey: viaCa.privateKeyPem });
  assert.equal(env.emu.store.getRegistration('client-ca-member')?.enrollmentGroupId, 'client-ca-ref');
  env.emu.store.enrollmentGroups.delete('client-ca-ref');
  caReferenceGroup(env.emu, 'client-ca-unverified', 'unverified');
  const notVerified = await generateDeviceCertificate({ commonName: 'client-ca-member-2', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  await refused(provision('client-ca-member-2', { kind: 'x509', certificate: notVerified.certificatePem + chain.intermediate.certificatePem, privateKey: notVerified.privateKeyPem }), 'unauthorized', /No X.509/);
});

void test('an encrypted private key needs its passphrase; a wrong one is a credential error', async () => {
  const { createPrivateKey } = await import('node:crypto');
  const device = await generateDeviceCertificate({ commonName: 'client-pass', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  const encrypted = createPrivateKey(device.privateKeyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString();
  x509Enrollment(env.emu, 'client-pass', device.certificatePem);
  await provision('client-pass', { kind: 'x509', certificate: device.certificatePem, privateKey: encrypted, passphrase: 'open sesame' });
  const e = await refused(provision('client-pass', { kind: 'x509', certificate: device.certificatePem, privateKey: encrypted, passphrase: 'wrong' }), 'credential', /passphrase/);
  assert.ok(!e.message.includes('open sesame'));
});

void test('custom allocation: the webhook gets the documented body and payload, its hub, twin and payload are used; a failing webhook fails the registration', async () => {
  const key = symmetricEnrollment(env.emu, 'custom-1', {
    allocationPolicy: 'custom', iotHubs: ['hub-1.azure-devices.net', 'hub-2.azure-devices.net'], customAllocationDefinition: { webhookUrl, apiVersion: '2021-10-01' },
  });
  const result = await provision('custom-1', { kind: 'symmetricKey', key }, { payload: { wants: 'hub-1.azure-devices.net' } });
  assert.equal(result.assignedHub, 'hub-1.azure-devices.net');
  assert.deepEqual(result.payload, { echo: { wants: 'hub-1.azure-devices.net' } });
  const call = webhookCalls.at(-1) ?? {};
  assert.deepEqual(call.linkedHubs, ['hub-1.azure-devices.net', 'hub-2.azure-devices.net']);
  assert.equal((call.individualEnrollment as { registrationId?: string }).registrationId, 'custom-1');
  assert.deepEqual((call.deviceRuntimeContext as Record<string, unknown>).symmetricKey, {});
  assert.deepEqual(env.emu.deviceApi.operations.twinOf('custom-1'), { tags: { chosenBy: 'webhook' } });
  // Reprovision: the webhook moves the device; data migrates by default.
  const moved = await provision('custom-1', { kind: 'symmetricKey', key }, { payload: { wants: 'hub-2.azure-devices.net' } });
  assert.equal(moved.assignedHub, 'hub-2.azure-devices.net');
  assert.equal(moved.substatus, 'deviceDataMigrated');
  const notLinked = await refused(provision('custom-1', { kind: 'symmetricKey', key }, { payload: { wants: 'elsewhere.azure-devices.net' } }), 'failed', /not a linked hub/);
  assert.equal(notLinked.errorCode, 400209);
  const brokenKey = symmetricEnrollment(env.emu, 'custom-broken', { allocationPolicy: 'custom', customAllocationDefinition: { webhookUrl, apiVersion: '2021-10-01' } });
  await refused(provision('custom-broken', { kind: 'symmetricKey', key: brokenKey }), 'failed', /status code: 500/);
});

void test('reprovision policy: reset when data is not migrated, stay put when hub assignment is not updated', async () => {
  const key = symmetricEnrollment(env.emu, 'repro', { allocationPolicy: 'static', iotHubs: ['one.azure-devices.net'], reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: false } });
  await provision('repro', { kind: 'symmetricKey', key });
  const e = env.emu.store.enrollments.require('repro');
  env.emu.store.enrollments.put({ ...e, iotHubs: ['two.azure-devices.net'] });
  assert.equal((await provision('repro', { kind: 'symmetricKey', key })).substatus, 'deviceDataReset');
  env.emu.store.enrollments.put({ ...env.emu.store.enrollments.require('repro'), iotHubs: ['three.azure-devices.net'], reprovisionPolicy: { updateHubAssignment: false, migrateDeviceData: true } });
  assert.equal((await provision('repro', { kind: 'symmetricKey', key })).assignedHub, 'two.azure-devices.net');
});

/** A device's own request to the device API, signed with its key (null: no Authorization). */
async function deviceRequest<T>(emu: TestEmulator['emu'], method: string, path: string, key: string | null, registrationId: string, body?: unknown) {
  const authorization = key === null ? null : await deviceSasToken(emu.idScope, registrationId, keySigner(key));
  return request<T>(emu, { method, path, body, authorization, apiVersion: path.includes('api-version=') ? null : '2021-06-01', skipSpecCheck: true });
}

interface OperationAnswer { operationId: string; status: string; registrationState?: Record<string, unknown> }

void test('the first PUT is a 202 with Retry-After and Location; Location is the operation, and the client waits as Retry-After says', async () => {
  const paced = await startTestEmulator({ device: { retryAfterSeconds: 3, assignDelayMs: 0 } });
  try {
    const key = symmetricEnrollment(paced.emu, 'paced', { iotHubs: ['paced.azure-devices.net'] });
    const scope = paced.emu.idScope;
    const put = await deviceRequest<OperationAnswer>(paced.emu, 'PUT', `/${scope}/registrations/paced/register`, key, 'paced', { registrationId: 'paced' });
    assert.equal(put.status, 202, put.text);
    assert.equal(put.body.status, 'assigning');
    assert.equal(put.headers['retry-after'], '3');
    assert.equal(put.headers.location, `/${scope}/registrations/paced/operations/${put.body.operationId}?api-version=2021-06-01`);
    // Following Location is polling that operation, until it settles.
    let op = await deviceRequest<OperationAnswer>(paced.emu, 'GET', put.headers.location ?? '', key, 'paced');
    while (op.status === 202) {
      assert.equal(op.headers['retry-after'], '3', 'every 202 says how long to wait');
      op = await deviceRequest<OperationAnswer>(paced.emu, 'GET', put.headers.location ?? '', key, 'paced');
    }
    assert.equal(op.status, 200);
    assert.equal(op.body.operationId, put.body.operationId);
    assert.equal(op.body.registrationState?.assignedHub, 'paced.azure-devices.net');

    const waits: number[] = [];
    const result = await provisionDevice({
      host: paced.emu.hostName, ca: paced.emu.caCertificatePem, idScope: scope, registrationId: 'paced', credential: { kind: 'symmetricKey', key },
      sleep: (ms) => Promise.resolve(void waits.push(ms)),
    });
    assert.equal(result.assignedHub, 'paced.azure-devices.net');
    assert.ok(waits.length >= 1, 'the client waited before polling');
    assert.deepEqual(new Set(waits), new Set([3000]), 'each wait is the Retry-After the emulator sent');
  } finally {
    await paced.dispose();
  }
});

void test('status lookup (POST /{idScope}/registrations/{id}): an assigned device reads its DeviceRegistrationResult', async () => {
  const key = symmetricEnrollment(env.emu, 'lookup-single', { iotHubs: ['lookup.azure-devices.net'] });
  const provisioned = await provision('lookup-single', { kind: 'symmetricKey', key });
  const lookup = await deviceRequest<Record<string, unknown>>(env.emu, 'POST', `/${env.emu.idScope}/registrations/lookup-single`, key, 'lookup-single', { registrationId: 'lookup-single' });
  assert.equal(lookup.status, 200, lookup.text);
  assert.equal(lookup.body.registrationId, 'lookup-single');
  assert.equal(lookup.body.status, 'assigned');
  assert.equal(lookup.body.assignedHub, 'lookup.azure-devices.net');
  assert.equal(lookup.body.deviceId, provisioned.deviceId);
  assert.equal(lookup.body.substatus, 'initialAssignment');
  assert.equal(lookup.body.etag, provisioned.etag, 'the same registration the operation settled');
  assert.deepEqual(lookup.body.symmetricKey, {}, 'how the device attested, as in the operation result');

  // A group member: the lookup names its group.
  const groupKey = symmetricGroup(env.emu, 'lookup-group', { iotHubs: ['lookup.azure-devices.net'] });
  await provision('lookup-member', { kind: 'groupKey', groupKey });
  const member = await deviceRequest<Record<string, unknown>>(env.emu, 'POST', `/${env.emu.idScope}/registrations/lookup-member`, deriveDeviceKey(groupKey, 'lookup-member'), 'lookup-member');
  assert.equal(member.status, 200, member.text);
  assert.deepEqual(member.body.symmetricKey, { enrollmentGroupId: 'lookup-group' });
});

void test('status lookup: a registration never made is 404202; a bad or missing credential is 401002', async () => {
  const key = symmetricEnrollment(env.emu, 'lookup-never');
  const path = `/${env.emu.idScope}/registrations/lookup-never`;
  const unknown = await deviceRequest<{ errorCode: number; message: string; trackingId: string }>(env.emu, 'POST', path, key, 'lookup-never');
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.body.errorCode, 404202);
  assert.equal(unknown.headers['x-ms-error-code'], '404202');
  assert.match(unknown.body.message, /Registration 'lookup-never' does not exist/);

  for (const [what, credential] of [['a wrong key', Buffer.alloc(32, 7).toString('base64')], ['no credential', null]] as const) {
    const denied = await deviceRequest<{ errorCode: number; trackingId: string }>(env.emu, 'POST', path, credential, 'lookup-never');
    assert.equal(denied.status, 401, `${what}: ${denied.text}`);
    assert.equal(denied.body.errorCode, 401002, what);
    assert.equal(denied.headers['x-ms-error-code'], '401002', what);
    assert.match(denied.body.trackingId, /^[0-9a-f-]{36}$/, what);
  }
  // Another device's valid key does not read this registration either.
  const provisionedKey = symmetricEnrollment(env.emu, 'lookup-other');
  await provision('lookup-other', { kind: 'symmetricKey', key: provisionedKey });
  const foreign = await deviceRequest(env.emu, 'POST', `/${env.emu.idScope}/registrations/lookup-other`, key, 'lookup-other');
  assert.equal(foreign.status, 401);
});

void test('DER: a device certificate and key as DER bytes provision an X.509 individual enrollment', async () => {
  const { createPrivateKey, X509Certificate } = await import('node:crypto');
  const device = await generateDeviceCertificate({ commonName: 'client-der', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  x509Enrollment(env.emu, 'client-der', device.certificatePem);
  const certificateDer = new Uint8Array(new X509Certificate(device.certificatePem).raw);
  const keyDer = new Uint8Array(createPrivateKey(device.privateKeyPem).export({ format: 'der', type: 'pkcs8' }));
  const result = await provision('client-der', { kind: 'x509', certificate: certificateDer, privateKey: keyDer });
  assert.equal(result.deviceId, 'client-der');
  assert.equal(env.emu.store.getRegistration('client-der')?.state.status, 'assigned');
  // A SEC1 ("EC PRIVATE KEY") DER key, as openssl ec -outform DER writes it, works too.
  const sec1 = new Uint8Array(createPrivateKey(device.privateKeyPem).export({ format: 'der', type: 'sec1' }));
  assert.equal((await provision('client-der', { kind: 'x509', certificate: certificateDer, privateKey: sec1 })).deviceId, 'client-der');
  // Bytes that are no certificate are a credential error before anything is sent.
  await refused(provision('client-der', { kind: 'x509', certificate: keyDer, privateKey: keyDer }), 'credential', /device certificate or key cannot be used: .*is a private key, not a certificate/);
  await refused(provision('client-der', { kind: 'x509', certificate: certificateDer, privateKey: certificateDer }), 'credential', /No private key found where the device's private key was expected/);
  // So is a key of another certificate (TLS itself would only say "key values mismatch").
  const other = await generateDeviceCertificate({ commonName: 'client-der', key: 'ecdsa-p256', issuer: { certificate: chain.intermediate.certificatePem, privateKey: chain.intermediate.privateKeyPem } });
  await refused(provision('client-der', { kind: 'x509', certificate: certificateDer, privateKey: other.privateKeyPem }), 'credential', /private key does not belong to the device certificate/);
});

void test('TPM with a software TPM: challenge, ActivateCredential, SAS; a wrong TPM answer is refused', async () => {
  for (const type of ['rsa', 'ecc'] as const) {
    const tpm = new SoftwareTpm(type);
    const id = `client-tpm-${type}`;
    env.emu.store.enrollments.put({ registrationId: id, attestation: { type: 'tpm', tpm: { endorsementKey: tpm.ekPublic.toString('base64') } } });
    const result = await provision(id, { kind: 'tpm', tpm });
    assert.equal(result.deviceId, id);
  }
  const honest = new SoftwareTpm('rsa');
  env.emu.store.enrollments.put({ registrationId: 'client-tpm-liar', attestation: { type: 'tpm', tpm: { endorsementKey: honest.ekPublic.toString('base64') } } });
  const liar = Object.assign(Object.create(honest) as SoftwareTpm, { sign: () => Promise.resolve(Buffer.alloc(32, 9)) });
  await refused(provision('client-tpm-liar', { kind: 'tpm', tpm: liar }), 'unauthorized', /last TPM challenge/);
  const stranger = new SoftwareTpm('rsa');
  await refused(provision('client-tpm-liar', { kind: 'tpm', tpm: stranger }), 'unauthorized', /endorsement key does not match/);
});

void test('TPM with swtpm over tpm2-tools', { skip: swtpmAvailable() ? false : SWTPM_MISSING }, async () => {
  const swtpm = await startSwtpm();
  assert.ok(swtpm);
  try {
    const tpm = new Tpm2ToolsTpm({ tcti: swtpm.tcti });
    env.emu.store.enrollments.put({ registrationId: 'swtpm-device', attestation: { type: 'tpm', tpm: { endorsementKey: (await tpm.getEndorsementKey()).toString('base64') } } });
    const result = await provision('swtpm-device', { kind: 'tpm', tpm });
    assert.equal(result.deviceId, 'swtpm-device');
    assert.equal(result.status, 'assigned');
  } finally {
    await swtpm.stop();
  }
});

void test('cancellation stops polling with a cancelled error', async () => {
  const slow = await startTestEmulator({ device: { retryAfterSeconds: 1, assignDelayMs: 60_000 } });
  try {
    const key = symmetricEnrollment(slow.emu, 'slow');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      provisionDevice({ host: slow.emu.hostName, ca: slow.emu.caCertificatePem, idScope: slow.emu.idScope, registrationId: 'slow', credential: { kind: 'symmetricKey', key }, signal: controller.signal }),
      (e: unknown) => e instanceof DeviceProvisioningError && e.kind === 'cancelled',
    );
    await assert.rejects(
      provisionDevice({ host: slow.emu.hostName, ca: slow.emu.caCertificatePem, idScope: slow.emu.idScope, registrationId: 'slow', credential: { kind: 'symmetricKey', key }, timeoutMs: 500 }),
      (e: unknown) => e instanceof DeviceProvisioningError && e.kind === 'timeout',
    );
  } finally {
    await slow.dispose();
  }
});

void test('hostile or malformed device requests get a 4xx with the error shape, and the emulator stays healthy', async () => {
  const scope = env.emu.idScope;
  const cases: Array<[EmulatorRequest, number]> = [
    [{ method: 'PUT', path: `/${scope}/registrations/a%ZZ/register`, authorization: null }, 400],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: null, apiVersion: '1999-01-01' }, 400],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: null, rawBody: '{not json' }, 400],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: null, body: { registrationId: 'other' } }, 400],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: null, body: { tpm: { endorsementKey: 5 } } }, 400],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: null, body: { tpm: { endorsementKey: 'AAAA' } } }, 401],
    [{ method: 'PUT', path: `/${scope}/registrations/ok/register`, authorization: 'SharedAccessSignature garbage' }, 401],
    [{ method: 'DELETE', path: `/${scope}/registrations/ok/register`, authorization: null }, 405],
    [{ method: 'GET', path: `/${scope}/registrations/ok/operations/nope`, authorization: null }, 401],
  ];
  for (const [req, status] of cases) {
    const res = await request<{ errorCode?: number; trackingId?: string }>(env.emu, { apiVersion: '2021-06-01', skipSpecCheck: true, ...req });
    assert.equal(res.status, status, `${req.method} ${req.path} ${res.text}`);
    assert.equal(String(res.body.errorCode), res.headers['x-ms-error-code']);
    assert.ok(String(res.body.errorCode).startsWith(String(status)));
  }
  const key = symmetricEnrollment(env.emu, 'still-healthy');
  assert.equal((await provision('still-healthy', { kind: 'symmetricKey', key })).status, 'assigned');
});
