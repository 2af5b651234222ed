import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkHubHostName, hubNameProblems, splitHubList } from '../../../src/dps/hubHostName';

void describe('IoT hub host names', () => {
  void test('accepts host names, with a port for a local hub', () => {
    for (const name of ['my-hub.azure-devices.net', 'HUB1.azure-devices.net', 'localhost:8443', 'a.b']) assert.equal(checkHubHostName(name), undefined, name);
  });

  void test('refuses each bad name with its reason', () => {
    assert.match(checkHubHostName('not a hub') ?? '', /contains a space/);
    assert.match(checkHubHostName('hub') ?? '', /not a full host name.*hub\.azure-devices\.net/);
    assert.match(checkHubHostName('-bad.net') ?? '', /"-bad" may hold only/);
    assert.match(checkHubHostName('a..net') ?? '', /empty part between dots/);
    assert.match(checkHubHostName('hub.net:70000') ?? '', /port 70000/);
    assert.match(checkHubHostName('') ?? '', /empty/);
  });

  void test('lists split on lines, commas and semicolons only', () => {
    assert.deepEqual(splitHubList('a.net\r\nb.net, c.net;d.net'), ['a.net', 'b.net', 'c.net', 'd.net']);
    assert.deepEqual(splitHubList('not a hub'), ['not a hub']);
  });

  void test('service objects: both hub fields are checked and named', () => {
    assert.deepEqual(hubNameProblems({ iotHubHostName: 'ok.azure-devices.net', iotHubs: ['ok.net'] }), []);
    const problems = hubNameProblems({ iotHubHostName: 'not a hub', iotHubs: ['x y', 3] });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /^"iotHubHostName": "not a hub"/);
    assert.match(problems[1] ?? '', /^"iotHubs" must be a list of host name strings/);
  });
});
