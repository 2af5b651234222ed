// The terminal's listing of items on the service that the file does not name: the first few by kind
// and id, the rest counted, nothing when there are none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNotInFileText, type Plan } from '../../../src/ascode';

function planWith(notInFile: Plan['notInFile']): Plan {
  return {
    format: 'dps-enrollments-plan', version: 1, hostName: 'lab.azure-devices-provisioning.net', fileName: 'fleet.dps.json', prune: false,
    createdAtUtc: '2026-12-01T00:00:00Z', entries: [], counts: { create: 0, update: 0, delete: 0, unchanged: 0 }, notInFile,
  };
}

void test('lists the first items not in the file and counts the rest', () => {
  const many = [{ kind: 'group' as const, id: 'g' }, ...Array.from({ length: 4 }, (_, i) => ({ kind: 'enrollment' as const, id: `e${i}` }))];
  assert.equal(renderNotInFileText(planWith(many), 3), [
    'On lab.azure-devices-provisioning.net but not in fleet.dps.json (5; kept, as prune is off: with --prune they are drift, to be deleted):',
    '    enrollment group g',
    '    individual enrollment e0',
    '    individual enrollment e1',
    '    … and 2 more (--json lists them all)',
    '',
  ].join('\n'));
  assert.equal(renderNotInFileText(planWith(many.slice(0, 3)), 3).includes('more'), false);
});

void test('nothing when the service holds only what the file names', () => {
  assert.equal(renderNotInFileText(planWith([])), '');
});
