import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchRoute } from '../../../src/emulator/routes';

void test('all 15 operations are routed (device paths are not theirs), paths case-insensitively', () => {
  const cases: Array<[string, string, string, string?]> = [
    ['GET', '/enrollments/a%3Ab', 'IndividualEnrollment_Get', 'a:b'],
    ['PUT', '/enrollments/a', 'IndividualEnrollment_CreateOrUpdate', 'a'],
    ['DELETE', '/Enrollments/a', 'IndividualEnrollment_Delete', 'a'],
    ['POST', '/enrollments/a/attestationmechanism', 'IndividualEnrollment_GetAttestationMechanism', 'a'],
    ['POST', '/enrollments/query', 'IndividualEnrollment_Query'],
    ['POST', '/enrollments', 'IndividualEnrollment_RunBulkOperation'],
    ['POST', '/enrollments/', 'IndividualEnrollment_RunBulkOperation'],
    ['GET', '/enrollmentGroups/g', 'EnrollmentGroup_Get', 'g'],
    ['PUT', '/enrollmentgroups/g', 'EnrollmentGroup_CreateOrUpdate', 'g'],
    ['DELETE', '/enrollmentGroups/g', 'EnrollmentGroup_Delete', 'g'],
    ['POST', '/enrollmentgroups/g/AttestationMechanism', 'EnrollmentGroup_GetAttestationMechanism', 'g'],
    ['POST', '/enrollmentGroups/query', 'EnrollmentGroup_Query'],
    ['POST', '/enrollmentGroups', 'EnrollmentGroup_RunBulkOperation'],
    ['GET', '/registrations/r', 'DeviceRegistrationState_Get', 'r'],
    ['DELETE', '/registrations/r', 'DeviceRegistrationState_Delete', 'r'],
    ['POST', '/registrations/g/query', 'DeviceRegistrationState_Query', 'g'],
  ];
  for (const [method, path, op, id] of cases) {
    const m = matchRoute(method, path);
    assert.equal(m.operationId, op, `${method} ${path}`);
    assert.equal(m.id, id, `${method} ${path} id`);
  }
  assert.equal(matchRoute('GET', '/enrollments/query').operationId, 'IndividualEnrollment_Get', 'GET of an enrollment named query');
});

void test('unknown paths are 404, wrong methods 405 with Allow', () => {
  assert.throws(() => matchRoute('GET', '/'), (e: { status: number }) => e.status === 404);
  assert.throws(() => matchRoute('GET', '/enrollments/a/b/c'), (e: { status: number }) => e.status === 404);
  assert.throws(() => matchRoute('PATCH', '/enrollments/a'), (e: { status: number; headers: Record<string, string> }) => e.status === 405 && e.headers.allow === 'GET, PUT, DELETE');
  assert.throws(() => matchRoute('GET', '/enrollments'), (e: { status: number }) => e.status === 405);
  assert.throws(() => matchRoute('GET', '/enrollments/%E0%A4%A'), (e: { status: number }) => e.status === 400);
});
