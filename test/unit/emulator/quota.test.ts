import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingWindowQuota } from '../../../src/emulator/quota';

void test('admits N per sliding minute and says when the next one fits', () => {
  let now = 0;
  const quota = new SlidingWindowQuota(3, () => now);
  for (const t of [0, 10_000, 20_000]) {
    now = t;
    assert.equal(quota.tryAcquire().allowed, true);
  }
  now = 30_000;
  assert.deepEqual(quota.tryAcquire(), { allowed: false, retryAfterSeconds: 30 });
  now = 59_999;
  assert.deepEqual(quota.tryAcquire(), { allowed: false, retryAfterSeconds: 1 });
  now = 60_000; // the call at 0 left the window
  assert.equal(quota.tryAcquire().allowed, true);
  assert.equal(quota.tryAcquire().allowed, false);
});

void test('refused calls do not use up quota', () => {
  let now = 0;
  const quota = new SlidingWindowQuota(1, () => now);
  quota.tryAcquire();
  for (let i = 0; i < 100; i++) quota.tryAcquire();
  now = 60_001;
  assert.equal(quota.tryAcquire().allowed, true);
});

void test('stays bounded over many operations', () => {
  let now = 0;
  const quota = new SlidingWindowQuota(1000, () => now);
  let admitted = 0;
  for (let i = 0; i < 200_000; i++) {
    now += 10; // 6,000 attempts per minute
    if (quota.tryAcquire().allowed) admitted += 1;
  }
  const minutes = now / 60_000;
  assert.ok(Math.abs(admitted - 1000 * minutes) <= 1000, `admitted ${admitted} in ${minutes} minutes`);
});

void test('refuses a non-positive quota', () => {
  assert.throws(() => new SlidingWindowQuota(0), /positive integer/);
});
