// Fidelity against the spec itself. READS ../shared/dps/spec (outside the repo; absent on users'
// machines): every test here skips itself when it is missing.
//  1. The validator accepts the spec's own example bodies (so it checks what it should).
//  2. Every example (all 30, MinimumSet and MaximumSet) is replayed against the emulator: same
//     status, and the answer matches the operation's response schema (request() checks it). For
//     MinimumSet examples the example's response body must also be contained in the emulator's (the
//     MaximumSet bodies are random noise). The generator gave path ids that differ from body ids;
//     the body id is used for the path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, sharedSpec, startTestEmulator, type TestEmulator } from '../support/emulator';
import type { SpecExample } from '../support/spec';

const spec = sharedSpec();
const skip = spec === undefined ? 'needs ../shared/dps/spec (development checkout only)' : false;

/** True when every field of `expected` appears in `actual` with a contained value. */
function contains(actual: unknown, expected: unknown, path = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${path}: expected an array of ${expected.length}`];
    return expected.flatMap((e, i) => contains(actual[i], e, `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${path}: expected an object`];
    return Object.entries(expected).flatMap(([k, v]) => contains((actual as Record<string, unknown>)[k], v, `${path}.${k}`));
  }
  return actual === expected ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

const REQUEST_BODY_PARAMETER: Record<string, string> = { enrollment: 'IndividualEnrollment', enrollmentGroup: 'EnrollmentGroup', querySpecification: 'QuerySpecification' };

void describe('spec examples', { skip }, () => {
  const examples: SpecExample[] = spec?.examples() ?? [];

  void test('the validator accepts every example request and response body', () => {
    assert.equal(examples.length, 30);
    for (const ex of examples) {
      for (const [param, definition] of Object.entries(REQUEST_BODY_PARAMETER)) {
        if (param in ex.parameters) assert.deepEqual(spec?.validate(definition, ex.parameters[param]), [], `${ex.file} ${param}`);
      }
      for (const [status, response] of Object.entries(ex.responses)) {
        assert.deepEqual(spec?.validateResponse(ex.operationId, Number(status), response.body), [], `${ex.file} ${status}`);
      }
    }
  });

  void test('the validator refuses bodies that break the schema', () => {
    assert.ok((spec?.validate('IndividualEnrollment', { registrationId: 'a' }) ?? []).length > 0, 'missing attestation');
    assert.ok((spec?.validate('AttestationMechanism', { type: 'password' }) ?? []).length > 0, 'bad enum');
    assert.ok((spec?.validate('BulkEnrollmentOperationResult', { isSuccessful: 'yes' }) ?? []).length > 0, 'wrong type');
    assert.ok((spec?.validate('X509CertificateInfo', { subjectName: 's' }) ?? []).length > 0, 'missing required fields');
  });

  void describe('every example request replayed against the emulator (status + response schema)', () => {
    let t: TestEmulator;
    before(async () => {
      t = await startTestEmulator();
    });
    after(() => t.dispose());

    const empty = { format: 'dps-enrollments-emulator', version: 1, enrollments: [], enrollmentGroups: [], registrations: [] };
    const none = { type: 'none' };
    for (const ex of examples) {
      void test(ex.file, async () => {
        t.emu.store.restore(empty, 'test');
        const [kind, op] = ex.operationId.split('_') as [string, string];
        const p = ex.parameters;
        const expected = ex.responses['200']?.body;
        const exampleBodyId = (expected as { registrationId?: string; enrollmentGroupId?: string } | undefined);
        let method: string;
        let path: string;
        let body: unknown;
        if (kind === 'DeviceRegistrationState') {
          const id = String(p.id);
          t.emu.store.upsertRegistration({ registrationId: op === 'Query' ? 'member-1' : id }, op === 'Query' ? id : 'some-group');
          [method, path] = op === 'Get' ? ['GET', `/registrations/${id}`] : op === 'Delete' ? ['DELETE', `/registrations/${id}`] : ['POST', `/registrations/${id}/query`];
        } else {
          const collection = kind === 'IndividualEnrollment' ? '/enrollments' : '/enrollmentGroups';
          const idField = kind === 'IndividualEnrollment' ? 'registrationId' : 'enrollmentGroupId';
          const bodyParam = (p.enrollment ?? p.enrollmentGroup) as Record<string, unknown> | undefined;
          const id = String(bodyParam?.[idField] ?? exampleBodyId?.[idField as 'registrationId'] ?? p.id);
          if (op !== 'CreateOrUpdate' && op !== 'RunBulkOperation') {
            // The item must exist first: created from the example's expected body when it has one.
            const seed = op === 'Get' || op === 'Query' ? { ...(Array.isArray(expected) ? expected[0] : expected) as object } : { [idField]: id, attestation: none };
            const seedId = String((seed as Record<string, unknown>)[idField]);
            assert.equal((await request(t.emu, { method: 'PUT', path: `${collection}/${seedId}`, body: seed })).status, 200);
          }
          const seededId = op === 'Get' ? String((expected as Record<string, unknown>)[idField]) : id;
          switch (op) {
            case 'CreateOrUpdate': [method, path, body] = ['PUT', `${collection}/${id}`, bodyParam]; break;
            case 'Get': [method, path] = ['GET', `${collection}/${seededId}`]; break;
            case 'Delete': [method, path] = ['DELETE', `${collection}/${id}`]; break;
            case 'GetAttestationMechanism': [method, path] = ['POST', `${collection}/${id}/attestationmechanism`]; break;
            case 'Query': [method, path, body] = ['POST', `${collection}/query`, p.querySpecification]; break;
            default: [method, path, body] = ['POST', collection, p.bulkOperation];
          }
        }
        const r = await request(t.emu, { method, path, body });
        const [expectedStatus] = Object.keys(ex.responses);
        assert.equal(String(r.status), expectedStatus, `${ex.file}: ${r.text}`);
        // The response schema is checked by request(); MinimumSet bodies must also be contained in the answer
        // (MaximumSet bodies are generated noise: random certificates, keys and fields the emulator derives itself).
        if (expected !== undefined && ex.file.includes('MinimumSet')) assert.deepEqual(contains(r.body, expected), [], ex.file);
      });
    }
  });
});
