// The host refuses every message from the page that is not exactly one of the protocol's shapes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyDraft, PROTOCOL_LIMITS, type PageMessage } from '../../../src/enrollmentForm/protocol';
import { checkDraft, checkPageMessage, MessageRejection, parsePageMessage } from '../../../src/enrollmentForm/protocolGuards';

const draft = emptyDraft('enrollment');

/** One valid message of every type the page may send. */
const VALID: PageMessage[] = [
  { type: 'ready' },
  { type: 'listCertificateFiles', requestId: 'files-1' },
  { type: 'pickCertificate', requestId: 'pick-1', slot: 'primary', fileId: 'abcDEF_-12' },
  { type: 'pickCertificate', requestId: 'pick-2', slot: 'secondary' },
  { type: 'checkTpm', requestId: 'tpm-1', endorsementKey: 'AAAA', storageRootKey: '' },
  { type: 'loadTpmKey', requestId: 'load-1', field: 'storageRootKey' },
  { type: 'generateKey', requestId: 'gen-1', slot: 'secondary' },
  { type: 'deriveKey', requestId: 'derive-1', registrationId: 'device-1', slot: 'primary', groupKey: '' },
  { type: 'submit', requestId: 'submit-1', draft },
  { type: 'submit', requestId: 'submit-2', draft: { ...draft, primaryCertificate: { kind: 'file', token: 'tok_1' }, secondaryCertificate: { kind: 'existing' } } },
  { type: 'cancel', dirty: true },
  { type: 'draftChanged', dirty: false, draft },
];

function reason(value: unknown): string {
  const result = checkPageMessage(value);
  assert.ok(result instanceof MessageRejection, `expected a refusal for ${JSON.stringify(value)?.slice(0, 120)}`);
  assert.equal(parsePageMessage(value), undefined);
  return result.reason;
}

void describe('page message guards', () => {
  void test('accept every valid message as it is', () => {
    for (const message of VALID) {
      const parsed = parsePageMessage(JSON.parse(JSON.stringify(message)));
      assert.deepEqual(parsed, message, `refused ${message.type}`);
    }
  });

  void test('refuse values that are not messages', () => {
    for (const value of [undefined, null, 42, 'ready', [], [{ type: 'ready' }], new Date(), Object.create({ type: 'ready' })]) {
      reason(value);
    }
    class Impostor {
      type = 'ready';
    }
    assert.match(reason(new Impostor()), /not an object/);
  });

  void test('refuse unknown and missing types, naming them', () => {
    assert.match(reason({ type: 'deleteEverything' }), /unknown message type "deleteEverything"/);
    assert.match(reason({}), /no type/);
    assert.match(reason({ type: 7 }), /no type/);
    assert.match(reason({ type: 'toString' }), /unknown message type/);
    assert.match(reason({ type: '__proto__' }), /unknown message type/);
  });

  void test('refuse missing, extra and mistyped fields', () => {
    assert.match(reason({ type: 'ready', extra: 1 }), /unexpected field "extra"/);
    assert.match(reason({ type: 'listCertificateFiles' }), /missing field "requestId"/);
    assert.match(reason({ type: 'pickCertificate', requestId: 'p', slot: 'tertiary' }), /slot/);
    assert.match(reason({ type: 'pickCertificate', requestId: 'p', slot: 'primary', fileId: '../../etc/passwd' }), /fileId/);
    assert.match(reason({ type: 'checkTpm', requestId: 'p', endorsementKey: 5, storageRootKey: '' }), /endorsementKey/);
    assert.match(reason({ type: 'loadTpmKey', requestId: 'p', field: 'privateKey' }), /field/);
    assert.match(reason({ type: 'generateKey', requestId: 'p' }), /missing field "slot"/);
    assert.match(reason({ type: 'deriveKey', requestId: 'p', registrationId: 'd', slot: 'primary' }), /groupKey/);
    assert.match(reason({ type: 'cancel', dirty: 'yes' }), /dirty/);
    assert.match(reason({ type: 'submit', requestId: 'p' }), /draft/);
  });

  void test('refuse malformed or oversized request ids and strings', () => {
    for (const requestId of ['', 'a b', '<script>', 'x'.repeat(PROTOCOL_LIMITS.requestId + 1), 12]) {
      assert.match(reason({ type: 'listCertificateFiles', requestId }), /requestId/);
    }
    const huge = 'A'.repeat(PROTOCOL_LIMITS.longText + 1);
    assert.match(reason({ type: 'checkTpm', requestId: 't', endorsementKey: huge, storageRootKey: '' }), /endorsementKey/);
    assert.match(reason({ type: 'submit', requestId: 's', draft: { ...draft, id: 'x'.repeat(PROTOCOL_LIMITS.shortText + 1) } }), /"id"/);
  });

  void test('check every field of a draft', () => {
    assert.equal(checkDraft(draft), undefined);
    assert.match(checkDraft({ ...draft, kind: 'tenant' }) ?? '', /"kind"/);
    assert.match(checkDraft({ ...draft, attestationType: 'none' }) ?? '', /"attestationType"/);
    assert.match(checkDraft({ ...draft, allocationPolicy: 'random' }) ?? '', /"allocationPolicy"/);
    assert.match(checkDraft({ ...draft, iotEdge: 'true' }) ?? '', /"iotEdge"/);
    assert.match(checkDraft({ ...draft, provisioningStatus: 'paused' }) ?? '', /"provisioningStatus"/);
    assert.match(checkDraft({ ...draft, primaryCertificate: { kind: 'file' } }) ?? '', /primaryCertificate/);
    assert.match(checkDraft({ ...draft, primaryCertificate: { kind: 'file', token: 'a/b' } }) ?? '', /token/);
    assert.match(checkDraft({ ...draft, secondaryCertificate: { kind: 'path', path: '/etc/passwd' } }) ?? '', /secondaryCertificate/);
    assert.match(checkDraft({ ...draft, connectionString: 'HostName=x' }) ?? '', /unexpected field "connectionString"/);
    const { tagsJson: _omitted, ...withoutTags } = draft;
    assert.match(checkDraft(withoutTags) ?? '', /missing field "tagsJson"/);
  });

  void test('refusal reasons never echo field values', () => {
    const secret = 'SuperSecretKeyValue==';
    const rejection = checkPageMessage({ type: 'submit', requestId: 's', draft: { ...draft, symmetricKeyPrimary: secret, iotEdge: secret } });
    assert.ok(rejection instanceof MessageRejection);
    assert.equal(rejection.reason.includes(secret), false);
  });
});
