// The form and JSON editing against the emulator on a 2026-11-01 connection: the ADR certificate
// policy reads into the form, an edit keeps it and a field the client does not know, clearing it
// removes it, a partial policy sends nothing; the same unknown field survives a JSON document edit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DpsClient } from '../../src/dps/client';
import type { IndividualEnrollment } from '../../src/dps/models';
import { putItem } from '../../src/dps/items';
import { parseEditedDocument, serializeForEditing, withPreservedKeys } from '../../src/documents/enrollmentDocument';
import { startTestEmulator, type TestEmulator } from '../support/emulator';
import { formHost } from '../support/webviewHost';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
let emulator: TestEmulator;
let client: DpsClient;

before(async () => {
  emulator = await startTestEmulator({ seed: 'none', adr: { namespace: 'adr-ns', policies: [{ certificateAuthority: 'ca1', policy: 'device-certs' }, { certificateAuthority: 'ca1', policy: 'other-certs' }] } });
  client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem, apiVersion: '2026-11-01', retry: { maxAttempts: 1 } });
});

after(async () => {
  client?.dispose();
  await emulator?.dispose();
});

async function openForm(id: string) {
  const existing = await client.getEnrollment(id);
  const host = formHost({ kind: 'enrollment', mode: 'update', existing, apiVersion: '2026-11-01' }, client);
  await host.controller.handle({ type: 'ready' });
  return host;
}

void describe('certificate policy through the form and JSON editing (emulator, 2026-11-01)', () => {
  void test('the form shows the policy, edits keep it and an unknown field, clearing removes it', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'form-1', attestation: { type: 'symmetricKey' }, ...POLICY, futureField: { kept: true } });
    const host = await openForm('form-1');
    const init = host.last('init');
    assert.equal(init.apiVersion, '2026-11-01');
    assert.equal(init.draft.certificatePolicyName, 'device-certs');

    await host.controller.handle({ type: 'submit', requestId: 's1', draft: { ...init.draft, provisioningStatus: 'disabled', certificatePolicyName: 'other-certs' } });
    assert.equal(host.last('saved').draft.certificatePolicyName, 'other-certs');
    const edited = await client.getEnrollment('form-1');
    assert.equal(edited.provisioningStatus, 'disabled');
    assert.equal(edited.certificatePolicyName, 'other-certs');
    assert.equal(edited.namespaceName, 'adr-ns');
    assert.deepEqual(edited.futureField, { kept: true }, 'a field the client does not know survives the form');

    await host.controller.handle({ type: 'submit', requestId: 's2', draft: { ...host.last('saved').draft, namespaceName: '', certificateAuthorityName: '', certificatePolicyName: '' } });
    host.last('saved');
    const cleared = await client.getEnrollment('form-1');
    assert.equal(cleared.namespaceName, undefined);
    assert.equal(cleared.certificatePolicyName, undefined);
    assert.deepEqual(cleared.futureField, { kept: true });
  });

  void test('a partial policy is refused on the form and nothing reaches the service; a wrong policy is placed on its field', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'form-2', attestation: { type: 'symmetricKey' } });
    const before = await client.getEnrollment('form-2');
    const host = await openForm('form-2');
    await host.controller.handle({ type: 'submit', requestId: 's1', draft: { ...host.last('init').draft, namespaceName: 'adr-ns' } });
    assert.deepEqual(host.last('validation').problems.map((p) => p.field), ['certificateAuthorityName', 'certificatePolicyName']);
    assert.equal((await client.getEnrollment('form-2')).etag, before.etag, 'nothing was sent');

    await host.controller.handle({ type: 'submit', requestId: 's2', draft: { ...host.last('init').draft, ...POLICY, certificatePolicyName: 'missing-policy' } });
    const error = host.last('error');
    assert.equal(error.status, 400);
    assert.equal(error.problems[0]?.field, 'certificatePolicyName');
    assert.match(error.problems[0]?.message ?? '', /no certificate policy 'missing-policy'/);
  });

  void test('through a 2021-10-01 connection, a policy the form kept is refused with the field and both versions named', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'form-old', attestation: { type: 'symmetricKey' }, ...POLICY });
    const old = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem, retry: { maxAttempts: 1 } });
    try {
      // As a service that shows newer fields to older callers would return it; the form leaves them.
      const existing = { ...(await old.getEnrollment('form-old')), ...POLICY };
      const host = formHost({ kind: 'enrollment', mode: 'update', existing, apiVersion: '2021-10-01' }, old);
      await host.controller.handle({ type: 'ready' });
      assert.equal(host.last('init').apiVersion, '2021-10-01');
      await host.controller.handle({ type: 'submit', requestId: 's1', draft: { ...host.last('init').draft, provisioningStatus: 'disabled' } });
      const error = host.last('error');
      assert.equal(error.status, 400);
      assert.match(error.problems[0]?.message ?? error.message, /api-version 2021-10-01 does not accept 'namespaceName', 'certificateAuthorityName', 'certificatePolicyName' \(added in 2026-11-01\)\. Set this connection's API version to 2026-11-01/);
      assert.equal(error.problems[0]?.field, 'namespaceName');
    } finally {
      old.dispose();
    }
  });

  void test('a JSON document edit keeps the policy and the unknown field', async () => {
    await client.createOrUpdateEnrollment({ registrationId: 'doc-1', attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled', ...POLICY, futureField: [1, 2, 3] });
    const read = await client.getEnrollment('doc-1');
    // What a user does in the editor: change one value in the text and save.
    const text = serializeForEditing(read).replace('"enabled"', '"disabled"');
    const edited = parseEditedDocument(text, 'enrollment', 'doc-1') as IndividualEnrollment;
    const stored = await client.getEnrollmentAttestation('doc-1');
    const body = withPreservedKeys(edited, stored);
    delete body.etag;
    await putItem(client, 'enrollment', body, { ifMatch: read.etag ?? '' });
    const after = await client.getEnrollment('doc-1');
    assert.equal(after.provisioningStatus, 'disabled');
    assert.deepEqual(after.futureField, [1, 2, 3]);
    assert.equal(after.certificateAuthorityName, 'ca1');
    const keys = await client.getEnrollmentAttestation('doc-1');
    assert.equal(keys.symmetricKey?.primaryKey, stored.symmetricKey?.primaryKey, 'the keys were kept');
  });
});
