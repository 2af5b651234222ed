// The form's host logic with the real attestation library, generated certificates and keys, and an
// in-memory service: what it answers to each page message and what it sends to the service.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DpsError } from '../../../src/dps/errors';
import type { EnrollmentGroup, IndividualEnrollment } from '../../../src/dps/models';
import { deriveDeviceKey, type TestChain } from '../../../src/attestation';
import { emptyDraft, type FormDraft } from '../../../src/enrollmentForm/protocol';
import { eccEndorsementKey, rsaEndorsementKey, testChain } from '../../support/attestation';
import { formHost, memoryFile } from '../../support/webviewHost';

let chain: TestChain;
before(async () => {
  chain = await testChain('ecdsa-p256', 'device-01');
});

function draft(kind: 'enrollment' | 'group', overrides: Partial<FormDraft>): FormDraft {
  return { ...emptyDraft(kind), ...overrides };
}

void describe('enrollment form host', () => {
  void test('refuses malformed messages without answering, and logs why (not the values)', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: { id: 'x' } });
    await host.controller.handle({ type: 'rm -rf', requestId: 'x' });
    await host.controller.handle('ready');
    assert.deepEqual(host.posted, []);
    assert.equal(host.logs.length, 3);
    assert.ok(host.logs.every((l) => l.startsWith('warn Enrollment form: refused')));
    assert.equal(host.client.puts.length, 0);
  });

  void test('answers ready with init: files listed by opaque id, prefilled certificate checked', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create', certificate: memoryFile('certs/device-01.pem', chain.device.certificatePem) });
    host.workspaceFiles.push(memoryFile('certs/root.pem', chain.root.certificatePem));
    await host.controller.handle({ type: 'ready' });
    const init = host.last('init');
    assert.equal(init.kind, 'enrollment');
    assert.equal(init.mode, 'create');
    assert.equal(init.certificateFiles.length, 1);
    assert.equal(init.certificateFiles[0]?.label, 'certs/root.pem');
    assert.doesNotMatch(init.certificateFiles[0]?.fileId ?? '', /root|certs/);
    assert.equal(init.draft.id, 'device-01', 'the id comes from the CN');
    assert.equal(init.chosenCertificates[0]?.summary.commonName, 'device-01');
    assert.equal(init.chosenCertificates[0]?.summary.isCa, false);
    assert.equal(JSON.stringify(init).includes('BEGIN CERTIFICATE'), false, 'certificate content stays on the host');
  });

  void test('X.509 individual: pick a workspace file, submit, and the service gets the certificate', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    host.workspaceFiles.push(memoryFile('device.pem', chain.device.certificatePem));
    await host.controller.handle({ type: 'ready' });
    const fileId = host.last('init').certificateFiles[0]?.fileId ?? '';
    await host.controller.handle({ type: 'pickCertificate', requestId: 'p1', slot: 'primary', fileId });
    const chosen = host.last('certificateChosen');
    assert.equal(chosen.requestId, 'p1');
    assert.equal(chosen.suggestedId, 'device-01');
    assert.ok(chosen.certificate);
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('enrollment', { id: 'device-01', primaryCertificate: { kind: 'file', token: chosen.certificate.token }, tagsJson: '{"site":"a"}' }) });
    const saved = host.last('saved');
    assert.equal(saved.id, 'device-01');
    const put = host.client.puts[0];
    assert.ok(put);
    assert.equal(put.ifMatch, undefined, 'create sends no If-Match');
    const body = put.body as IndividualEnrollment;
    assert.equal(body.attestation.type, 'x509');
    assert.match(body.attestation.x509?.clientCertificates?.primary?.certificate ?? '', /BEGIN CERTIFICATE/);
    assert.deepEqual(body.initialTwin?.tags, { site: 'a' });
    assert.equal(host.saved.length, 1);
  });

  void test('X.509 group from a CA; a leaf given for a group is reported inline and blocks submit', async () => {
    const host = formHost({ kind: 'group', mode: 'create' });
    host.dialogFile.value = memoryFile('leaf.pem', chain.device.certificatePem);
    await host.controller.handle({ type: 'pickCertificate', requestId: 'p1', slot: 'primary' });
    const leaf = host.last('certificateChosen');
    assert.ok(leaf.problems.some((p) => p.field === 'primaryCertificate' && p.code === 'leafForGroup' && p.severity === 'error'), JSON.stringify(leaf.problems));
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('group', { id: 'group-1', primaryCertificate: { kind: 'file', token: leaf.certificate?.token ?? 'none' } }) });
    assert.ok(host.last('validation').problems.some((p) => p.field === 'primaryCertificate'));
    assert.equal(host.client.puts.length, 0);

    host.dialogFile.value = memoryFile('root.pem', chain.root.certificatePem);
    await host.controller.handle({ type: 'pickCertificate', requestId: 'p2', slot: 'primary' });
    const root = host.last('certificateChosen');
    assert.deepEqual(root.problems.filter((p) => p.severity === 'error'), []);
    await host.controller.handle({ type: 'submit', requestId: 's2', draft: draft('group', { id: 'group-1', primaryCertificate: { kind: 'file', token: root.certificate?.token ?? '' } }) });
    assert.equal(host.last('saved').id, 'group-1');
    assert.ok((host.client.puts[0]?.body as EnrollmentGroup).attestation.x509?.signingCertificates?.primary?.certificate);
  });

  void test('a private key picked instead of a certificate gets its own message, without its content', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    host.dialogFile.value = memoryFile('device.key', chain.device.privateKeyPem);
    await host.controller.handle({ type: 'pickCertificate', requestId: 'p1', slot: 'primary' });
    const chosen = host.last('certificateChosen');
    assert.equal(chosen.certificate, undefined);
    assert.ok(chosen.problems.some((p) => p.code === 'privateKeyGiven'), JSON.stringify(chosen.problems));
    const keyBody = chain.device.privateKeyPem.split('\n')[1] ?? 'unreachable';
    assert.equal(JSON.stringify(host.posted).includes(keyBody), false);
  });

  void test('a certificate token the host never issued is refused as a field problem', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('enrollment', { id: 'device-01', primaryCertificate: { kind: 'file', token: 'forged' } }) });
    assert.ok(host.last('validation').problems.some((p) => p.field === 'primaryCertificate' && /choose the file again/.test(p.message)));
  });

  void test('TPM: EK checked with the library, conventional id suggested, enrollment created', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    const ek = rsaEndorsementKey().toString('base64');
    await host.controller.handle({ type: 'checkTpm', requestId: 't1', endorsementKey: ek.slice(0, 40), storageRootKey: '' });
    assert.ok(host.last('tpmChecked').problems.some((p) => p.field === 'endorsementKey' && p.severity === 'error'));
    assert.equal(host.last('tpmChecked').ekFacts, undefined, 'no facts about a key that does not parse');
    await host.controller.handle({ type: 'checkTpm', requestId: 't2', endorsementKey: ek, storageRootKey: '' });
    const checked = host.last('tpmChecked');
    assert.deepEqual(checked.problems, []);
    assert.match(checked.suggestedId ?? '', /^[a-z2-7]{52}$/);
    assert.deepEqual(checked.ekFacts, { keyType: 'RSA-2048', keyBits: 2048 });
    await host.controller.handle({ type: 'checkTpm', requestId: 't3', endorsementKey: eccEndorsementKey().toString('base64'), storageRootKey: '' });
    assert.deepEqual(host.last('tpmChecked').ekFacts, { keyType: 'ECC P-256', keyBits: 256 });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('enrollment', { id: checked.suggestedId ?? '', attestationType: 'tpm', endorsementKey: ek }) });
    assert.equal(host.last('saved').requestId, 's1');
    assert.equal((host.client.puts[0]?.body as IndividualEnrollment).attestation.tpm?.endorsementKey, ek);
  });

  void test('TPM is refused for groups', async () => {
    const host = formHost({ kind: 'group', mode: 'create' });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('group', { id: 'g', attestationType: 'tpm', endorsementKey: rsaEndorsementKey().toString('base64') }) });
    assert.ok(host.last('validation').problems.some((p) => p.field === 'attestationType'));
  });

  void test('symmetric keys: generate, derive with the typed group key, and generated on save when empty', async () => {
    const host = formHost({ kind: 'group', mode: 'create' });
    await host.controller.handle({ type: 'generateKey', requestId: 'g1', slot: 'primary' });
    const key = host.last('keyGenerated').key;
    assert.equal(Buffer.from(key, 'base64').length, 64);
    await host.controller.handle({ type: 'deriveKey', requestId: 'd1', registrationId: 'device-7', slot: 'primary', groupKey: key });
    assert.equal(host.last('keyDerived').derivedKey, deriveDeviceKey(key, 'device-7'));
    await host.controller.handle({ type: 'deriveKey', requestId: 'd2', registrationId: 'device-7', slot: 'primary', groupKey: 'not a key' });
    const refused = host.last('keyDerived');
    assert.equal(refused.derivedKey, undefined);
    assert.equal(refused.problems[0]?.field, 'symmetricKeyPrimary');

    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('group', { id: 'sym-group', attestationType: 'symmetricKey', symmetricKeyPrimary: key }) });
    const body = host.client.puts[0]?.body as EnrollmentGroup;
    assert.equal(body.attestation.symmetricKey?.primaryKey, key);
    assert.equal(Buffer.from(body.attestation.symmetricKey?.secondaryKey ?? '', 'base64').length, 64, 'the empty secondary key was generated');
    assert.equal(host.logs.some((l) => l.includes(key)), false, 'keys never reach the log');
  });

  void test('update: If-Match sent, unknown fields preserved, stored keys kept when the fields are empty', async () => {
    const host0 = formHost({ kind: 'enrollment', mode: 'create' });
    const client = host0.client;
    const existing: IndividualEnrollment = {
      registrationId: 'sym-1',
      attestation: { type: 'symmetricKey', symmetricKey: {} },
      provisioningStatus: 'enabled',
      etag: '"v0"',
      futureField: { keep: true },
      initialTwin: { tags: { a: 1 }, properties: { desired: { b: 2 } }, futureTwinField: 'x' },
      optionalDeviceInformation: { model: 'm1' },
    };
    const storedKeys = { primaryKey: Buffer.alloc(32, 1).toString('base64'), secondaryKey: Buffer.alloc(32, 2).toString('base64') };
    client.enrollments.set('sym-1', { ...existing, attestation: { type: 'symmetricKey', symmetricKey: storedKeys } });
    const host = formHost({ kind: 'enrollment', mode: 'update', existing }, client);
    await host.controller.handle({ type: 'ready' });
    const init = host.last('init');
    assert.equal(init.mode, 'update');
    assert.equal(init.hasStoredSymmetricKeys, true);
    assert.equal(init.draft.tagsJson.includes('"a": 1'), true);
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: { ...init.draft, provisioningStatus: 'disabled', desiredPropertiesJson: '{"b": 3}' } });
    const put = client.puts.at(-1);
    assert.equal(put?.ifMatch, '"v0"');
    const body = put?.body as IndividualEnrollment;
    assert.deepEqual(body.futureField, { keep: true });
    assert.deepEqual(body.optionalDeviceInformation, { model: 'm1' });
    assert.equal(body.initialTwin?.futureTwinField, 'x');
    assert.deepEqual(body.initialTwin?.properties?.desired, { b: 3 });
    assert.equal(body.provisioningStatus, 'disabled');
    assert.deepEqual(body.attestation.symmetricKey, storedKeys);
    const saved = host.last('saved');
    assert.equal(saved.etag, client.enrollments.get('sym-1')?.etag);

    // A second save uses the new etag.
    await host.controller.handle({ type: 'submit', requestId: 's2', draft: { ...saved.draft, iotEdge: true } });
    assert.equal(client.puts.at(-1)?.ifMatch, saved.etag);
  });

  void test('create refuses an id that already exists instead of overwriting it', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    host.client.enrollments.set('taken', { registrationId: 'taken', attestation: { type: 'symmetricKey' } });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: draft('enrollment', { id: 'taken', attestationType: 'symmetricKey' }) });
    assert.ok(host.last('validation').problems.some((p) => p.field === 'id' && /already exists/.test(p.message)));
    assert.equal(host.client.puts.length, 0);
  });

  void test('service errors come back inline where they belong and the form stays open', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    host.client.failNextPut = new DpsError({ kind: 'http', status: 400, errorCode: 400004, message: 'The IoT hub hub-b.azure-devices.net is not linked to this DPS.', operation: 'IndividualEnrollment_CreateOrUpdate' });
    const typed = draft('enrollment', { id: 'device-2', attestationType: 'symmetricKey', iotHubs: 'hub-b.azure-devices.net' });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: typed });
    const error = host.last('error');
    assert.equal(error.requestId, 's1');
    assert.equal(error.status, 400);
    assert.equal(error.problems[0]?.field, 'iotHubs');
    assert.equal(host.closed.value, false);

    host.client.failNextPut = new DpsError({ kind: 'http', status: 503, message: 'Service unavailable', operation: 'x' });
    await host.controller.handle({ type: 'submit', requestId: 's2', draft: typed });
    assert.match(host.last('error').message, /input is kept/);

    // After failures the same draft goes through.
    await host.controller.handle({ type: 'submit', requestId: 's3', draft: typed });
    assert.equal(host.last('saved').requestId, 's3');
  });

  void test('a concurrent change (412) is explained as a form-level error', async () => {
    const existing: IndividualEnrollment = { registrationId: 'dev-3', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64'), secondaryKey: Buffer.alloc(32, 2).toString('base64') } }, etag: '"old"' };
    const host = formHost({ kind: 'enrollment', mode: 'update', existing });
    host.client.enrollments.set('dev-3', { ...existing, etag: '"newer"' });
    await host.controller.handle({ type: 'ready' });
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: host.last('init').draft });
    const error = host.last('error');
    assert.equal(error.status, 412);
    assert.equal(error.problems[0]?.field, 'form');
    assert.match(error.message, /changed by someone else/);
  });

  void test('host validation: ids, hubs, static allocation, custom webhook, twin JSON', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    await host.controller.handle({
      type: 'submit', requestId: 's1', draft: draft('enrollment', {
        id: 'bad id', deviceId: 'bad/device', attestationType: 'symmetricKey', iotHubs: 'not a hub!, hub-a.azure-devices.net',
        allocationPolicy: 'custom', webhookUrl: 'http://insecure.example', webhookApiVersion: 'latest', tagsJson: '[]', desiredPropertiesJson: '{',
      }),
    });
    const fields = new Set(host.last('validation').problems.map((p) => p.field));
    for (const field of ['id', 'deviceId', 'iotHubs', 'webhookUrl', 'webhookApiVersion', 'tagsJson', 'desiredPropertiesJson'] as const) {
      assert.ok(fields.has(field), `expected a problem for ${field}`);
    }
    await host.controller.handle({ type: 'submit', requestId: 's2', draft: draft('enrollment', { id: 'ok-1', attestationType: 'symmetricKey', allocationPolicy: 'static', iotHubs: 'a.azure-devices.net\nb.azure-devices.net' }) });
    assert.match(host.last('validation').problems[0]?.message ?? '', /exactly one IoT hub/);
  });

  void test('cancel closes at once without input, asks with input, and keeps the form when declined', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create' });
    await host.controller.handle({ type: 'draftChanged', dirty: true, draft: draft('enrollment', { id: 'typed' }) });
    assert.equal(host.controller.hasUnsavedInput, true);
    assert.equal(host.controller.snapshot().draft.id, 'typed');
    await host.controller.handle({ type: 'cancel', dirty: true });
    assert.equal(host.closed.value, false, 'declined: the form stays');
    host.confirmDiscard.value = true;
    await host.controller.handle({ type: 'cancel', dirty: true });
    assert.equal(host.closed.value, true);
    assert.equal(host.controller.hasUnsavedInput, false, 'discarded on purpose: nothing to restore');
  });

  void test('a restored form sends the kept draft and its certificates', async () => {
    const first = formHost({ kind: 'enrollment', mode: 'create' });
    first.dialogFile.value = memoryFile('device.pem', chain.device.certificatePem);
    await first.controller.handle({ type: 'pickCertificate', requestId: 'p1', slot: 'primary' });
    const token = first.last('certificateChosen').certificate?.token ?? '';
    await first.controller.handle({ type: 'draftChanged', dirty: true, draft: draft('enrollment', { id: 'device-01', primaryCertificate: { kind: 'file', token } }) });
    const reopened = formHost({ kind: 'enrollment', mode: 'create', restore: first.controller.snapshot() });
    await reopened.controller.handle({ type: 'ready' });
    const init = reopened.last('init');
    assert.equal(init.restored, true);
    assert.equal(init.draft.id, 'device-01');
    assert.equal(init.chosenCertificates[0]?.token, token);
    await reopened.controller.handle({ type: 'submit', requestId: 's1', draft: init.draft });
    assert.equal(reopened.last('saved').id, 'device-01');
  });

  void test('a reloaded page gets the unsaved draft back; a form reopened after a save keeps updating', async () => {
    const host = formHost({ kind: 'enrollment', mode: 'create', certificate: memoryFile('device.pem', chain.device.certificatePem) });
    await host.controller.handle({ type: 'ready' });
    const first = host.last('init');
    await host.controller.handle({ type: 'draftChanged', dirty: true, draft: { ...first.draft, deviceId: 'typed' } });
    await host.controller.handle({ type: 'ready' });
    const again = host.last('init');
    assert.equal(again.restored, true);
    assert.equal(again.draft.deviceId, 'typed');
    assert.deepEqual(again.chosenCertificates.map((c) => c.token), first.chosenCertificates.map((c) => c.token), 'the file is not read twice');

    await host.controller.handle({ type: 'submit', requestId: 's1', draft: again.draft });
    const saved = host.last('saved');
    await host.controller.handle({ type: 'draftChanged', dirty: true, draft: { ...saved.draft, iotEdge: true } });
    const reopened = formHost({ kind: 'enrollment', mode: 'create', restore: host.controller.snapshot() }, host.client);
    await reopened.controller.handle({ type: 'ready' });
    assert.equal(reopened.last('init').mode, 'update');
    await reopened.controller.handle({ type: 'submit', requestId: 's2', draft: reopened.last('init').draft });
    assert.equal(reopened.last('saved').requestId, 's2');
    assert.equal(host.client.puts.at(-1)?.ifMatch, saved.etag);
  });
});
