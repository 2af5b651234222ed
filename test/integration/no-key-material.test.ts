// No request body the product sends holds a private key. Every way a certificate reaches the
// service (bulk CSV with a file cell, JSON with inline text, an export file imported, a folder of
// certificates, a tree selection, the form's build path, quick enroll, a saved JSON document) is fed
// PEM text holding the certificate AND its private key, in every key format; the bodies are
// captured at the transport, below the client, so no path escapes the check. Each path must also
// have created its enrollment: a refused request would pass the first check for the wrong reason.
import '../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bulkCommandContext, bulkUi, fileUri, loadEnrollmentNodes } from '../support/bulkVscode';
import { recorder, resetRecorder } from '../support/vscodeStub';
import { FakeDpsApi } from '../support/vscodeFakes';
import { startTestEmulator, tempDir, type TestEmulator } from '../support/emulator';
import { generateTestChain, type KeySpec } from '../../src/attestation';
import { bulkCreate } from '../../src/commands/bulkCommands';
import { importEnrollments } from '../../src/commands/exportImportCommands';
import { DpsClient } from '../../src/dps/client';
import { parseConnectionString } from '../../src/dps/connectionString';
import { createHttpTransport, type TransportRequest } from '../../src/dps/transport';
import { buildExportDocument } from '../../src/bulk';
import { createFormAttestation } from '../../src/enrollmentForm/attestationAdapter';
import { buildServiceObject } from '../../src/enrollmentForm/draftMapping';
import { emptyDraft } from '../../src/enrollmentForm/protocol';
import { planQuickEnrollment } from '../../src/enrollmentForm/quickEnrollment';
import type { IndividualEnrollment } from '../../src/dps/models';

const KEY_MATERIAL = /PRIVATE KEY|BEGIN (RSA|EC|ENCRYPTED)|Proc-Type/;

let emulator: TestEmulator;
let client: DpsClient;
let dir: string;
const bodies: Array<{ operation: string; text: string }> = [];

/** The certificate of a fresh device and its key written in `format`, as one PEM file like `openssl pkcs12 -nodes` writes. */
async function certificateWithKey(commonName: string, key: KeySpec, format: KeyFormat): Promise<string> {
  const { device } = await generateTestChain({ key, deviceCommonName: commonName });
  return withKey(device, commonName, format);
}

type KeyFormat = 'pkcs8' | 'pkcs1' | 'sec1' | 'encrypted' | 'legacyEncrypted';

/** A certificate and its key written in `format` as one PEM file, the key first. */
function withKey(certificate: { certificatePem: string; privateKeyPem: string }, friendlyName: string, format: KeyFormat): string {
  const keyObject = createPrivateKey(certificate.privateKeyPem);
  const keyPem = {
    pkcs8: () => keyObject.export({ type: 'pkcs8', format: 'pem' }),
    pkcs1: () => keyObject.export({ type: 'pkcs1', format: 'pem' }),
    sec1: () => keyObject.export({ type: 'sec1', format: 'pem' }),
    encrypted: () => keyObject.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' }),
    legacyEncrypted: () => keyObject.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' }),
  }[format]().toString();
  assert.match(keyPem, KEY_MATERIAL, 'the fixture holds a key');
  return `Bag Attributes\n    friendlyName: ${friendlyName}\n${keyPem}Bag Attributes\n    localKeyID: 01 00 00 00\n${certificate.certificatePem}`;
}

function stored(id: string): IndividualEnrollment | undefined {
  return emulator.emu.store.snapshot().enrollments.find((e) => e.registrationId === id);
}

before(async () => {
  emulator = await startTestEmulator({ seed: 'none' });
  const connection = parseConnectionString(emulator.emu.connectionString);
  const transport = createHttpTransport({ connection, ca: emulator.emu.caCertificatePem });
  client = new DpsClient({
    hostName: connection.hostName,
    keyName: connection.sharedAccessKeyName,
    // Captured as the transport serialises it: whatever any layer above built.
    send: (request: TransportRequest) => {
      if (request.body !== undefined) bodies.push({ operation: request.operation, text: JSON.stringify(request.body) });
      return transport.send(request);
    },
    dispose: transport.dispose,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 100 },
  });
  dir = tempDir('no-key-');
});

after(async () => {
  client.dispose();
  await emulator.dispose();
  // The last word: over every test of this file, nothing sent held key material.
  const leaking = bodies.filter((b) => KEY_MATERIAL.test(b.text)).map((b) => b.operation);
  assert.deepEqual(leaking, [], 'request bodies with key material');
});

beforeEach(() => {
  resetRecorder();
  bulkUi.reset();
  bodies.length = 0;
});

/** Asserts the captured bodies of one test: some were sent, none holds a key, each holds a certificate. */
function assertSentCertificatesOnly(expectedIds: string[]): void {
  assert.ok(bodies.length > 0, 'something was sent');
  for (const body of bodies) assert.doesNotMatch(body.text, KEY_MATERIAL, body.operation);
  for (const id of expectedIds) {
    const enrollment = stored(id);
    assert.ok(enrollment, `${id} was created`);
    assert.equal(enrollment.attestation.type, 'x509');
    assert.ok(bodies.some((b) => b.text.includes(id) && b.text.includes('BEGIN CERTIFICATE')), `${id} was sent with its certificate`);
  }
}

void describe('no request body holds a private key', () => {
  void test('bulk CSV whose certificate cells name files holding the certificate and its key (RSA PKCS#1, legacy encrypted)', async () => {
    writeFileSync(join(dir, 'rsa1.pem'), await certificateWithKey('nokey-csv-rsa', 'rsa-2048', 'pkcs1'));
    writeFileSync(join(dir, 'legacy.pem'), await certificateWithKey('nokey-csv-legacy', 'rsa-2048', 'legacyEncrypted'));
    const csv = join(dir, 'devices.csv');
    writeFileSync(csv, 'registrationId,certificate\nnokey-csv-rsa,rsa1.pem\nnokey-csv-legacy,legacy.pem\n');
    const { ctx } = bulkCommandContext(client);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, fileUri(csv));
    assertSentCertificatesOnly(['nokey-csv-rsa', 'nokey-csv-legacy']);
    // The dry run's promise is now true: the key was ignored and not sent.
    const warned = bulkUi.views[0].rowsOf('dryRun').filter((r) => /is a private key\. It is ignored and never sent/.test(r.reason ?? ''));
    assert.ok(warned.some((r) => r.id === 'nokey-csv-rsa'), 'the dry run says the key is ignored');
  });

  void test('bulk CSV of enrollment groups whose certificate cells name CA files holding the CA certificate and its key (PKCS#8, EC SEC1)', async () => {
    const rsa = await generateTestChain({ key: 'rsa-2048', deviceCommonName: 'nokey-group-device', namePrefix: 'NoKey RSA' });
    const ec = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'nokey-group-device', namePrefix: 'NoKey EC' });
    writeFileSync(join(dir, 'ca-rsa.pem'), withKey(rsa.intermediate, 'ca-rsa', 'pkcs8'));
    writeFileSync(join(dir, 'ca-ec.pem'), withKey(ec.root, 'ca-ec', 'sec1'));
    const csv = join(dir, 'groups.csv');
    writeFileSync(csv, 'enrollmentGroupId,certificate,secondaryCertificate\nnokey-group-csv,ca-rsa.pem,ca-ec.pem\n');
    const { ctx } = bulkCommandContext(client);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, fileUri(csv));
    assert.ok(bodies.length > 0, 'something was sent');
    for (const body of bodies) assert.doesNotMatch(body.text, KEY_MATERIAL, body.operation);
    const group = emulator.emu.store.snapshot().enrollmentGroups.find((g) => g.enrollmentGroupId === 'nokey-group-csv');
    assert.ok(group, 'the group was created');
    const signing = group.attestation.x509?.signingCertificates;
    assert.match(signing?.primary?.info?.subjectName ?? '', /NoKey RSA Intermediate CA/);
    assert.match(signing?.secondary?.info?.subjectName ?? '', /NoKey EC Root CA/);
    assert.ok(bodies.some((b) => b.text.includes('nokey-group-csv') && b.text.includes('BEGIN CERTIFICATE')), 'sent with its certificates');
  });

  void test('bulk JSON with inline PEM text (EC SEC1, PKCS#8)', async () => {
    const items = [
      { registrationId: 'nokey-json-ec', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: await certificateWithKey('nokey-json-ec', 'ecdsa-p256', 'sec1') } } } } },
      { registrationId: 'nokey-json-p8', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: await certificateWithKey('nokey-json-p8', 'ecdsa-p384', 'pkcs8') } } } } },
    ];
    const file = join(dir, 'devices.json');
    writeFileSync(file, JSON.stringify(items));
    const { ctx } = bulkCommandContext(client);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, fileUri(file));
    assertSentCertificatesOnly(['nokey-json-ec', 'nokey-json-p8']);
  });

  void test('an export file imported, its certificate holding an encrypted PKCS#8 key', async () => {
    const certificate = await certificateWithKey('nokey-import', 'ecdsa-p256', 'encrypted');
    const document = buildExportDocument({
      sourceHost: 'elsewhere.azure-devices-provisioning.net',
      enrollments: [{ registrationId: 'nokey-import', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } } }],
      enrollmentGroups: [],
      includeKeys: true,
    });
    const file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(document));
    const { ctx } = bulkCommandContext(client);
    recorder.answers.push((modes: Array<{ mode: string }>) => modes.find((m) => m.mode === 'create'));
    bulkUi.pageActions.push({ type: 'run' });
    await importEnrollments(ctx, fileUri(file));
    assertSentCertificatesOnly(['nokey-import']);
  });

  void test('a folder of certificate files that also hold their keys', async () => {
    const folder = join(dir, 'certs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.pem'), await certificateWithKey('nokey-folder-a', 'rsa-2048', 'pkcs8'));
    writeFileSync(join(folder, 'b.pem'), await certificateWithKey('nokey-folder-b', 'ecdsa-p256', 'encrypted'));
    const { ctx } = bulkCommandContext(client);
    recorder.answers.push(
      (choices: Array<{ source: string }>) => choices.find((c) => c.source === 'certificates'),
      [fileUri(folder)],
    );
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx);
    assertSentCertificatesOnly(['nokey-folder-a', 'nokey-folder-b']);
  });

  void test('items selected in the tree whose certificate text holds a key', async () => {
    const certificate = await certificateWithKey('nokey-selection', 'ecdsa-p256', 'sec1');
    const { ctx, connection } = bulkCommandContext(client);
    // The tree shows what a (misbehaving) source returned; the job sends it to the emulator.
    const source = new FakeDpsApi([{ registrationId: 'nokey-selection', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } } }]);
    const nodes = await loadEnrollmentNodes(connection, source);
    bulkUi.pageActions.push({ type: 'run' });
    await bulkCreate(ctx, nodes[0], nodes);
    assertSentCertificatesOnly(['nokey-selection']);
  });

  void test("the form's build path, with the file's text including its key", async () => {
    const text = await certificateWithKey('nokey-form', 'rsa-2048', 'pkcs8');
    const draft = { ...emptyDraft('enrollment'), id: 'nokey-form', primaryCertificate: { kind: 'file' as const, token: 't1' } };
    const built = buildServiceObject(draft, { mode: 'create', certificates: new Map([['t1', text]]), attestation: createFormAttestation() });
    assert.ok(built.ok, JSON.stringify(built.ok ? [] : built.problems));
    await client.createOrUpdateEnrollment(built.object as IndividualEnrollment);
    assertSentCertificatesOnly(['nokey-form']);
  });

  void test('quick enroll of a file holding the certificate and its key', async () => {
    const text = await certificateWithKey('nokey-quick', 'ecdsa-p256', 'pkcs8');
    const plan = planQuickEnrollment(Buffer.from(text), createFormAttestation());
    assert.ok(plan.ok, plan.ok ? '' : plan.reason);
    await client.createOrUpdateEnrollment(plan.object as IndividualEnrollment);
    assertSentCertificatesOnly(['nokey-quick']);
  });

  void test('the client refuses a body with a key, whatever built it, and names the problem without the key', async () => {
    const certificate = await certificateWithKey('nokey-raw', 'ecdsa-p256', 'pkcs8');
    await assert.rejects(
      client.createOrUpdateEnrollment({ registrationId: 'nokey-raw', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } } }),
      (error: Error) => error.name === 'KeyMaterialError' && /holds a private key/.test(error.message) && !KEY_MATERIAL.test(error.message.replace('private key', '')),
    );
    assert.equal(bodies.length, 0, 'nothing reached the transport');
    assert.equal(stored('nokey-raw'), undefined);
  });
});
