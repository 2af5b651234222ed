// Service errors are placed next to the field they concern, or at the top of the form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DpsError } from '../../../src/dps/errors';
import { placeServiceError } from '../../../src/enrollmentForm/serviceErrorFields';

const http = (status: number, message: string): DpsError => new DpsError({ kind: 'http', status, errorCode: status * 1000 + 4, message, operation: 'IndividualEnrollment_CreateOrUpdate' });
const create = { kind: 'enrollment', mode: 'create' } as const;
const update = { kind: 'group', mode: 'update' } as const;

void describe('service error placement', () => {
  void test('400 messages that name a field land on that field, with the service code', () => {
    const cases: [string, string][] = [
      ['Invalid endorsementKey.', 'endorsementKey'],
      ['The certificate is not a valid X509 certificate.', 'primaryCertificate'],
      ['IoT hub foo.azure-devices.net is not linked.', 'iotHubs'],
      ['Invalid registration id.', 'id'],
      ['Invalid deviceId: too long.', 'deviceId'],
      ['Webhook URL must use https.', 'webhookUrl'],
      ['The tags are not valid.', 'tagsJson'],
    ];
    for (const [message, field] of cases) {
      const placed = placeServiceError(http(400, message), create);
      assert.equal(placed.problems[0]?.field, field, message);
      assert.equal(placed.problems[0]?.message, message);
      assert.equal(placed.problems[0]?.code, '400004');
    }
  });

  void test('statuses with a known meaning get a sentence a person understands', () => {
    assert.match(placeServiceError(http(412, 'Precondition failed'), update).summary, /changed by someone else/);
    assert.equal(placeServiceError(http(409, 'Conflict'), create).problems[0]?.field, 'id');
    assert.match(placeServiceError(http(404, 'Not found'), update).summary, /no longer exists/);
    assert.match(placeServiceError(http(401, 'Unauthorized'), create).summary, /Update the connection/);
    assert.match(placeServiceError(http(429, 'Too many'), create).summary, /throttling/);
    assert.match(placeServiceError(http(500, 'Boom.'), create).summary, /HTTP 500.*Boom/);
    assert.match(placeServiceError(new DpsError({ kind: 'network', message: 'connect ECONNREFUSED', operation: 'x' }), create).summary, /could not be reached/);
    const unplaced = placeServiceError(http(400, 'Something odd.'), create);
    assert.equal(unplaced.problems[0]?.field, 'form');
  });
});
