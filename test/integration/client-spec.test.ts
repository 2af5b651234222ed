// Spec conformance of the client's requests: the emulator hands every authenticated request to an observer,
// and each body the client sends must validate against the body schema of its operation in the 2021-10-01
// spec. This test reads ../shared/dps/spec (present in development and CI, never on a user's machine) and
// skips itself when it is absent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsClient } from '../../src/dps/client';
import { runBulk } from '../../src/dps/bulk';
import type { ObservedRequest } from '../../src/emulator/server';
import {
  buildCaReferencesAttestation, buildSymmetricKeyAttestation, buildTpmAttestation,
  buildX509GroupAttestation, buildX509IndividualAttestation, generateTestChain,
} from '../../src/attestation';
import type { AttestationMechanism, EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import { startTestEmulator, type TestEmulator } from '../support/emulator';
import { specValidator } from '../support/spec';
import { rsaEndorsementKey } from '../support/attestation';

const spec = specValidator();
const observed: ObservedRequest[] = [];
let emulator: TestEmulator;
let client: DpsClient;

function attested(result: { ok: boolean; attestation?: AttestationMechanism }): AttestationMechanism {
  assert.ok(result.ok && result.attestation, 'builder succeeded');
  return result.attestation;
}

before(async () => {
  emulator = await startTestEmulator({ seed: 'none', observe: (r) => observed.push(r) });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
});

after(async () => {
  client.dispose();
  await emulator.dispose();
});

void describe('every request body the client sends validates against the spec', { skip: spec === undefined ? '../shared/dps/spec is absent' : false }, () => {
  void test('CRUD of every attestation kind, queries, bulk of both kinds, registration states', async () => {
    const chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'spec-x509-device' });
    const full: IndividualEnrollment = {
      registrationId: 'spec-x509-device',
      deviceId: 'spec-device',
      attestation: attested(buildX509IndividualAttestation({ primaryCertificate: chain.device.certificatePem })),
      capabilities: { iotEdge: true },
      initialTwin: { tags: { site: 'lab' }, properties: { desired: { interval: 30 } } },
      provisioningStatus: 'disabled',
      reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: false },
      allocationPolicy: 'custom',
      iotHubs: ['hub-a.azure-devices.net'],
      customAllocationDefinition: { webhookUrl: 'https://example.invalid/api/allocate', apiVersion: '2021-10-01' },
    };
    const created = await client.createOrUpdateEnrollment(full);
    await client.createOrUpdateEnrollment({ ...created, provisioningStatus: 'enabled' }, { ifMatch: created.etag });
    await client.createOrUpdateEnrollment({ registrationId: 'spec-tpm', attestation: attested(buildTpmAttestation({ endorsementKey: rsaEndorsementKey().toString('base64') })) });
    await client.createOrUpdateEnrollment({ registrationId: 'spec-sym', attestation: attested(buildSymmetricKeyAttestation()) });
    const groups: EnrollmentGroup[] = [
      { enrollmentGroupId: 'spec-group-x509', attestation: attested(buildX509GroupAttestation({ primaryCertificate: chain.root.certificatePem })) },
      { enrollmentGroupId: 'spec-group-ca', attestation: attested(buildCaReferencesAttestation({ primaryCaName: 'my-ca' })) },
      { enrollmentGroupId: 'spec-group-sym', attestation: attested(buildSymmetricKeyAttestation()) },
    ];
    for (const g of groups) await client.createOrUpdateEnrollmentGroup(g);
    for await (const _page of client.listEnrollments({ pageSize: 2 })) { /* drain */ }
    for await (const _page of client.listEnrollmentGroups({ pageSize: 2 })) { /* drain */ }
    for await (const _page of client.listRegistrationStates('spec-group-sym', { pageSize: 2 })) { /* drain */ }
    await client.getEnrollmentAttestation('spec-sym');
    await client.getEnrollmentGroupAttestation('spec-group-sym');
    const bulkItems = Array.from({ length: 12 }, (_, i) => ({ registrationId: `spec-bulk-${i}`, attestation: attested(buildSymmetricKeyAttestation()) }));
    await runBulk({ client, kind: 'enrollment', mode: 'create', items: bulkItems, operationsPerMinute: 60_000 });
    await runBulk({ client, kind: 'group', mode: 'update', items: groups, operationsPerMinute: 60_000 });
    await runBulk({ client, kind: 'enrollment', mode: 'delete', items: bulkItems, operationsPerMinute: 60_000 });
    await client.deleteEnrollment('spec-tpm');
    await client.deleteEnrollmentGroup('spec-group-ca');

    const seen = new Set(observed.map((r) => r.operationId));
    for (const op of ['IndividualEnrollment_CreateOrUpdate', 'EnrollmentGroup_CreateOrUpdate', 'IndividualEnrollment_Query',
      'EnrollmentGroup_Query', 'DeviceRegistrationState_Query', 'IndividualEnrollment_RunBulkOperation', 'EnrollmentGroup_RunBulkOperation',
      'IndividualEnrollment_GetAttestationMechanism', 'EnrollmentGroup_GetAttestationMechanism', 'IndividualEnrollment_Delete']) {
      assert.ok(seen.has(op), `${op} was exercised`);
    }
    const problems = observed.flatMap((r) => spec?.validateRequest(r.operationId, r.body).map((e) => `${r.operationId}: ${e}`) ?? []);
    assert.deepEqual(problems, []);
  });

  void test('the check itself catches a body that breaks the schema', () => {
    const errors = spec?.validateRequest('IndividualEnrollment_CreateOrUpdate', { registrationId: 'x', attestation: { type: 'x509', x509: { clientCertificates: 'not-an-object' } } }) ?? [];
    assert.ok(errors.length > 0);
  });
});
