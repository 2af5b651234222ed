// The quick path decides kind and id from the certificate alone, and falls back to the form otherwise.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { generateRootCertificate, type GeneratedCertificate, type TestChain } from '../../../src/attestation';
import type { EnrollmentGroup, IndividualEnrollment } from '../../../src/dps/models';
import { createFormAttestation } from '../../../src/enrollmentForm/attestationAdapter';
import { planQuickEnrollment } from '../../../src/enrollmentForm/quickEnrollment';
import { testChain } from '../../support/attestation';

const attestation = createFormAttestation();
const bytes = (text: string): Uint8Array => Buffer.from(text);
let chain: TestChain;
let namedRoot: GeneratedCertificate;

before(async () => {
  chain = await testChain('ecdsa-p256', 'device-01');
  namedRoot = await generateRootCertificate({ commonName: 'contoso-root', key: 'ecdsa-p256' });
});

void describe('quick enrollment plan', () => {
  void test('a device certificate becomes an individual enrollment named by its CN', () => {
    const plan = planQuickEnrollment(bytes(chain.device.certificatePem), attestation);
    assert.ok(plan.ok, JSON.stringify(plan));
    assert.equal(plan.kind, 'enrollment');
    assert.equal(plan.id, 'device-01');
    const object = plan.object as IndividualEnrollment;
    assert.equal(object.registrationId, 'device-01');
    assert.match(object.attestation.x509?.clientCertificates?.primary?.certificate ?? '', /BEGIN CERTIFICATE/);
  });

  void test('a CA certificate with a usable CN becomes an enrollment group', () => {
    const plan = planQuickEnrollment(bytes(namedRoot.certificatePem), attestation);
    assert.ok(plan.ok, JSON.stringify(plan));
    assert.equal(plan.kind, 'group');
    assert.equal((plan.object as EnrollmentGroup).enrollmentGroupId, 'contoso-root');
    assert.ok((plan.object as EnrollmentGroup).attestation.x509?.signingCertificates?.primary?.certificate);
  });

  void test('a CA whose CN is no valid id sends the user to the group form', () => {
    const plan = planQuickEnrollment(bytes(chain.root.certificatePem), attestation);
    assert.equal(plan.ok, false);
    assert.equal(!plan.ok && plan.kind, 'group');
    assert.match(!plan.ok ? plan.reason : '', /"DPS Test Root CA" is not a valid group id/);
  });

  void test('a private key is refused with its own reason and no form kind', () => {
    const plan = planQuickEnrollment(bytes(chain.device.privateKeyPem), attestation);
    assert.equal(plan.ok, false);
    assert.equal(!plan.ok && plan.kind, undefined);
    assert.match(!plan.ok ? plan.reason : '', /private key/i);
  });
});
