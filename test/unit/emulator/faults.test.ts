import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultInjector, mulberry32, validateFaultOptions } from '../../../src/emulator/faults';

void test('a seed makes the sequence repeatable and the rate roughly holds', () => {
  const run = () => {
    const f = new FaultInjector({ rate: 0.1, kinds: ['429', '503'], seed: 1234 });
    return Array.from({ length: 5000 }, () => f.next()?.kind ?? '-');
  };
  const a = run();
  assert.deepEqual(run(), a);
  const faults = a.filter((k) => k !== '-').length;
  assert.ok(faults > 400 && faults < 600, `${faults} faults in 5000`);
  assert.ok(a.includes('429') && a.includes('503'));
});

void test('afterProcessing only for 500/reset and only when asked', () => {
  const asked = new FaultInjector({ rate: 1, kinds: ['500', 'reset', '429'], seed: 5, applyAfterProcessing: true });
  const decisions = Array.from({ length: 300 }, () => asked.next());
  assert.ok(decisions.some((d) => d?.afterProcessing === true));
  assert.ok(decisions.some((d) => d?.afterProcessing === false && d.kind === '500'));
  assert.ok(decisions.every((d) => d?.kind !== '429' || !d.afterProcessing));
  const notAsked = new FaultInjector({ rate: 1, kinds: ['500'], seed: 5 });
  assert.ok(Array.from({ length: 50 }, () => notAsked.next()).every((d) => d?.afterProcessing === false));
});

void test('rate 0 never faults; bad options are refused', () => {
  const f = new FaultInjector({ rate: 0, kinds: ['500'] });
  assert.ok(Array.from({ length: 100 }, () => f.next()).every((d) => d === undefined));
  assert.throws(() => validateFaultOptions({ rate: 1.5, kinds: ['500'] }), /between 0 and 1/);
  assert.throws(() => validateFaultOptions({ rate: 0.5, kinds: [] }), /At least one/);
  assert.throws(() => validateFaultOptions({ rate: 0.5, kinds: ['boom' as '500'] }), /Unknown fault kind 'boom'/);
});

void test('mulberry32 yields numbers in [0, 1)', () => {
  const r = mulberry32(7);
  for (let i = 0; i < 1000; i++) {
    const x = r();
    assert.ok(x >= 0 && x < 1);
  }
});
