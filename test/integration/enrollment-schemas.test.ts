// Everything the service gives back must be valid against the schemas the editor applies, or
// opening an untouched enrollment would show squiggles: the demo data as GET and query return it,
// and the null-heavy body the Python SDK sends (its recordings show the service echoing nulls).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, startTestEmulator, type TestEmulator } from '../support/emulator';
import { schemaValidators } from '../support/enrollmentSchemas';
import { idFieldOf, ITEM_KINDS, ITEM_KIND_FACTS } from '../../src/dps/items';

const validators = schemaValidators();

void describe('service output against the enrollment document schemas', () => {
  let t: TestEmulator;
  before(async () => {
    t = await startTestEmulator({ seed: 'demo' });
  });
  after(async () => t.dispose());

  for (const kind of ITEM_KINDS) {
    void test(`every demo ${ITEM_KIND_FACTS[kind].singular}, queried and read one by one, is valid`, async () => {
      const collection = ITEM_KIND_FACTS[kind].collection;
      const listed = await request<Array<Record<string, unknown>>>(t.emu, { method: 'POST', path: `/${collection}/query`, body: { query: '*' } });
      assert.equal(listed.status, 200);
      assert.ok(listed.body.length > 0);
      for (const item of listed.body) {
        const validate = validators[kind];
        assert.ok(validate(item), `query ${JSON.stringify(validate.errors)}`);
        const read = await request<Record<string, unknown>>(t.emu, { method: 'GET', path: `/${collection}/${String(item[idFieldOf(kind)])}` });
        assert.ok(validate(read.body), `GET ${JSON.stringify(validate.errors)}`);
      }
    });
  }

  void test('nulls the service echoes are valid', () => {
    const body = {
      registrationId: 'py-01', allocationPolicy: 'static', capabilities: null, reprovisionPolicy: null, customAllocationDefinition: null,
      provisioningStatus: null, deviceId: null, optionalDeviceInformation: null, iotHubs: null, iotHubHostName: null, initialTwin: null,
      attestation: { type: 'symmetricKey', symmetricKey: null, x509: null, tpm: null },
    };
    assert.ok(validators.enrollment(body), JSON.stringify(validators.enrollment.errors));
  });
});
