// Enrollments as code over every attestation and allocation field, against the emulator: a TPM
// enrollment, X.509 enrollments (one named by its certificate file, one by the thumbprint export
// writes), groups with caReferences and custom allocation. Export plans empty; an edit of each item
// plans as exactly that edit; apply sends it (an X.509 attestation named by thumbprint goes back as
// the service showed it); the file then plans empty again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DpsClient } from '../../src/dps/client';
import { applyPlan, exportDesiredState, formatDesiredState, planDesiredStateFile, type DesiredStateDocument, type Plan } from '../../src/ascode';
import { rsaEndorsementKey, testChain } from '../support/attestation';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';

const FAST = 60_000;
const HUB_A = 'hub-a.azure-devices.net';
const HUB_B = 'hub-b.azure-devices.net';
const REPROVISION = { updateHubAssignment: true, migrateDeviceData: false };
const WEBHOOK = { webhookUrl: 'https://alloc.example.com/api/allocate', apiVersion: '2021-10-01' };

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;
let deviceThumbprint: string;
let otherThumbprint: string;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none' });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem });
  dir = tempDir('ascode-roundtrip-');
  const chain = await testChain('ecdsa-p256', 'x509-file');
  const other = await testChain('ecdsa-p256', 'x509-thumb');
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'device.pem'), chain.device.certificatePem);
  await client.createOrUpdateEnrollment({
    registrationId: 'tpm-1',
    attestation: { type: 'tpm', tpm: { endorsementKey: rsaEndorsementKey().toString('base64') } },
    allocationPolicy: 'hashed', iotHubs: [HUB_A, HUB_B], reprovisionPolicy: REPROVISION,
  });
  await client.createOrUpdateEnrollment({
    registrationId: 'x509-file',
    attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: chain.device.certificatePem } } } },
    allocationPolicy: 'static', iotHubs: [HUB_A],
  });
  await client.createOrUpdateEnrollment({
    registrationId: 'x509-thumb',
    attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: other.device.certificatePem } } } },
    deviceId: 'thumb-device',
  });
  await client.createOrUpdateEnrollmentGroup({
    enrollmentGroupId: 'grp-ca',
    attestation: { type: 'x509', x509: { caReferences: { primary: 'root-ca' } } },
    allocationPolicy: 'custom', customAllocationDefinition: WEBHOOK,
  });
  await client.createOrUpdateEnrollmentGroup({
    enrollmentGroupId: 'grp-geo',
    attestation: { type: 'symmetricKey' },
    allocationPolicy: 'geoLatency', iotHubs: [HUB_A, HUB_B], reprovisionPolicy: REPROVISION,
  });
  const info = async (id: string) => (await client.getEnrollment(id)).attestation?.x509?.clientCertificates?.primary?.info?.sha256Thumbprint ?? '';
  deviceThumbprint = await info('x509-file');
  otherThumbprint = await info('x509-thumb');
});
after(async () => {
  client.dispose();
  await emulator.dispose();
});

const plan = async (path: string): Promise<Plan> => (await planDesiredStateFile(client, path, { prune: false, operationsPerMinute: FAST })).plan;

function write(name: string, doc: DesiredStateDocument): string {
  const path = join(dir, name);
  writeFileSync(path, formatDesiredState(doc));
  return path;
}

const item = (items: Array<Record<string, unknown>>, idField: string, id: string): Record<string, unknown> => {
  const found = items.find((i) => i[idField] === id);
  assert.ok(found, `${id} is in the export`);
  return found;
};

void describe('round trip over every attestation and allocation field', () => {
  void test('the export names each field; planned again, nothing to do', async () => {
    const doc = await exportDesiredState(client, { operationsPerMinute: FAST });
    const tpm = item(doc.enrollments, 'registrationId', 'tpm-1');
    assert.equal((tpm.attestation as { type: string }).type, 'tpm');
    assert.deepEqual([tpm.allocationPolicy, tpm.iotHubs, tpm.reprovisionPolicy], ['hashed', [HUB_A, HUB_B], REPROVISION]);
    assert.deepEqual(item(doc.enrollments, 'registrationId', 'x509-file').attestation, { type: 'x509', certificate: { thumbprint: deviceThumbprint.toUpperCase() } });
    assert.deepEqual(item(doc.enrollmentGroups, 'enrollmentGroupId', 'grp-ca').attestation, { type: 'x509', caReferences: { primary: 'root-ca' } });
    assert.deepEqual(item(doc.enrollmentGroups, 'enrollmentGroupId', 'grp-ca').customAllocationDefinition, WEBHOOK);
    const p = await plan(write('export.dps.json', doc));
    assert.deepEqual(p.counts, { create: 0, update: 0, delete: 0, unchanged: 5 });
  });

  void test('a thumbprint swapped for the certificate\'s file is the same certificate: nothing to do', async () => {
    const doc = await exportDesiredState(client, { operationsPerMinute: FAST });
    item(doc.enrollments, 'registrationId', 'x509-file').attestation = { type: 'x509', certificate: { file: 'certs/device.pem' } };
    const p = await plan(write('by-file.dps.json', doc));
    assert.deepEqual(p.counts, { create: 0, update: 0, delete: 0, unchanged: 5 });
  });

  void test('an edit of each item plans as exactly that edit, applies, and then plans empty', async () => {
    const doc = await exportDesiredState(client, { operationsPerMinute: FAST });
    const tpm = item(doc.enrollments, 'registrationId', 'tpm-1');
    tpm.iotHubs = [HUB_B];
    tpm.reprovisionPolicy = { updateHubAssignment: false, migrateDeviceData: false };
    const byFile = item(doc.enrollments, 'registrationId', 'x509-file');
    byFile.attestation = { type: 'x509', certificate: { file: 'certs/device.pem' } };
    byFile.provisioningStatus = 'disabled';
    const byThumbprint = item(doc.enrollments, 'registrationId', 'x509-thumb');
    byThumbprint.allocationPolicy = 'static';
    byThumbprint.iotHubs = [HUB_A];
    const ca = item(doc.enrollmentGroups, 'enrollmentGroupId', 'grp-ca');
    ca.attestation = { type: 'x509', caReferences: { primary: 'root-ca', secondary: 'backup-ca' } };
    ca.customAllocationDefinition = { ...WEBHOOK, apiVersion: '2022-02-01' };
    const geo = item(doc.enrollmentGroups, 'enrollmentGroupId', 'grp-geo');
    geo.allocationPolicy = 'hashed';
    delete geo.reprovisionPolicy;
    const path = write('edited.dps.json', doc);

    const p = await plan(path);
    assert.deepEqual(p.counts, { create: 0, update: 5, delete: 0, unchanged: 0 });
    // As a saved plan holds them (the file's objects are read without a prototype).
    const changes = JSON.parse(JSON.stringify(Object.fromEntries(p.entries.map((e) => [e.id, e.changes])))) as unknown;
    assert.deepEqual(changes, {
      'grp-ca': [
        { field: 'attestation.caReferences', before: { primary: 'root-ca' }, after: { primary: 'root-ca', secondary: 'backup-ca' } },
        { field: 'customAllocationDefinition', before: WEBHOOK, after: { ...WEBHOOK, apiVersion: '2022-02-01' } },
      ],
      'grp-geo': [
        { field: 'reprovisionPolicy', before: REPROVISION },
        { field: 'allocationPolicy', before: 'geoLatency', after: 'hashed' },
      ],
      'tpm-1': [
        { field: 'reprovisionPolicy', before: REPROVISION, after: { updateHubAssignment: false, migrateDeviceData: false } },
        { field: 'iotHubs', before: [HUB_A, HUB_B], after: [HUB_B] },
      ],
      'x509-file': [{ field: 'provisioningStatus', after: 'disabled' }],
      'x509-thumb': [
        { field: 'allocationPolicy', after: 'static' },
        { field: 'iotHubs', after: [HUB_A] },
      ],
    });

    const report = await applyPlan(client, p, { operationsPerMinute: FAST });
    assert.deepEqual(report.items.filter((i) => i.outcome !== 'done'), [], 'every update is accepted');
    assert.deepEqual(report.counts, { done: 5, failed: 0, notSent: 0 });

    const tpmNow = await client.getEnrollment('tpm-1');
    assert.deepEqual([tpmNow.iotHubs, tpmNow.reprovisionPolicy], [[HUB_B], { updateHubAssignment: false, migrateDeviceData: false }]);
    const fileNow = await client.getEnrollment('x509-file');
    assert.equal(fileNow.provisioningStatus, 'disabled');
    assert.equal(fileNow.attestation?.x509?.clientCertificates?.primary?.info?.sha256Thumbprint, deviceThumbprint);
    // Sent back by thumbprint (as the service showed it): the same certificate, other fields changed.
    const thumbNow = await client.getEnrollment('x509-thumb');
    assert.deepEqual([thumbNow.allocationPolicy, thumbNow.iotHubs, thumbNow.deviceId], ['static', [HUB_A], 'thumb-device']);
    assert.equal(thumbNow.attestation?.x509?.clientCertificates?.primary?.info?.sha256Thumbprint, otherThumbprint);
    const caNow = await client.getEnrollmentGroup('grp-ca');
    assert.deepEqual(caNow.attestation?.x509?.caReferences, { primary: 'root-ca', secondary: 'backup-ca' });
    assert.equal(caNow.customAllocationDefinition?.apiVersion, '2022-02-01');
    const geoNow = await client.getEnrollmentGroup('grp-geo');
    assert.deepEqual([geoNow.allocationPolicy, geoNow.reprovisionPolicy], ['hashed', undefined]);

    assert.deepEqual((await plan(path)).counts, { create: 0, update: 0, delete: 0, unchanged: 5 });
  });
});
