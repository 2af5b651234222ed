// Service api-versions 2021-10-01 and 2026-11-01 against the emulator: the ADR certificate-policy
// reference (all-or-none, name rules, namespace link), 2021 refusing 2026 fields by name, unknown
// fields surviving, bodies valid against the matching spec, and CSR issuance end to end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { deriveDeviceKey } from '../../src/attestation/symmetricKey';
import { createCsr } from '../../src/device/csr';
import { deviceSasToken, keySigner } from '../../src/device/sas';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { DpsError } from '../../src/dps/errors';
import { runBulk } from '../../src/dps/bulk';
import type { IndividualEnrollment } from '../../src/dps/models';
import type { ObservedRequest } from '../../src/emulator/server';
import { provisionDevice } from '../../src/device/client';
import { DeviceProvisioningError } from '../../src/device/errors';
import { chainPem, writeIssuedCertificate } from '../../src/device/csr';
import { certificateFacts } from '../../src/attestation';
import { request, startTestEmulator, type TestEmulator } from '../support/emulator';
import { symmetricEnrollment, symmetricGroup } from '../support/deviceEnrollments';
import { specValidator } from '../support/spec';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
const observed: ObservedRequest[] = [];
let linked: TestEmulator;
let unlinked: TestEmulator;
let v2026: DpsClient;
let v2021: DpsClient;

const sym = (registrationId: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment => ({ registrationId, attestation: { type: 'symmetricKey' }, ...extra });

async function refusal(promise: Promise<unknown>): Promise<DpsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DpsError, `expected a DpsError, got ${String(error)}`);
  return error;
}

before(async () => {
  linked = await startTestEmulator({ seed: 'none', adr: { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }] }, observe: (r) => observed.push(r) });
  unlinked = await startTestEmulator({ seed: 'none' });
  v2026 = DpsClient.fromConnectionString(linked.emu.connectionString, { ca: linked.emu.caCertificatePem, apiVersion: '2026-11-01', retry: { maxAttempts: 1 } });
  v2021 = DpsClient.fromConnectionString(linked.emu.connectionString, { ca: linked.emu.caCertificatePem, retry: { maxAttempts: 1 } });
});

after(async () => {
  v2026.dispose();
  v2021.dispose();
  await linked.dispose();
  await unlinked.dispose();
});

void describe('service api-versions', () => {
  void test('2026-11-01: the reference round-trips with an unknown field, for enrollments and (bulk) groups', async () => {
    const created = await v2026.createOrUpdateEnrollment(sym('ref-1', { ...POLICY, futureField: { kept: true } }));
    assert.equal(created.certificatePolicyName, 'device-certs');
    const read = await v2026.getEnrollment('ref-1');
    const updated = await v2026.createOrUpdateEnrollment({ ...read, provisioningStatus: 'disabled' }, { ifMatch: read.etag });
    assert.deepEqual(updated.futureField, { kept: true }, 'unknown fields survive a read-modify-write');
    assert.equal(updated.namespaceName, 'adr-ns');
    const report = await runBulk({ client: v2026, kind: 'group', mode: 'create', items: [{ enrollmentGroupId: 'grp-ref', attestation: { type: 'symmetricKey' }, ...POLICY, futureField: 1 }], operationsPerMinute: 60_000 });
    assert.equal(report.counts.done, 1);
    const group = await v2026.getEnrollmentGroup('grp-ref');
    assert.equal(group.certificateAuthorityName, 'ca1');
    assert.equal(group.futureField, 1);
  });

  void test('2021-10-01 refuses the 2026 fields by name; its reads leave them out', async () => {
    const error = await refusal(v2021.createOrUpdateEnrollment(sym('old-1', POLICY)));
    assert.equal(error.status, 400);
    assert.match(error.message, /api-version 2021-10-01 does not accept 'namespaceName'/);
    assert.match(error.message, /not part of api-version 2021-10-01/, 'the emulator names field and version too');
    const bulk = await refusal(v2021.runEnrollmentBulk('create', [sym('old-2', POLICY)]));
    assert.match(bulk.message, /certificatePolicyName/);
    const seen = await v2021.getEnrollment('ref-1');
    assert.equal(seen.namespaceName, undefined, '2021-10-01 callers do not see the reference');
    assert.deepEqual(seen.futureField, { kept: true });
  });

  void test('all three or none; name rules; an unknown policy', async () => {
    const partial = await refusal(v2026.createOrUpdateEnrollment(sym('p-1', { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1' })));
    assert.match(partial.message, /together; certificatePolicyName is missing/);
    const upper = await refusal(v2026.createOrUpdateEnrollment(sym('p-2', { ...POLICY, namespaceName: 'ADR-NS' })));
    assert.match(upper.message, /namespaceName 'ADR-NS' must contain only lower-case/);
    const short = await refusal(v2026.createOrUpdateEnrollment(sym('p-3', { ...POLICY, certificatePolicyName: 'ab' })));
    assert.match(short.message, /certificatePolicyName must be 3 to 63 characters long; got 2/);
    const dash = await refusal(v2026.createOrUpdateEnrollment(sym('p-4', { ...POLICY, certificateAuthorityName: '-ca' })));
    assert.match(dash.message, /certificateAuthorityName '-ca'/);
    const unknown = await refusal(v2026.createOrUpdateEnrollment(sym('p-5', { ...POLICY, certificatePolicyName: 'other' })));
    assert.match(unknown.message, /no certificate policy 'other' under certificate authority 'ca1'/);
    assert.ok([partial, upper, short, dash, unknown].every((e) => e.status === 400));
  });

  void test('an instance not linked to a namespace answers 400 / 400004', async () => {
    const client = DpsClient.fromConnectionString(unlinked.emu.connectionString, { ca: unlinked.emu.caCertificatePem, apiVersion: '2026-11-01', retry: { maxAttempts: 1 } });
    try {
      const error = await refusal(client.createOrUpdateEnrollment(sym('n-1', POLICY)));
      assert.equal(error.status, 400);
      assert.equal(error.errorCode, 400004);
      assert.match(error.message, /^A Device Registry Namespace is required/);
      await client.createOrUpdateEnrollment(sym('n-2')); // without a reference it is fine
    } finally {
      client.dispose();
    }
  });

  void test('other api-versions are refused with the api-version error', async () => {
    const response = await request(linked.emu, { method: 'GET', path: '/enrollments/ref-1', apiVersion: '2025-07-01-preview', skipSpecCheck: true });
    assert.equal(response.status, 400);
    assert.equal((response.body as { errorCode: number }).errorCode, 400002);
    assert.match((response.body as { message: string }).message, /2021-10-01 or 2026-11-01/);
  });
});

const spec2026 = specValidator('2026-11-01');
void test('2026-11-01 request bodies and responses validate against the 2026-11-01 spec', { skip: spec2026 === undefined ? '../shared/dps/spec/stable/2026-11-01 is absent' : false }, async () => {
  // Only this test's requests: the validation tests send deliberately bad names.
  const from = observed.length;
  const created = await v2026.createOrUpdateEnrollment(sym('spec-26', POLICY));
  await v2026.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'spec-26-group', attestation: { type: 'symmetricKey' }, ...POLICY });
  await v2026.runEnrollmentBulk('create', [sym('spec-26-bulk', POLICY)]);
  assert.deepEqual(spec2026?.validateResponse('IndividualEnrollment_CreateOrUpdate', 200, created), []);
  const page = await v2026.queryEnrollments({ pageSize: 10 });
  assert.deepEqual(spec2026?.validateResponse('IndividualEnrollment_Query', 200, page.items), []);
  const problems = observed.slice(from).filter((r) => r.body !== undefined).flatMap((r) => spec2026?.validateRequest(r.operationId, r.body).map((e) => `${r.operationId}: ${e}`) ?? []);
  assert.deepEqual(problems, []);
  // The check can fail: a name breaking the spec's pattern is caught.
  assert.ok((spec2026?.validateRequest('IndividualEnrollment_CreateOrUpdate', sym('x', { ...POLICY, namespaceName: 'BAD' })) ?? []).length > 0);
});

void describe('CSR issuance (device api-version 2026-11-01)', () => {
  const device = (registrationId: string, key: string, requestCertificate = true) =>
    provisionDevice({ host: linked.emu.hostName, ca: linked.emu.caCertificatePem, idScope: linked.emu.idScope, registrationId, credential: { kind: 'symmetricKey', key }, requestCertificate });

  void test('an enrollment with a policy gets a P-384 leaf for its registration id that verifies to the emulator CA', async (t) => {
    const key = symmetricEnrollment(linked.emu, 'csr-dev-1', POLICY);
    const result = await device('csr-dev-1', key);
    const issued = result.issuedCertificate;
    assert.ok(issued !== undefined);
    assert.equal(issued.chain.length, 2, 'leaf and root');
    assert.ok(!JSON.stringify(result).includes('PRIVATE KEY'), 'the key is not serialised');
    const leaf = new X509Certificate(Buffer.from(issued.chain[0], 'base64'));
    const root = new X509Certificate(Buffer.from(issued.chain[1], 'base64'));
    const facts = certificateFacts(leaf);
    assert.equal(facts.commonName, 'csr-dev-1');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.ok(leaf.verify(root.publicKey));
    assert.equal(root.toString(), new X509Certificate(await linked.emu.certificateIssuer?.rootPem('ca1') ?? '').toString());
    assert.ok(leaf.checkPrivateKey(createPrivateKey(issued.privateKeyPem)), 'the returned key matches the leaf');

    const dir = mkdtempSync(join(tmpdir(), 'csr-'));
    try {
      const files = await writeIssuedCertificate(join(dir, 'csr-dev-1'), issued);
      assert.equal(statSync(files.keyPath).mode & 0o777, 0o600);
      assert.equal(readFileSync(files.certificatePath, 'utf8'), chainPem(issued.chain));
      let openssl = true;
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
      } catch {
        openssl = false;
      }
      if (openssl) {
        writeFileSync(join(dir, 'root.pem'), root.toString());
        writeFileSync(join(dir, 'leaf.pem'), leaf.toString());
        const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
        assert.match(out, /leaf\.pem: OK/);
      } else {
        t.diagnostic('openssl was not found: the chain was verified with node:crypto only');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The status lookup never carries the chain (device.json).
    const lookup = await request(linked.emu, { method: 'GET', path: '/registrations/csr-dev-1', skipSpecCheck: true });
    assert.equal((lookup.body as Record<string, unknown>).issuedCertificateChain, undefined);
  });

  void test('a group member with the group policy gets one too', async () => {
    const groupKey = symmetricGroup(linked.emu, 'csr-group', POLICY);
    const result = await device('csr-member-1', deriveDeviceKey(groupKey, 'csr-member-1'));
    assert.equal(certificateFacts(new X509Certificate(Buffer.from(result.issuedCertificate?.chain[0] ?? '', 'base64'))).commonName, 'csr-member-1');
  });

  void test('refused: no policy on the enrollment, CN not the registration id, bad signature, csr on an older version', async () => {
    const noPolicy = symmetricEnrollment(linked.emu, 'csr-none');
    const refused = await device('csr-none', noPolicy).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof DeviceProvisioningError);
    assert.match(refused.message, /references no certificate policy/);
    assert.equal(refused.status, 400);

    const key = symmetricEnrollment(linked.emu, 'csr-raw', POLICY);
    const put = async (csr: string, apiVersion = '2026-11-01') =>
      request(linked.emu, {
        method: 'PUT', path: `/${linked.emu.idScope}/registrations/csr-raw/register`, apiVersion, skipSpecCheck: true,
        authorization: await deviceSasToken(linked.emu.idScope, 'csr-raw', keySigner(key)), body: { registrationId: 'csr-raw', csr },
      });
    const otherCn = await createCsr('someone-else');
    const cn = await put(otherCn.csrBase64);
    assert.equal(cn.status, 400);
    assert.match((cn.body as { message: string }).message, /CN=someone-else\) must be the registration id 'csr-raw'/);
    const good = Buffer.from((await createCsr('csr-raw')).csrBase64, 'base64');
    good[good.length - 5] ^= 0xff; // inside the signature
    const badSig = await put(good.toString('base64'));
    assert.equal(badSig.status, 400);
    assert.match((badSig.body as { message: string }).message, /signature does not verify|not a DER PKCS#10/);
    const old = await put((await createCsr('csr-raw')).csrBase64, '2021-06-01');
    assert.equal(old.status, 400);
    assert.match((old.body as { message: string }).message, /csr is not part of device api-version 2021-06-01/);
    const garbage = await put('%%%');
    assert.equal(garbage.status, 400);
    // The emulator stays healthy.
    assert.equal((await request(linked.emu, { method: 'GET', path: '/enrollments/ref-1' })).status, 200);
  });
});
