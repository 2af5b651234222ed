import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idProblem, keyOf } from '../../../src/emulator/ids';

void test('accepts the documented characters and lengths', () => {
  for (const id of ['a', 'device-01', 'Dev.01_x:y', 'ends-with-dash-', 'a'.repeat(128), '0']) assert.equal(idProblem(id, 'id'), undefined, id);
});

void test('refuses each broken rule with a reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /required/],
    ['', /required/],
    [42, /required/],
    ['a'.repeat(129), /129 characters/],
    ['has space', /only letters/],
    ['slash/id', /only letters/],
    ['-start', /start with a letter/],
    ['.start', /start with a letter/],
    ['end.', /end with a letter, digit or '-'/],
    ['end_', /end with/],
  ];
  for (const [id, reason] of cases) assert.match(idProblem(id, 'registrationId') ?? 'accepted', reason, String(id));
});

void test('keys are case-insensitive', () => {
  assert.equal(keyOf('Dev-A'), keyOf('dev-a'));
});
