import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  AttestationProblem, certificateFacts, checkChainOrder, checkGroupCertificate, checkIndividualCertificate, checkRegistrationId,
  generateRootCertificate, isValidRegistrationId, registrationIdFromCertificate,
} from '../../../src/attestation';
import { leafWithCommonName, testChain } from '../../support/attestation';

const codes = (problems: readonly AttestationProblem[]) => problems.map((p) => p.code);
const x = (pem: string) => new X509Certificate(pem);

void describe('registration id rules', () => {
  void test('accepts letters, digits and - . _ : with an alphanumeric start, and a trailing "-"', () => {
    for (const id of ['a', 'device-01', 'Dev.01_x:y', 'sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6', 'ends-with-dash-', 'x'.repeat(128)]) {
      assert.deepEqual(checkRegistrationId(id), [], id);
    }
  });

  void test('rejects each broken rule with a message that names it', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['x'.repeat(129), /129 characters; at most 128/],
      ['my device', /characters DPS does not allow \(space\)/],
      ['dev/01', /\(\/\)/],
      ['-device', /starts with "-"/],
      ['.device', /starts with "\."/],
      ['device.', /ends with "\."/],
      ['device:', /ends with ":"/],
      ['device_', /ends with "_"/],
      ['gerät', /\(ä\)/],
    ];
    for (const [id, message] of cases) {
      const problems = checkRegistrationId(id);
      assert.ok(problems.length > 0, id);
      assert.ok(problems.every((p) => p.code === 'invalidRegistrationId' && p.severity === 'error'));
      assert.match(problems.map((p) => p.message).join(' '), message, id);
    }
  });

  void test('an id from a certificate CN is limited to 64 characters', () => {
    assert.equal(isValidRegistrationId('d'.repeat(65)), true);
    assert.equal(isValidRegistrationId('d'.repeat(65), { fromCommonName: true }), false);
    assert.match(checkRegistrationId('d'.repeat(65), { fromCommonName: true })[0]?.message ?? '', /CN has 65 characters; at most 64/);
  });
});

void describe('certificate checks', () => {
  void test('a leaf given for a group and a CA given for an individual enrollment are refused with the fix', async () => {
    const { root, intermediate, device } = await testChain();
    assert.deepEqual(codes(checkGroupCertificate(certificateFacts(x(device.certificatePem)))), ['leafForGroup']);
    assert.deepEqual(codes(checkGroupCertificate(certificateFacts(x(root.certificatePem)))), []);
    assert.deepEqual(codes(checkGroupCertificate(certificateFacts(x(intermediate.certificatePem)))), []);
    const caForIndividual = checkIndividualCertificate(certificateFacts(x(intermediate.certificatePem)));
    assert.deepEqual(codes(caForIndividual), ['caForIndividual']);
    assert.match(caForIndividual[0]?.message ?? '', /enrollment group/);
    assert.deepEqual(codes(checkIndividualCertificate(certificateFacts(x(device.certificatePem)))), []);
  });

  void test('expired and not-yet-valid certificates are reported for both kinds', async () => {
    const { root, device } = await testChain();
    const later = new Date(Date.now() + 20 * 365 * 86_400_000);
    assert.deepEqual(codes(checkIndividualCertificate(certificateFacts(x(device.certificatePem), later))), ['expired']);
    assert.deepEqual(codes(checkGroupCertificate(certificateFacts(x(root.certificatePem), later))), ['expired']);
    const early = checkIndividualCertificate(certificateFacts(x(device.certificatePem), new Date(Date.now() - 86_400_000)));
    assert.deepEqual(early.map((p) => [p.code, p.severity]), [['notYetValid', 'warning']]);
  });

  void test('a device CN that is not a valid registration id is reported, and gives no registration id', async () => {
    const pem = await leafWithCommonName('my device #1');
    const problems = checkIndividualCertificate(certificateFacts(x(pem)));
    assert.deepEqual([...new Set(codes(problems))], ['invalidRegistrationId']);
    assert.match(problems[0]?.message ?? '', /certificate CN/);
    const fromCert = registrationIdFromCertificate(pem);
    assert.equal(fromCert.registrationId, null);
    assert.equal(registrationIdFromCertificate((await testChain()).device.certificatePem).registrationId, 'device-01');
  });

  void test('a CN longer than 64 characters cannot be a registration id', async () => {
    // 64 is the X.509 upper bound for CN; some tools still write longer ones.
    const pem = await leafWithCommonName('d'.repeat(70));
    assert.match(checkIndividualCertificate(certificateFacts(x(pem))).map((p) => p.message).join(' '), /at most 64/);
  });
});

void describe('chain order', () => {
  void test('leaf first, root last is accepted', async () => {
    const { root, intermediate, device } = await testChain('ecdsa-p384');
    const result = checkChainOrder([device, intermediate, root].map((c) => x(c.certificatePem)));
    assert.deepEqual(result, { problems: [], order: [0, 1, 2] });
  });

  void test('a reversed chain is called reversed; a shuffled one gets the order that works', async () => {
    const { root, intermediate, device } = await testChain('ecdsa-p384');
    const reversed = checkChainOrder([root, intermediate, device].map((c) => x(c.certificatePem)));
    assert.deepEqual(codes(reversed.problems), ['chainOrder']);
    assert.match(reversed.problems[0]?.message ?? '', /reverse order/);
    assert.deepEqual(reversed.order, [2, 1, 0]);
    const shuffled = checkChainOrder([intermediate, device, root].map((c) => x(c.certificatePem)));
    assert.deepEqual(shuffled.order, [1, 0, 2]);
    assert.match(shuffled.problems[0]?.message ?? '', /#2, #1, #3/);
  });

  void test('a missing intermediate or an unrelated certificate breaks the chain', async () => {
    const { root, device } = await testChain('ecdsa-p384');
    const stranger = await generateRootCertificate({ commonName: 'Unrelated Root', key: 'ecdsa-p256' });
    assert.deepEqual(codes(checkChainOrder([device, root].map((c) => x(c.certificatePem))).problems), ['chainBroken']);
    assert.deepEqual(codes(checkChainOrder([root, stranger].map((c) => x(c.certificatePem))).problems), ['chainBroken']);
  });
});

void test('the id rules can be reported under another name, e.g. for enrollment group ids', () => {
  assert.match(checkRegistrationId('-group', { label: 'The enrollment group id' })[0]?.message ?? '', /^The enrollment group id starts with "-"/);
});
