import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeSubmitProblems } from '../../../src/enrollmentForm/page/submitProblems';
import { lightProblems } from '../../../src/enrollmentForm/page/lightChecks';
import { sanitisedId } from '../../../src/enrollmentForm/attestationAdapter';
import { emptyDraft, type FieldProblem, type FormField } from '../../../src/enrollmentForm/protocol';

const err = (field: FormField, message: string): FieldProblem => ({ field, severity: 'error', message });

void describe('submit problems come in one round', () => {
  void test('host problems win per field, the page fills the rest, all at once', () => {
    const host = [err('id', 'Enter a registration id.'), err('primaryCertificate', 'Choose the device certificate.'), err('iotHubs', 'bad hub')];
    const light = [err('id', 'Enter a registration id.'), err('tagsJson', 'not JSON')];
    assert.deepEqual(mergeSubmitProblems(host, light, new Map()).map((p) => p.field), ['id', 'primaryCertificate', 'iotHubs', 'tagsJson']);
  });

  void test('a certificate slot keeps its specific reason and file name after submit', () => {
    const kept = new Map<FormField, FieldProblem[]>([['primaryCertificate', [err('primaryCertificate', 'device.pem is cut short: the PEM block has no END line.')]]]);
    const merged = mergeSubmitProblems([err('id', 'Enter a registration id.'), err('primaryCertificate', 'Choose the device certificate.')], [], kept);
    assert.deepEqual(merged.map((p) => p.message), ['Enter a registration id.', 'device.pem is cut short: the PEM block has no END line.']);
  });

  void test('the page checks hub names with the shared rule', () => {
    const problems = lightProblems({ ...emptyDraft('enrollment'), id: 'dev-1', attestationType: 'symmetricKey', iotHubs: 'not a hub' });
    assert.match(problems.find((p) => p.field === 'iotHubs')?.message ?? '', /contains a space/);
  });

  void test('an invalid CN becomes a sanitised group id, never an id that would be refused', () => {
    assert.equal(sanitisedId('Bad CN With Spaces'), 'Bad-CN-With-Spaces');
    assert.equal(sanitisedId('  ***  '), undefined);
    assert.equal(sanitisedId('Contoso Root CA.'), 'Contoso-Root-CA');
  });
});
