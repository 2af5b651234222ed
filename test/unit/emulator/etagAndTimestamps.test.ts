import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etagMatches, newEtag } from '../../../src/emulator/etag';
import { certificateTimestamp, recordTimestamp } from '../../../src/emulator/timestamps';

// Formats recorded from the live service (recording test_enrollment_symmetrickey_lifecycle and
// test_enrollment_x509_lifecycle): opaque unquoted etags; up to 7 fractional digits; whole-second certificate dates.
void test('etags are opaque base64 without quotes, new every time, matched verbatim or quoted', () => {
  const a = newEtag();
  assert.match(a, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.ok(!a.includes('"'));
  assert.notEqual(newEtag(), a);
  assert.ok(etagMatches(a, a));
  assert.ok(etagMatches(`"${a}"`, a));
  assert.ok(!etagMatches(newEtag(), a));
});

void test('record timestamps keep the second and millisecond and carry up to 7 fractional digits', () => {
  const at = new Date('2023-05-19T23:10:45.125Z');
  for (let i = 0; i < 50; i++) {
    const s = recordTimestamp(at);
    assert.match(s, /^2023-05-19T23:10:45\.125\d{0,4}Z$/);
    assert.ok(!/\.\d*0Z$/.test(s), 'trailing zeros are trimmed');
  }
  assert.equal(certificateTimestamp(new Date('2023-05-19T23:10:43.000Z')), '2023-05-19T23:10:43Z');
});
