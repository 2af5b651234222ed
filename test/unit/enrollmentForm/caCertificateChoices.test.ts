// The host side of the CA reference picker: the instance's CA certificates become choices (verified
// ones pickable; unverified and expired ones listed with why not; nothing but name, subject and
// expiry crosses to the page), or a note when there is nothing to pick from. The group form opened
// "with This CA" starts as a CA-reference draft, and the command refuses a CA a group cannot use.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CaCertificate } from '../../../src/azure/armModels';
import { ArmError } from '../../../src/azure/armErrors';
import { caCertificateChoice, caCertificateChoices, caReferenceRefusal, EXPIRED, NO_ARM_CA_NOTE, NOT_VERIFIED } from '../../../src/enrollmentForm/caCertificateChoices';
import { formHost } from '../../support/webviewHost';

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const inDays = (days: number): string => new Date(NOW.getTime() + days * DAY + 3_600_000).toISOString();
const cert = (name: string, isVerified: boolean, expiry?: string): CaCertificate => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/dps/certificates/${name}`,
  name,
  isVerified,
  etag: `e-${name}`,
  subject: `CN=${name}`,
  thumbprint: 'AB'.repeat(20),
  created: NOW.toISOString(),
  ...(expiry ? { expiry } : {}),
  // Only in the answer of generateVerificationCode; must never reach the page.
  verificationCode: 'CODE-1234',
});

void describe('CA reference picker: choices', () => {
  void test('a verified certificate is pickable, with subject and expiry date', () => {
    assert.deepEqual(caCertificateChoice(cert('root', true, inDays(400)), NOW), {
      name: 'root',
      subject: 'CN=root',
      expiryText: `expires ${inDays(400).slice(0, 10)}`,
      verified: true,
      expired: false,
      warn: false,
    });
  });

  void test('an unverified one says to verify it first; an expired one is flagged and not pickable, verified or not', () => {
    const unverified = caCertificateChoice(cert('fresh', false, inDays(200)), NOW);
    assert.equal(unverified.unavailable, NOT_VERIFIED);
    assert.equal(NOT_VERIFIED, 'not verified: verify it first');
    assert.equal(unverified.expired, false);
    const expired = caCertificateChoice(cert('old', true, inDays(-3)), NOW);
    assert.deepEqual([expired.expired, expired.warn, expired.expiryText, expired.unavailable], [true, true, 'expired 3 days ago', EXPIRED]);
    assert.equal(caCertificateChoice(cert('old-unverified', false, inDays(-1)), NOW).unavailable, EXPIRED);
  });

  void test('ending within 30 days: still pickable, with the warning flag', () => {
    const soon = caCertificateChoice(cert('soon', true, inDays(12)), NOW);
    assert.deepEqual([soon.warn, soon.expired, soon.expiryText, soon.unavailable], [true, false, 'expires in 12 days', undefined]);
  });

  void test('no expiry or subject from ARM: those facts are left out, not invented', () => {
    const bare: CaCertificate = { name: 'bare', isVerified: true };
    assert.deepEqual(caCertificateChoice(bare, NOW), { name: 'bare', verified: true, expired: false, warn: false });
  });

  void test('pickable ones first, each part by name; only shown fields cross (no etag, thumbprint, id or code)', () => {
    const choices = caCertificateChoices([cert('zeta', false, inDays(90)), cert('beta', true, inDays(90)), cert('old', true, inDays(-2)), cert('alpha', true, inDays(5))], NOW);
    assert.deepEqual(choices.map((c) => c.name), ['alpha', 'beta', 'old', 'zeta']);
    for (const c of choices) assert.deepEqual(Object.keys(c).filter((k) => !['name', 'subject', 'expiryText', 'verified', 'expired', 'warn', 'unavailable'].includes(k)), []);
    assert.doesNotMatch(JSON.stringify(choices), /CODE-1234|ABAB|e-beta|subscriptions/);
  });
});

void describe('CA reference picker: the host answers the page', () => {
  void test('answers the request with the choices; the source is read once per request', async () => {
    let reads = 0;
    const source = () => {
      reads += 1;
      return Promise.resolve([cert('root', true, inDays(400)), cert('fresh', false, inDays(400))]);
    };
    const host = formHost({ kind: 'group', mode: 'create', caCertificates: source });
    await host.controller.handle({ type: 'listCaCertificates', requestId: 'cas-1' });
    const answer = host.last('caCertificates');
    assert.equal(answer.requestId, 'cas-1');
    assert.deepEqual(answer.certificates.map((c) => [c.name, c.unavailable]), [['root', undefined], ['fresh', NOT_VERIFIED]]);
    assert.equal(answer.note, undefined);
    assert.equal(reads, 1);
    assert.doesNotMatch(JSON.stringify(host.posted), /CODE-1234|thumbprint|etag/);
  });

  void test('a connection without Azure ids: no list, a note that says to type names', async () => {
    const host = formHost({ kind: 'group', mode: 'create' });
    await host.controller.handle({ type: 'listCaCertificates', requestId: 'cas-2' });
    assert.deepEqual(host.last('caCertificates'), { type: 'caCertificates', requestId: 'cas-2', certificates: [], note: NO_ARM_CA_NOTE });
    const unknown = formHost({ kind: 'group', mode: 'create', caCertificates: () => Promise.resolve(undefined) });
    await unknown.controller.handle({ type: 'listCaCertificates', requestId: 'cas-3' });
    assert.equal(unknown.last('caCertificates').note, NO_ARM_CA_NOTE);
  });

  void test('no certificate at all, or none usable: the note says what to do', async () => {
    const empty = formHost({ kind: 'group', mode: 'create', caCertificates: () => Promise.resolve([]) });
    await empty.controller.handle({ type: 'listCaCertificates', requestId: 'cas-4' });
    assert.match(empty.last('caCertificates').note ?? '', /no CA certificate yet: upload one and verify it/);
    const noneUsable = formHost({ kind: 'group', mode: 'create', caCertificates: () => Promise.resolve([cert('fresh', false, inDays(100))]) });
    await noneUsable.controller.handle({ type: 'listCaCertificates', requestId: 'cas-5' });
    const answer = noneUsable.last('caCertificates');
    assert.equal(answer.certificates.length, 1, 'the unverified one is still listed, with its reason');
    assert.match(answer.note ?? '', /a group needs a verified, unexpired one/);
  });

  void test('an ARM failure becomes a note with its advice and a log line; the form keeps working', async () => {
    const failing = () => Promise.reject(new ArmError({ kind: 'http', operation: 'DpsCertificate_List', status: 403, code: 'AuthorizationFailed', message: 'The signed-in account may not read certificates: it needs "Reader" on scope /subscriptions/s.' }));
    const host = formHost({ kind: 'group', mode: 'create', caCertificates: failing });
    await host.controller.handle({ type: 'listCaCertificates', requestId: 'cas-6' });
    const answer = host.last('caCertificates');
    assert.deepEqual(answer.certificates, []);
    assert.equal(answer.note, 'Could not read the CA certificates (The signed-in account may not read certificates: it needs "Reader" on scope /subscriptions/s). Type the CA names.');
    assert.ok(host.logs.some((l) => l.startsWith('warn Enrollment form: could not read the CA certificates')));
    await host.controller.handle({ type: 'ready' });
    assert.equal(host.last('init').kind, 'group');
  });

  void test('malformed requests are refused without an answer', async () => {
    const host = formHost({ kind: 'group', mode: 'create', caCertificates: () => Promise.resolve([cert('root', true)]) });
    await host.controller.handle({ type: 'listCaCertificates' });
    await host.controller.handle({ type: 'listCaCertificates', requestId: 'x', name: 'root' });
    await host.controller.handle({ type: 'listCaCertificates', requestId: '<script>' });
    assert.deepEqual(host.posted, []);
    assert.equal(host.logs.filter((l) => l.startsWith('warn Enrollment form: refused a message')).length, 3);
  });
});

void describe('"Create Enrollment Group with This CA…"', () => {
  void test('the form starts as an X.509 group referencing the CA, and saves it', async () => {
    const host = formHost({ kind: 'group', mode: 'create', caReference: 'contoso-root' });
    await host.controller.handle({ type: 'ready' });
    const { draft } = host.last('init');
    assert.deepEqual([draft.attestationType, draft.x509Source, draft.caReferencePrimary, draft.caReferenceSecondary, draft.id], ['x509', 'caReferences', 'contoso-root', '', '']);
    await host.controller.handle({ type: 'submit', requestId: 'save-1', draft: { ...draft, id: 'from-ca' } });
    assert.equal(host.last('saved').id, 'from-ca');
    assert.deepEqual(host.client.groups.get('from-ca')?.attestation, { type: 'x509', x509: { caReferences: { primary: 'contoso-root' } } });
  });

  void test('refuses an unverified CA (verify first) and an expired one; accepts a verified one', () => {
    assert.match(caReferenceRefusal(cert('fresh', false, inDays(100)), NOW) ?? '', /^The CA certificate "fresh" is not verified: verify it first/);
    assert.match(caReferenceRefusal(cert('old', true, inDays(-3)), NOW) ?? '', /^The CA certificate "old" expired 3 days ago: upload its renewal/);
    assert.equal(caReferenceRefusal(cert('root', true, inDays(400)), NOW), undefined);
  });
});
