// Every ARM call and the Entra data plane against the emulator over real HTTPS: tokens from its
// issuer, Reader versus Contributor, the one-step CA verification with RSA and ECDSA CAs, an
// encrypted key, a wrong key and an expired CA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import * as https from 'node:https';
import { ArmClient, ArmError, CaVerificationError, linkedHubsOf, verifyCaCertificate } from '../../src/azure';
import { generateDeviceCertificate, generateRootCertificate, generateVerificationCertificate } from '../../src/attestation/generate';
import { provisionDevice } from '../../src/device/client';
import { DeviceProvisioningError } from '../../src/device/errors';
import { AttestationError } from '../../src/attestation';
import { DpsClient } from '../../src/dps/client';
import { DpsError } from '../../src/dps/errors';
import type { AccessToken } from '../../src/dps/auth';
import { startTestEmulator, type TestEmulator } from '../support/emulator';

let t: TestEmulator;
const DPS_SCOPE = 'https://azure-devices-provisioning.net/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(`${t.emu.url}${path}`, { method: 'POST', ca: t.emu.caCertificatePem, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The test account's token source, over the emulator's documented endpoint. */
function tokens(scope: string, role: 'contributor' | 'reader' = 'contributor', lifetimeSeconds?: number) {
  return async (): Promise<AccessToken> => {
    const r = await post('/_emulator/token', { scope, role, lifetimeSeconds });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { token: String(r.body.token), expiresOnTimestamp: Number(r.body.expiresOnTimestamp) };
  };
}

const arm = (role: 'contributor' | 'reader' = 'contributor') => new ArmClient({ endpoint: t.emu.url, tokenProvider: tokens(ARM_SCOPE, role), ca: t.emu.caCertificatePem });
const dps = (role: 'contributor' | 'reader' = 'contributor', scope = DPS_SCOPE) =>
  DpsClient.withTokenProvider(t.emu.hostName, tokens(scope, role), { ca: t.emu.caCertificatePem, retry: { maxAttempts: 1 } });

before(async () => {
  t = await startTestEmulator({ arm: { linkedHubs: [{ hostName: 'hub-b.azure-devices.net', allocationWeight: 3 }, { hostName: 'hub-a.azure-devices.net', location: 'westeurope' }], idScope: '0ne0000TEST' } });
});
after(async () => t.dispose());

void describe('token endpoint', () => {
  void test('refuses unknown scopes, roles and bad JSON with 400', async () => {
    assert.equal((await post('/_emulator/token', { scope: 'https://graph.microsoft.com/.default' })).status, 400);
    assert.equal((await post('/_emulator/token', { scope: DPS_SCOPE, role: 'owner' })).status, 400);
    assert.equal((await post('/_emulator/token', { scope: DPS_SCOPE, lifetimeSeconds: 'x' })).status, 400);
    const missing = await post('/_emulator/token', {});
    assert.equal(missing.status, 400);
    assert.match(String((missing.body.error as { message: string }).message), /scope is required/);
  });
});

void describe('ARM against the emulator', () => {
  void test('subscriptions, instances, the instance, linked hubs and ID scope', async () => {
    const client = arm();
    const [sub] = await client.listSubscriptions();
    const [instance] = await client.listProvisioningServices(sub.subscriptionId);
    assert.equal(instance.serviceHostName, t.emu.hostName);
    assert.equal(instance.idScope, '0ne0000TEST');
    assert.equal(instance.id.toLowerCase(), t.emu.armResourceId.toLowerCase());
    const same = await client.getProvisioningService(instance.id);
    assert.deepEqual(same.linkedHubs.map((h) => [h.hostName, h.allocationWeight]), [['hub-b.azure-devices.net', 3], ['hub-a.azure-devices.net', 1]]);
    assert.deepEqual((await linkedHubsOf(client, instance.id)).map((h) => h.hostName), ['hub-a.azure-devices.net', 'hub-b.azure-devices.net']);
    await assert.rejects(client.listProvisioningServices('11111111-1111-4111-8111-111111111111'), (e: unknown) => e instanceof ArmError && e.status === 404 && e.code === 'SubscriptionNotFound');
    await assert.rejects(client.getProvisioningService(instance.id.replace(/[^/]+$/, 'other')), (e: unknown) => e instanceof ArmError && e.code === 'ResourceNotFound');
    client.dispose();
  });

  void test('listkeys gives a key that works as a SAS connection', async () => {
    const client = arm();
    const keys = await client.listKeysForKeyName(t.emu.armResourceId, 'provisioningserviceowner');
    const sas = DpsClient.fromConnectionString(`HostName=${t.emu.hostName};SharedAccessKeyName=${keys.keyName};SharedAccessKey=${keys.primaryKey}`, { ca: t.emu.caCertificatePem });
    const page = await sas.queryEnrollments();
    assert.ok(Array.isArray(page.items));
    await assert.rejects(client.listKeysForKeyName(t.emu.armResourceId, 'nope'), (e: unknown) => e instanceof ArmError && e.status === 404);
    sas.dispose();
    client.dispose();
  });

  void test('a Reader reads but cannot list keys or upload (403 AuthorizationFailed); a DPS token is refused by ARM (401)', async () => {
    const reader = arm('reader');
    await reader.listCertificates(t.emu.armResourceId);
    await assert.rejects(reader.listKeysForKeyName(t.emu.armResourceId, 'provisioningserviceowner'), (e: unknown) => e instanceof ArmError && e.status === 403 && e.code === 'AuthorizationFailed');
    const ca = await generateRootCertificate({ commonName: 'Reader CA' });
    await assert.rejects(reader.createOrUpdateCertificate(t.emu.armResourceId, 'reader-ca', ca.certificatePem), (e: unknown) => e instanceof ArmError && e.status === 403);
    const wrongAudience = new ArmClient({ endpoint: t.emu.url, tokenProvider: tokens(DPS_SCOPE), ca: t.emu.caCertificatePem });
    await assert.rejects(wrongAudience.listSubscriptions(), (e: unknown) => e instanceof ArmError && e.status === 401 && /audience/.test(e.message));
    reader.dispose();
    wrongAudience.dispose();
  });

  void test('certificates: upload, get, stale etag 412, code, proof, verify, delete', async () => {
    const client = arm();
    const id = t.emu.armResourceId;
    const ca = await generateRootCertificate({ commonName: 'Step CA', key: 'rsa-2048' });
    const uploaded = await client.createOrUpdateCertificate(id, 'step-ca', ca.certificatePem);
    assert.equal(uploaded.isVerified, false);
    assert.equal(uploaded.thumbprint, ca.facts.sha1Thumbprint);
    assert.ok((await client.listCertificates(id)).some((c) => c.name === 'step-ca'));
    await assert.rejects(client.generateVerificationCode(id, 'step-ca', 'stale'), (e: unknown) => e instanceof ArmError && e.status === 412);
    const code = await client.generateVerificationCode(id, 'step-ca', uploaded.etag ?? '');
    assert.match(code.verificationCode, /^[0-9A-F]{48}$/);
    // A proof signed by another CA's key, or with another CN, is refused.
    const other = await generateRootCertificate({ commonName: 'Other CA' });
    const forged = await generateVerificationCertificate({ verificationCode: code.verificationCode, caCertificate: other.certificatePem, caPrivateKey: other.privateKeyPem });
    await assert.rejects(client.verifyCertificate(id, 'step-ca', code.etag ?? '', forged.certificatePem), (e: unknown) => e instanceof ArmError && e.status === 400 && /not signed by this CA/.test(e.message));
    const wrongCn = await generateVerificationCertificate({ verificationCode: 'ABC', caCertificate: ca.certificatePem, caPrivateKey: ca.privateKeyPem });
    await assert.rejects(client.verifyCertificate(id, 'step-ca', code.etag ?? '', wrongCn.certificatePem), /does not match the current verification code/);
    const proof = await generateVerificationCertificate({ verificationCode: code.verificationCode, caCertificate: ca.certificatePem, caPrivateKey: ca.privateKeyPem });
    const verified = await client.verifyCertificate(id, 'step-ca', code.etag ?? '', proof.certificatePem);
    assert.equal(verified.isVerified, true);
    assert.deepEqual(t.emu.caCertificates.verifiedCaCertificates().map((c) => c.name), ['step-ca']);
    await assert.rejects(client.deleteCertificate(id, 'step-ca', 'stale'), (e: unknown) => e instanceof ArmError && e.status === 412);
    await client.deleteCertificate(id, 'step-ca', verified.etag ?? '');
    await assert.rejects(client.getCertificate(id, 'step-ca'), (e: unknown) => e instanceof ArmError && e.status === 404);
    client.dispose();
  });
});

void describe('one-step proof of possession', () => {
  const upload = async (client: ArmClient, name: string, pem: string) => client.createOrUpdateCertificate(t.emu.armResourceId, name, pem);

  for (const key of ['rsa-2048', 'ecdsa-p256', 'ecdsa-p384'] as const) {
    void test(`verifies a ${key} CA`, async () => {
      const client = arm();
      const ca = await generateRootCertificate({ commonName: `PoP ${key}`, key });
      await upload(client, `pop-${key}`, ca.certificatePem);
      const outcome = await verifyCaCertificate(client, t.emu.armResourceId, `pop-${key}`, { caCertificate: ca.certificatePem, caPrivateKey: ca.privateKeyPem });
      assert.equal(outcome.certificate.isVerified, true);
      assert.equal(outcome.changed, true);
      const again = await verifyCaCertificate(client, t.emu.armResourceId, `pop-${key}`, { caCertificate: ca.certificatePem, caPrivateKey: ca.privateKeyPem });
      assert.equal(again.changed, false);
      client.dispose();
    });
  }

  void test('a passphrase-protected key: asked, wrong, right', async () => {
    const client = arm();
    const ca = await generateRootCertificate({ commonName: 'Encrypted CA', key: 'ecdsa-p256' });
    const encrypted = createPrivateKey(ca.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString();
    await upload(client, 'encrypted-ca', ca.certificatePem);
    const input = { caCertificate: ca.certificatePem, caPrivateKey: encrypted };
    await assert.rejects(verifyCaCertificate(client, t.emu.armResourceId, 'encrypted-ca', input), (e: unknown) => e instanceof AttestationError && /Enter its passphrase/.test(e.message));
    await assert.rejects(verifyCaCertificate(client, t.emu.armResourceId, 'encrypted-ca', { ...input, passphrase: 'wrong' }), /passphrase does not decrypt/);
    const outcome = await verifyCaCertificate(client, t.emu.armResourceId, 'encrypted-ca', { ...input, passphrase: 'correct horse' });
    assert.equal(outcome.certificate.isVerified, true);
    client.dispose();
  });

  void test('a key of another CA, a CA file that is not the uploaded one, and an expired CA are refused', async () => {
    const client = arm();
    const ca = await generateRootCertificate({ commonName: 'Right CA' });
    const other = await generateRootCertificate({ commonName: 'Other CA' });
    await upload(client, 'right-ca', ca.certificatePem);
    await assert.rejects(verifyCaCertificate(client, t.emu.armResourceId, 'right-ca', { caCertificate: ca.certificatePem, caPrivateKey: other.privateKeyPem }), /private key does not belong to the CA certificate/);
    assert.equal((await client.getCertificate(t.emu.armResourceId, 'right-ca')).isVerified, false);
    await assert.rejects(verifyCaCertificate(client, t.emu.armResourceId, 'right-ca', { caCertificate: other.certificatePem, caPrivateKey: other.privateKeyPem }), (e: unknown) => e instanceof CaVerificationError && /is not the certificate uploaded as "right-ca"/.test(e.message));

    const expired = await generateRootCertificate({ commonName: 'Expired CA', notBefore: new Date(Date.now() - 20 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    await upload(client, 'expired-ca', expired.certificatePem);
    await assert.rejects(verifyCaCertificate(client, t.emu.armResourceId, 'expired-ca', { caCertificate: expired.certificatePem, caPrivateKey: expired.privateKeyPem }), (e: unknown) => e instanceof CaVerificationError && /expired on/.test(e.message));
    // The emulator refuses it too, whatever a client does.
    const stored = await client.getCertificate(t.emu.armResourceId, 'expired-ca');
    const code = await client.generateVerificationCode(t.emu.armResourceId, 'expired-ca', stored.etag ?? '');
    const proof = await generateVerificationCertificate({ verificationCode: code.verificationCode, caCertificate: expired.certificatePem, caPrivateKey: expired.privateKeyPem });
    await assert.rejects(client.verifyCertificate(t.emu.armResourceId, 'expired-ca', code.etag ?? '', proof.certificatePem), (e: unknown) => e instanceof ArmError && e.code === 'CertificateExpired');
    client.dispose();
  });
});

void describe('Entra on the data plane', () => {
  const enrollment = (id: string) => ({ registrationId: id, attestation: { type: 'symmetricKey' as const } });

  void test('a Contributor writes and reads', async () => {
    const client = dps('contributor');
    const created = await client.createOrUpdateEnrollment(enrollment('entra-dev-1'));
    assert.equal(created.registrationId, 'entra-dev-1');
    assert.equal((await client.getEnrollment('entra-dev-1')).registrationId, 'entra-dev-1');
    await client.deleteEnrollment('entra-dev-1');
    client.dispose();
  });

  void test('a Reader reads; its writes get 403 naming Data Contributor', async () => {
    await dps('contributor').createOrUpdateEnrollment(enrollment('entra-dev-2'));
    const reader = dps('reader');
    assert.equal((await reader.getEnrollment('entra-dev-2')).registrationId, 'entra-dev-2');
    await reader.queryEnrollments();
    for (const write of [() => reader.createOrUpdateEnrollment(enrollment('entra-dev-3')), () => reader.deleteEnrollment('entra-dev-2'), () => reader.runEnrollmentBulk('create', [enrollment('entra-dev-4')])]) {
      await assert.rejects(write(), (e: unknown) => e instanceof DpsError && e.status === 403 && /Device Provisioning Service Data Contributor/.test(e.message));
    }
    await assert.rejects(reader.getEnrollment('entra-dev-3'), (e: unknown) => e instanceof DpsError && e.status === 404);
    reader.dispose();
  });

  void test('tokens for ARM, expired tokens and tampered tokens are 401', async () => {
    const armToken = dps('contributor', ARM_SCOPE);
    await assert.rejects(armToken.queryEnrollments(), (e: unknown) => e instanceof DpsError && e.status === 401 && /audience/.test(e.message));
    armToken.dispose();
    const minted = t.emu.tokenIssuer.mint({ scope: DPS_SCOPE, lifetimeSeconds: -10 });
    // The client itself refuses to send an expired token...
    const expired = DpsClient.withTokenProvider(t.emu.hostName, () => Promise.resolve(minted), { ca: t.emu.caCertificatePem, retry: { maxAttempts: 1 } });
    await assert.rejects(expired.queryEnrollments(), /already expired/);
    // ...and the emulator refuses one sent anyway, as it does a token whose payload was edited.
    const fresh = t.emu.tokenIssuer.mint({ scope: DPS_SCOPE, level: 'reader' });
    const [h, p, s] = fresh.token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { roles: string[] };
    claims.roles = ['Device Provisioning Service Data Contributor'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    for (const [token, reason] of [[minted.token, /expired/], [tampered, /signature/], [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.x`, /algorithm/]] as const) {
      const status = await new Promise<{ code: number; text: string }>((resolve, reject) => {
        const req = https.request(`${t.emu.url}/enrollments/query?api-version=2021-10-01`, { method: 'POST', ca: t.emu.caCertificatePem, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end('{"query":"*"}');
      });
      assert.equal(status.code, 401);
      assert.match(status.text, reason);
      assert.ok(!status.text.includes(token), 'the token is not echoed');
    }
  });
});

void describe('a CA verified over ARM is what the device API trusts', () => {
  void test('a group whose caReferences names it provisions a device signed by it; before verification it does not', async () => {
    const client = arm();
    const ca = await generateRootCertificate({ commonName: 'Fleet CA via ARM', key: 'ecdsa-p256' });
    await client.createOrUpdateCertificate(t.emu.armResourceId, 'fleet-ca', ca.certificatePem);
    await dps().createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'fleet-by-ca', attestation: { type: 'x509', x509: { caReferences: { primary: 'fleet-ca' } } } });
    const device = await generateDeviceCertificate({ commonName: 'fleet-ca-device', key: 'ecdsa-p256', issuer: { certificate: ca.certificatePem, privateKey: ca.privateKeyPem } });
    const provision = () => provisionDevice({
      host: t.emu.hostName, ca: t.emu.caCertificatePem, idScope: t.emu.idScope, registrationId: 'fleet-ca-device',
      credential: { kind: 'x509', certificate: device.certificatePem, privateKey: device.privateKeyPem },
    });
    await assert.rejects(provision(), (e: unknown) => e instanceof DeviceProvisioningError && e.status === 401, 'an uploaded but unverified CA is not trusted');
    await verifyCaCertificate(client, t.emu.armResourceId, 'fleet-ca', { caCertificate: ca.certificatePem, caPrivateKey: ca.privateKeyPem });
    const result = await provision();
    assert.equal(result.status, 'assigned');
    assert.equal(t.emu.store.getRegistration('fleet-ca-device')?.enrollmentGroupId, 'fleet-by-ca');
    client.dispose();
  });

  void test('the ARM instance and the device API share one ID scope', async () => {
    const client = arm();
    const [sub] = await client.listSubscriptions();
    const [instance] = await client.listProvisioningServices(sub?.subscriptionId ?? '');
    assert.equal(instance?.idScope, t.emu.idScope);
    assert.equal(t.emu.idScope, '0ne0000TEST', 'the scope the emulator was started with');
    client.dispose();
  });
});
