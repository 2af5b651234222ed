import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSymmetricKey } from '../../../src/attestation';
import { parseEnrollmentCsv } from '../../../src/bulk/csvSource';
import { BulkSourceError } from '../../../src/bulk/rows';
import { leafWithCommonName, rsaEndorsementKey, testChain } from '../../support/attestation';

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
    assert.throws(() => parseEnrollmentCsv('deviceId\nd\n', { mode: 'create' }), /no "registrationId" column \(individual enrollments\) or "enrollmentGroupId" column \(enrollment groups\)/);
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

void describe('parseEnrollmentCsv of enrollment groups (an enrollmentGroupId column)', () => {
  void test('symmetric-key groups: keys given or none, the other group columns mapped as for enrollments', () => {
    const key = generateSymmetricKey();
    const csv = 'Enrollment Group ID,primaryKey,secondaryKey,hub,iotHubs,status,tags,iotEdge\r\n'
      + `grp-1,${key},${key},hub1.azure-devices.net,,Disabled,site=north,true\r\n`
      + 'grp-2,,,,"hub1.azure-devices.net, hub2.azure-devices.net",enabled,,\r\n';
    const { kind, rows } = parseEnrollmentCsv(csv, { mode: 'create', fileName: 'groups.csv' });
    assert.equal(kind, 'group');
    assert.deepEqual(rows.map((r) => r.errors), [[], []]);
    assert.deepEqual(rows[0].item, {
      enrollmentGroupId: 'grp-1',
      attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: key, secondaryKey: key } },
      iotHubHostName: 'hub1.azure-devices.net',
      provisioningStatus: 'disabled',
      capabilities: { iotEdge: true },
      initialTwin: { tags: { site: 'north' } },
    });
    // No keys: the service generates them on create (and an update keeps the current ones, see plan.test).
    assert.deepEqual(rows[1].item, { enrollmentGroupId: 'grp-2', attestation: { type: 'symmetricKey' }, iotHubs: ['hub1.azure-devices.net', 'hub2.azure-devices.net'], provisioningStatus: 'enabled' });
    assert.equal(rows[1].id, 'grp-2');
  });

  void test('x509 groups take CA certificate files beside the CSV as signing certificates; a leaf is refused with the attestation library\'s reason', async () => {
    const chain = await testChain('ecdsa-p256', 'a-device');
    const files: Record<string, string> = { 'root.pem': chain.root.certificatePem, 'inter.pem': chain.intermediate.certificatePem, 'device.pem': chain.device.certificatePem };
    const read: string[] = [];
    const readCertificateFile = (path: string): Uint8Array => {
      read.push(path);
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT');
      return Buffer.from(text);
    };
    const csv = 'enrollmentGroupId,certificate,secondaryCertificate\nca-group,inter.pem,root.pem\nleaf-group,device.pem,\nmissing-group,nowhere.pem,\n';
    const { kind, rows } = parseEnrollmentCsv(csv, { mode: 'create', readCertificateFile });
    assert.equal(kind, 'group');
    assert.deepEqual(read, ['inter.pem', 'root.pem', 'device.pem', 'nowhere.pem']);
    assert.deepEqual(rows[0].errors, []);
    assert.deepEqual(rows[0].item?.attestation, {
      type: 'x509',
      x509: { signingCertificates: { primary: { certificate: chain.intermediate.certificatePem }, secondary: { certificate: chain.root.certificatePem } } },
    });
    assert.equal(rows[1].item, undefined);
    assert.match(rows[1].errors.join(' '), /"a-device" is a device \(leaf\) certificate, not a CA\. An enrollment group needs the root or intermediate CA certificate/);
    assert.match(rows[2].errors.join(' '), /The certificate file "nowhere\.pem" could not be read/);
  });

  void test('x509 groups by caReference columns; the CA name is checked, and certificates and references do not mix', () => {
    const csv = [
      'enrollmentGroupId,attestationType,caReference,secondaryCaReference,certificate',
      'ref-group,,my-root-ca,my-next-ca,',
      'bad-name,x509,my root ca!,,',
      'only-secondary,,,my-next-ca,',
      'both,,my-root-ca,,-----BEGIN CERTIFICATE-----',
      'no-certificate,x509,,,',
    ].join('\n');
    const { rows } = parseEnrollmentCsv(csv, { mode: 'create' });
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.deepEqual(byId.get('ref-group')?.errors, []);
    assert.deepEqual(byId.get('ref-group')?.item?.attestation, { type: 'x509', x509: { caReferences: { primary: 'my-root-ca', secondary: 'my-next-ca' } } });
    assert.match(byId.get('bad-name')?.errors.join(' ') ?? '', /primary CA name "my root ca!" is not a CA certificate name DPS uses/);
    assert.match(byId.get('only-secondary')?.errors.join(' ') ?? '', /secondaryCaReference needs a caReference/);
    assert.match(byId.get('both')?.errors.join(' ') ?? '', /both a certificate and a caReference; an enrollment group uses one of them/);
    assert.match(byId.get('no-certificate')?.errors.join(' ') ?? '', /An x509 group row needs a certificate .* or a caReference/);
    for (const row of rows) assert.equal(row.item === undefined, row.errors.length > 0);
  });

  void test('tpm is refused for a group with the reason; an etag and certificate policy apply as for enrollments', () => {
    const csv = [
      'enrollmentGroupId,attestationType,etag,namespaceName,certificateAuthorityName,certificatePolicyName',
      'tpm-group,tpm,"e1",,,',
      'guarded,symmetricKey,"e2",ns-1,ca-1,policy-1',
    ].join('\n');
    const { rows } = parseEnrollmentCsv(csv, { mode: 'updateIfMatchETag' });
    assert.match(rows[0].errors.join(' '), /Enrollment groups support only X\.509 and symmetric-key attestation/);
    assert.deepEqual(rows[1].errors, []);
    assert.deepEqual(rows[1].item, {
      enrollmentGroupId: 'guarded', attestation: { type: 'symmetricKey' }, etag: 'e2',
      namespaceName: 'ns-1', certificateAuthorityName: 'ca-1', certificatePolicyName: 'policy-1',
    });
  });

  void test('delete needs only the group id', () => {
    const { kind, rows } = parseEnrollmentCsv('enrollmentGroupId,caReference\ng1,not a name!\n', { mode: 'delete' });
    assert.equal(kind, 'group');
    assert.deepEqual(rows[0].item, { enrollmentGroupId: 'g1', attestation: { type: 'none' } });
  });

  void test('a header with both id columns, or a column only the other kind has, is refused with what to keep', () => {
    assert.throws(() => parseEnrollmentCsv('registrationId,enrollmentGroupId\na,b\n', { mode: 'create' }), (e: unknown) => e instanceof BulkSourceError
      && /both a "registrationId" and an "enrollmentGroupId" column, but one file holds one kind: keep "registrationId" for individual enrollments or "enrollmentGroupId" for enrollment groups/.test(e.message));
    assert.throws(() => parseEnrollmentCsv('groupId,deviceId\ng,d\n', { mode: 'create' }),
      /The CSV column "deviceId" does not apply: this file describes enrollment groups .* an enrollment group has no device id.*Remove the column\./);
    assert.throws(() => parseEnrollmentCsv('enrollmentGroupId,ek\ng,x\n', { mode: 'create' }),
      /The CSV column "ek" does not apply: .*enroll a TPM device with an individual enrollment/);
    assert.throws(() => parseEnrollmentCsv('registrationId,caReference\nd,my-ca\n', { mode: 'create' }),
      /The CSV column "caReference" does not apply: this file describes individual enrollments .*CA references are for enrollment groups/);
    assert.throws(() => parseEnrollmentCsv('enrollmentGroupId,allocation\ng,hashed\n', { mode: 'create' }), /"allocation" is unknown\. Known columns: registrationId or enrollmentGroupId, .*caReference/);
  });
});
