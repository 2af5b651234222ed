import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSymmetricKey } from '../../../src/attestation';
import { parseEnrollmentCsv } from '../../../src/bulk/csvSource';
import { BulkSourceError } from '../../../src/bulk/rows';
import { leafWithCommonName, rsaEndorsementKey } from '../../support/attestation';

void describe('parseEnrollmentCsv', () => {
  void test('maps header columns by name and alias, with BOM, quoting and CRLF', () => {
    const key = generateSymmetricKey();
    const csv = '\uFEFFRegistration ID,Primary_Key,Device-Id,hub,Status,tags\r\n'
      + `dev-1,${key},device one,hub1.azure-devices.net,Disabled,"{""site"":""north, 2""}"\r\n`
      + 'dev-2,,,,,site=south;line=3\r\n';
    const { rows, kind } = parseEnrollmentCsv(csv, { mode: 'create', fileName: 'devices.csv' });
    assert.equal(kind, 'enrollment');
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.errors), [[], []]);
    assert.deepEqual(rows[0].item, {
      registrationId: 'dev-1',
      attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key } },
      deviceId: 'device one',
      iotHubHostName: 'hub1.azure-devices.net',
      provisioningStatus: 'disabled',
      initialTwin: { tags: { site: 'north, 2' } },
    });
    assert.deepEqual(rows[1].item, { registrationId: 'dev-2', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { site: 'south', line: '3' } } });
    assert.equal(rows[0].origin, 'line 2');
  });

  void test('bad rows are rows with reasons; good rows stay good', () => {
    const csv = [
      'registrationId,primaryKey,status,iotEdge,tags',
      'good-1,,enabled,true,',
      'bad id!,,,,',
      'bad-key,not base64!,,,',
      'bad-status,,paused,,',
      'bad-edge,,,maybe,',
      'bad-tags,,,,{oops',
      'too,many,cells,here,x,y',
      ',,,,',
    ].join('\n');
    const { rows } = parseEnrollmentCsv(csv, { mode: 'create' });
    const byId = new Map(rows.map((r) => [r.id || r.origin, r]));
    assert.equal(byId.get('good-1')?.errors.length, 0);
    assert.deepEqual(byId.get('good-1')?.item?.capabilities, { iotEdge: true });
    assert.match(byId.get('bad id!')?.errors.join(' ') ?? '', /characters DPS does not allow/);
    assert.match(byId.get('bad-key')?.errors.join(' ') ?? '', /not base64/);
    assert.match(byId.get('bad-status')?.errors.join(' ') ?? '', /"enabled" or "disabled"/);
    assert.match(byId.get('bad-edge')?.errors.join(' ') ?? '', /iotEdge must be true or false/);
    assert.match(byId.get('bad-tags')?.errors.join(' ') ?? '', /tags is not a JSON object/);
    assert.match(byId.get('too')?.errors.join(' ') ?? '', /6 cells but the header has 5 columns/);
    assert.match(byId.get('line 9')?.errors.join(' ') ?? '', /registration id is empty/);
    for (const row of rows) assert.equal(row.item === undefined, row.errors.length > 0);
  });

  void test('a key never appears in a row message', () => {
    const shortKey = Buffer.alloc(8, 7).toString('base64');
    const { rows } = parseEnrollmentCsv(`registrationId,primaryKey\nd1,${shortKey}\n`, { mode: 'create' });
    assert.match(rows[0].errors.join(' '), /8 bytes/);
    assert.ok(!rows[0].errors.join(' ').includes(shortKey));
  });

  void test('TPM rows by column, X.509 rows by inline PEM or a file path', async () => {
    const ek = rsaEndorsementKey().toString('base64');
    const pem = await leafWithCommonName('cert-dev');
    const csv = `registrationId,endorsementKey,certificate\ntpm-1,${ek},\ncert-dev,,"${pem}"\ncert-dev-2,,certs/dev.pem\n`;
    const read: string[] = [];
    const { rows } = parseEnrollmentCsv(csv, { mode: 'create', readCertificateFile: (p) => { read.push(p); return Buffer.from(pem); } });
    assert.equal(rows[0].item?.attestation.type, 'tpm');
    assert.equal(rows[1].item?.attestation.type, 'x509');
    assert.deepEqual(read, ['certs/dev.pem']);
    // The file's CN is cert-dev, not cert-dev-2: DPS would never match the device.
    assert.match(rows[2].errors.join(' '), /CN/);
  });

  void test('delete needs only the id', () => {
    const { rows } = parseEnrollmentCsv('registrationId,primaryKey\nd1,not-a-key\n', { mode: 'delete' });
    assert.deepEqual(rows[0].item, { registrationId: 'd1', attestation: { type: 'none' } });
  });

  void test('whole-file problems throw a BulkSourceError that says what to fix', () => {
    assert.throws(() => parseEnrollmentCsv('', { mode: 'create', fileName: 'x.csv' }), /x\.csv is empty/);
    assert.throws(() => parseEnrollmentCsv('deviceId\nd\n', { mode: 'create' }), /no "registrationId" column/);
    assert.throws(() => parseEnrollmentCsv('registrationId,colour\nd,red\n', { mode: 'create' }), /column "colour" is unknown/);
    assert.throws(() => parseEnrollmentCsv('registrationId,id\nd,e\n', { mode: 'create' }), /both mean registrationId/);
    assert.throws(() => parseEnrollmentCsv('registrationId\n"unclosed\n', { mode: 'create', fileName: 'q.csv' }), (e: unknown) => e instanceof BulkSourceError && /q\.csv is not valid CSV at line 2: a quote is opened and never closed/.test(e.message));
    // csv-parse would quote the cell; a key in it must not reach the message.
    const key = generateSymmetricKey();
    assert.throws(() => parseEnrollmentCsv(`registrationId,primaryKey\nd1,${key}"x\n`, { mode: 'create' }), (e: unknown) =>
      e instanceof BulkSourceError && /at line 2: a quote appears inside an unquoted cell/.test(e.message) && !e.message.includes(key.slice(0, 12)));
  });
});

void describe('parseEnrollmentCsv hub cells', () => {
  void test('a hub cell that is not a host name makes the row an error, not an iotHubHostName', () => {
    const { rows } = parseEnrollmentCsv('registrationId,hub\ndev-1,not a hub\ndev-2,hub2.azure-devices.net\n', { mode: 'create', fileName: 'devices.csv' });
    assert.equal(rows[0]?.item, undefined);
    assert.match(rows[0]?.errors.join(' ') ?? '', /"iotHubHostName": "not a hub" is not an IoT hub host name/);
    assert.deepEqual(rows[1]?.errors, []);
  });
});
