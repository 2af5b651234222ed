// Every builder's output is validated against the spec's AttestationMechanism schema. That part
// READS ../shared/dps/spec (outside the repo; present in development and CI only) through
// test/support/spec.ts and skips itself when the folder is absent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttestationProblem, BuildResult, buildCaReferencesAttestation, buildNoneAttestation, buildSymmetricKeyAttestation, buildTpmAttestation,
  buildX509GroupAttestation, buildX509IndividualAttestation, describeKey, generateSymmetricKey, inspectCertificate, registrationIdFromEndorsementKey,
} from '../../../src/attestation';
import type { AttestationMechanism } from '../../../src/dps/models';
import { eccEndorsementKey, rsaEndorsementKey, testChain } from '../../support/attestation';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specDir, specValidator } from '../../support/spec';

const spec = specValidator();
const codes = (problems: readonly AttestationProblem[]) => problems.map((p) => p.code);

function attestationOf(result: BuildResult): AttestationMechanism {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result.problems)}`);
  return result.attestation;
}

async function everyBuilderOutput(): Promise<[string, AttestationMechanism][]> {
  const { root, intermediate, device } = await testChain('ecdsa-p256');
  const rsa = await testChain('rsa-2048');
  return [
    ['group from root', attestationOf(buildX509GroupAttestation({ primaryCertificate: root.certificatePem }))],
    ['group from intermediates', attestationOf(buildX509GroupAttestation({ primaryCertificate: intermediate.certificatePem, secondaryCertificate: rsa.intermediate.certificatePem }))],
    ['individual', attestationOf(buildX509IndividualAttestation({ primaryCertificate: device.certificatePem }))],
    ['individual primary+secondary', attestationOf(buildX509IndividualAttestation({ primaryCertificate: device.certificatePem, secondaryCertificate: rsa.device.certificatePem }))],
    ['CA references', attestationOf(buildCaReferencesAttestation({ primaryCaName: 'contoso-root', secondaryCaName: 'contoso-root-2026' }))],
    ['TPM', attestationOf(buildTpmAttestation({ endorsementKey: rsaEndorsementKey().toString('base64'), storageRootKey: rsaEndorsementKey().toString('base64') }))],
    ['TPM ECC without SRK', attestationOf(buildTpmAttestation({ endorsementKey: eccEndorsementKey().toString('base64') }))],
    ['symmetric generated', attestationOf(buildSymmetricKeyAttestation())],
    ['symmetric supplied', attestationOf(buildSymmetricKeyAttestation({ primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey() }))],
    ['none', attestationOf(buildNoneAttestation())],
  ];
}

void describe('attestation builders', () => {
  void test('every builder output is a valid AttestationMechanism of the 2021-10-01 spec', { skip: spec === undefined && '../shared/dps/spec is absent' }, async () => {
    for (const [name, attestation] of await everyBuilderOutput()) {
      assert.deepEqual(spec?.validate('AttestationMechanism', attestation), [], name);
    }
    // The validator itself must be able to fail, or the loop above proves nothing.
    assert.notDeepEqual(spec?.validate('AttestationMechanism', { type: 'tpm', tpm: {} }), []);
    assert.notDeepEqual(spec?.validate('AttestationMechanism', { type: 'x509v3' }), []);
  });

  void test('builder outputs use only properties the spec defines (the schema alone allows extra ones)', { skip: spec === undefined && '../shared/dps/spec is absent' }, async () => {
    type Definition = { properties?: Record<string, { $ref?: string }> };
    const definitions = (JSON.parse(readFileSync(join(specDir, 'service.json'), 'utf8')) as { definitions: Record<string, Definition> }).definitions;
    const unknownKeys = (value: unknown, definitionName: string, path: string): string[] => {
      const properties = definitions[definitionName]?.properties ?? {};
      if (typeof value !== 'object' || value === null) return [];
      return Object.entries(value).flatMap(([key, child]) => {
        const property = properties[key];
        if (property === undefined) return [`${path}.${key}`];
        const ref = property.$ref?.replace('#/definitions/', '');
        return ref !== undefined ? unknownKeys(child, ref, `${path}.${key}`) : [];
      });
    };
    for (const [name, attestation] of await everyBuilderOutput()) {
      assert.deepEqual(unknownKeys(attestation, 'AttestationMechanism', 'attestation'), [], name);
    }
    assert.deepEqual(unknownKeys({ type: 'tpm', tpm: { ek: 'x' } }, 'AttestationMechanism', 'attestation'), ['attestation.tpm.ek']);
  });

  void test('x509 group and individual put the certificate PEM in the right member and nothing else', async () => {
    const { root, device } = await testChain('ecdsa-p256');
    assert.deepEqual(attestationOf(buildX509GroupAttestation({ primaryCertificate: `notes\r\n${root.certificatePem.replace(/\n/g, '\r\n')}` })), {
      type: 'x509', x509: { signingCertificates: { primary: { certificate: root.certificatePem } } },
    });
    const individual = buildX509IndividualAttestation({ primaryCertificate: device.certificatePem, registrationId: 'DEVICE-01' });
    assert.deepEqual(attestationOf(individual), { type: 'x509', x509: { clientCertificates: { primary: { certificate: device.certificatePem } } } });
    assert.ok(individual.ok && individual.registrationId === 'device-01');
    assert.ok(individual.ok && individual.certificates?.primary.commonName === 'device-01');
  });

  void test('the wrong certificate kind, a mismatched registration id, and several certificates in one input are refused', async () => {
    const { root, intermediate, device } = await testChain('ecdsa-p256');
    assert.deepEqual(codes(buildX509GroupAttestation({ primaryCertificate: device.certificatePem }).problems), ['leafForGroup']);
    assert.deepEqual(codes(buildX509IndividualAttestation({ primaryCertificate: root.certificatePem }).problems), ['caForIndividual']);
    const mismatch = buildX509IndividualAttestation({ primaryCertificate: device.certificatePem, registrationId: 'other-device' });
    assert.deepEqual(codes(mismatch.problems), ['invalidRegistrationId']);
    assert.match(mismatch.problems[0]?.message ?? '', /use "device-01"/);
    const bundle = buildX509GroupAttestation({ primaryCertificate: root.certificatePem + intermediate.certificatePem });
    assert.deepEqual(codes(bundle.problems), ['multipleCertificates', 'chainOrder']);
    const secondaryBad = buildX509GroupAttestation({ primaryCertificate: root.certificatePem, secondaryCertificate: device.privateKeyPem });
    assert.deepEqual(secondaryBad.problems.map((p) => [p.code, p.field]), [['privateKeyGiven', 'secondary']]);
    const same = buildX509GroupAttestation({ primaryCertificate: root.certificatePem, secondaryCertificate: root.certificatePem });
    assert.ok(same.ok);
    assert.deepEqual(codes(same.problems), ['sameCertificateTwice']);
    const empty = buildX509IndividualAttestation({ primaryCertificate: new Uint8Array(0) });
    assert.deepEqual(empty.problems.map((p) => [p.code, p.field]), [['empty', 'primary']]);
  });

  void test('TPM: the EK is required and checked, the SRK optional, and the conventional id comes back', () => {
    const ek = rsaEndorsementKey().toString('base64');
    const built = buildTpmAttestation({ endorsementKey: ek.replace(/(.{60})/g, '$1\n'), storageRootKey: '' });
    assert.deepEqual(attestationOf(built), { type: 'tpm', tpm: { endorsementKey: ek } });
    assert.ok(built.ok && built.registrationId === registrationIdFromEndorsementKey(ek));
    assert.deepEqual(buildTpmAttestation({ endorsementKey: '' }).problems.map((p) => [p.code, p.field]), [['tpmEmpty', 'endorsementKey']]);
    assert.deepEqual(buildTpmAttestation({ endorsementKey: ek, storageRootKey: 'not base64!' }).problems.map((p) => [p.code, p.field]), [['tpmNotBase64', 'storageRootKey']]);
  });

  void test('symmetric keys: generated keys are 64 random bytes; supplied keys are validated per field', () => {
    const a = attestationOf(buildSymmetricKeyAttestation());
    const b = attestationOf(buildSymmetricKeyAttestation());
    assert.equal(Buffer.from(a.symmetricKey?.primaryKey ?? '', 'base64').length, 64);
    assert.notEqual(a.symmetricKey?.primaryKey, a.symmetricKey?.secondaryKey);
    assert.notEqual(a.symmetricKey?.primaryKey, b.symmetricKey?.primaryKey);
    const supplied = Buffer.alloc(32, 7).toString('base64');
    assert.equal(attestationOf(buildSymmetricKeyAttestation({ primaryKey: supplied })).symmetricKey?.primaryKey, supplied);
    const bad = buildSymmetricKeyAttestation({ primaryKey: 'password123', secondaryKey: Buffer.alloc(8).toString('base64') });
    assert.deepEqual(bad.problems.map((p) => [p.code, p.field]), [['keyNotBase64', 'primaryKey'], ['keyWrongLength', 'secondaryKey']]);
    assert.equal(bad.problems.some((p) => p.message.includes('password123')), false);
    assert.deepEqual(codes(buildSymmetricKeyAttestation({ primaryKey: supplied, secondaryKey: supplied }).problems), ['sameKeyTwice']);
  });

  void test('CA references: names are trimmed and checked', () => {
    assert.deepEqual(attestationOf(buildCaReferencesAttestation({ primaryCaName: ' my-ca ' })), { type: 'x509', x509: { caReferences: { primary: 'my-ca' } } });
    assert.deepEqual(buildCaReferencesAttestation({ primaryCaName: 'ok', secondaryCaName: 'has space' }).problems.map((p) => [p.code, p.field]), [['invalidCaReference', 'secondary']]);
    assert.deepEqual(codes(buildCaReferencesAttestation({ primaryCaName: '' }).problems), ['invalidCaReference']);
  });

  void test('inspectCertificate gives facts, problems and the registration id a form shows', async () => {
    const { root, device } = await testChain('ecdsa-p384');
    const leaf = inspectCertificate(Buffer.from(device.certificatePem), 'enrollment');
    assert.equal(leaf.registrationId, 'device-01');
    assert.equal(leaf.certificate?.facts.commonName, 'device-01');
    assert.equal(describeKey(leaf.certificate?.facts ?? { keyAlgorithm: 'other', keySize: null, curve: null }), 'ECDSA P-384');
    const wrong = inspectCertificate(device.certificatePem, 'group');
    assert.deepEqual(codes(wrong.problems), ['leafForGroup']);
    assert.equal(wrong.registrationId, undefined);
    assert.deepEqual(codes(inspectCertificate(root.privateKeyPem, 'group').problems), ['privateKeyGiven']);
  });
});

void test('an individual enrollment given a device full-chain file uses the device certificate, with a warning', async () => {
  const { root, intermediate, device } = await testChain('ecdsa-p256');
  const built = buildX509IndividualAttestation({ primaryCertificate: device.certificatePem + intermediate.certificatePem + root.certificatePem });
  assert.deepEqual(attestationOf(built).x509?.clientCertificates?.primary?.certificate, device.certificatePem);
  assert.deepEqual(built.problems.map((p) => [p.code, p.severity]), [['multipleCertificates', 'warning']]);
  const reversed = buildX509IndividualAttestation({ primaryCertificate: root.certificatePem + intermediate.certificatePem + device.certificatePem });
  assert.deepEqual(codes(reversed.problems), ['multipleCertificates', 'chainOrder']);
});
