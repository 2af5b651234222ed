// The ADR certificate-policy names on the form: read into the draft, written back all three or none,
// checked against the spec's name rules, left alone on a 2021-10-01 connection, accepted by the
// message guards and placed next to their fields when the service refuses them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IndividualEnrollment } from '../../../src/dps/models';
import { createFormAttestation } from '../../../src/enrollmentForm/attestationAdapter';
import { buildServiceObject, draftFromServiceObject, type BuildContext } from '../../../src/enrollmentForm/draftMapping';
import { emptyDraft, type FormDraft } from '../../../src/enrollmentForm/protocol';
import { checkPageMessage, MessageRejection } from '../../../src/enrollmentForm/protocolGuards';
import { lightProblems } from '../../../src/enrollmentForm/page/lightChecks';
import { placeServiceError } from '../../../src/enrollmentForm/serviceErrorFields';
import { NAMESPACE_REQUIRED_MESSAGE } from '../../../src/emulator/adr/certificatePolicyRules';

const POLICY = { namespaceName: 'adr-ns', certificateAuthorityName: 'ca1', certificatePolicyName: 'device-certs' };
const enrollment: IndividualEnrollment = {
  registrationId: 'dev-1',
  attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } },
  provisioningStatus: 'enabled',
  etag: 'e1',
  ...POLICY,
  futureField: { nested: [1, 2] },
};

function ctx(overrides: Partial<BuildContext> = {}): BuildContext {
  return { mode: 'update', existing: enrollment, certificates: new Map(), attestation: createFormAttestation(), apiVersion: '2026-11-01', ...overrides };
}

function draftOf(overrides: Partial<FormDraft>): FormDraft {
  return { ...draftFromServiceObject('enrollment', enrollment).draft, ...overrides };
}

void describe('certificate policy on the form', () => {
  void test('a service object with a policy reads into the three draft fields', () => {
    const { draft } = draftFromServiceObject('enrollment', enrollment);
    assert.equal(draft.namespaceName, 'adr-ns');
    assert.equal(draft.certificateAuthorityName, 'ca1');
    assert.equal(draft.certificatePolicyName, 'device-certs');
    const plain = draftFromServiceObject('group', { enrollmentGroupId: 'g', attestation: { type: 'symmetricKey' } }).draft;
    assert.deepEqual([plain.namespaceName, plain.certificateAuthorityName, plain.certificatePolicyName], ['', '', '']);
  });

  void test('an edit on 2026-11-01 writes the policy (trimmed) and keeps a field the client does not know', () => {
    const built = buildServiceObject(draftOf({ provisioningStatus: 'disabled', certificatePolicyName: '  other-policy ' }), ctx());
    assert.ok(built.ok, JSON.stringify(!built.ok && built.problems));
    const object = built.object as IndividualEnrollment;
    assert.equal(object.certificatePolicyName, 'other-policy');
    assert.equal(object.namespaceName, 'adr-ns');
    assert.equal(object.provisioningStatus, 'disabled');
    assert.deepEqual(object.futureField, { nested: [1, 2] });
  });

  void test('clearing all three removes the policy; a create with all three adds it to a group', () => {
    const cleared = buildServiceObject(draftOf({ namespaceName: '', certificateAuthorityName: ' ', certificatePolicyName: '' }), ctx());
    assert.ok(cleared.ok);
    for (const field of Object.keys(POLICY)) assert.equal(field in cleared.object, false, `${field} is removed`);
    assert.deepEqual((cleared.object as IndividualEnrollment).futureField, { nested: [1, 2] });

    const group = buildServiceObject({ ...emptyDraft('group'), id: 'grp-1', attestationType: 'symmetricKey', ...POLICY }, ctx({ mode: 'create', existing: undefined }));
    assert.ok(group.ok, JSON.stringify(!group.ok && group.problems));
    assert.equal((group.object as Record<string, unknown>).certificateAuthorityName, 'ca1');
  });

  void test('some but not all names, and names against the spec rules, are refused per field', () => {
    const partial = buildServiceObject(draftOf({ certificateAuthorityName: '', certificatePolicyName: '' }), ctx());
    assert.ok(!partial.ok);
    assert.deepEqual(partial.problems.map((p) => p.field), ['certificateAuthorityName', 'certificatePolicyName']);
    assert.match(partial.problems[0]?.message ?? '', /needs all three names: enter certificateAuthorityName too, or clear the others/);

    const bad = buildServiceObject(draftOf({ namespaceName: 'ADR_NS', certificateAuthorityName: '-ca', certificatePolicyName: 'ab' }), ctx());
    assert.ok(!bad.ok);
    const byField = Object.fromEntries(bad.problems.map((p) => [p.field, p.message]));
    assert.match(byField.namespaceName ?? '', /namespaceName 'ADR_NS' must contain only lower-case letters, digits and hyphens/);
    assert.match(byField.certificateAuthorityName ?? '', /certificateAuthorityName '-ca' must contain only letters, digits and hyphens, starting with a letter or digit/);
    assert.match(byField.certificatePolicyName ?? '', /must be 3 to 63 characters long; got 2/);
    const long = buildServiceObject(draftOf({ namespaceName: 'a'.repeat(65) }), ctx());
    assert.ok(!long.ok);
    assert.match(long.problems[0]?.message ?? '', /3 to 64 characters long; got 65/);
  });

  void test('on a 2021-10-01 connection the form leaves the fields as the object has them', () => {
    // Even a draft that says otherwise (a restored draft, say) does not write fields that version lacks.
    const built = buildServiceObject(draftOf({ namespaceName: '', certificatePolicyName: 'x' }), ctx({ apiVersion: '2021-10-01' }));
    assert.ok(built.ok, JSON.stringify(!built.ok && built.problems));
    assert.equal((built.object as IndividualEnrollment).certificatePolicyName, 'device-certs');
    const created = buildServiceObject({ ...emptyDraft('enrollment'), id: 'new-1', attestationType: 'symmetricKey', ...POLICY }, ctx({ mode: 'create', existing: undefined, apiVersion: undefined }));
    assert.ok(created.ok);
    assert.equal('namespaceName' in created.object, false, 'the default version (2021-10-01) sends no policy');
  });

  void test('the page checks completeness and rules only when the section is shown', () => {
    const partial = { ...emptyDraft('enrollment'), id: 'd', attestationType: 'symmetricKey' as const, namespaceName: 'adr-ns' };
    assert.deepEqual(lightProblems(partial).map((p) => p.field), []);
    assert.deepEqual(lightProblems(partial, true).map((p) => p.field), ['certificateAuthorityName', 'certificatePolicyName']);
    assert.deepEqual(lightProblems({ ...partial, ...POLICY }, true), []);
  });

  void test('the guards accept the three strings and refuse a draft without them or with one too long', () => {
    const draft = { ...emptyDraft('enrollment'), ...POLICY };
    assert.ok(!(checkPageMessage({ type: 'submit', requestId: 's1', draft }) instanceof MessageRejection));
    const { namespaceName: _dropped, ...without } = draft;
    const missing = checkPageMessage({ type: 'submit', requestId: 's1', draft: without });
    assert.ok(missing instanceof MessageRejection);
    assert.match(missing.reason, /missing field "namespaceName"/);
    const tooLong = checkPageMessage({ type: 'draftChanged', dirty: true, draft: { ...draft, certificatePolicyName: 'x'.repeat(5000) } });
    assert.ok(tooLong instanceof MessageRejection);
    assert.match(tooLong.reason, /certificatePolicyName/);
  });

  void test('service refusals about the policy land on the policy fields, not on the certificate slot', () => {
    const at = (message: string): string | undefined => placeServiceError({ message, status: 400 }, { kind: 'enrollment', mode: 'create' }).problems[0]?.field;
    assert.equal(at(NAMESPACE_REQUIRED_MESSAGE), 'namespaceName');
    assert.equal(at("namespaceName 'x' is not the Device Registry namespace this provisioning service is linked to ('adr-ns')."), 'namespaceName');
    assert.equal(at("Namespace 'adr-ns' has no certificate policy 'p' under certificate authority 'ca1'."), 'certificatePolicyName');
    assert.equal(at("certificateAuthorityName '-x' must contain only letters"), 'certificateAuthorityName');
    assert.equal(at('The certificate is invalid.'), 'primaryCertificate', 'certificate errors still go to the slot');
  });
});
