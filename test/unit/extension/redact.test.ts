// The log's last line of defence masks token-shaped values, plain and URL-encoded, and leaves
// ordinary sentences about them readable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../../src/common/redact';

const KEY = 'c2VjcmV0LWtleS1mb3ItcmVkYWN0aW9uLXRlc3RzMzI='; // 32 bytes, 44 characters
const SIG = 'k3Xq9%2BzZ0yVb1%2FpQ4rT6uW8aXc2eF5gH7iJ0kLmN%3D';

void describe('redact', () => {
  void test('ordinary text that names a token is left as it is', () => {
    for (const text of [
      'The SharedAccessSignature is not valid.',
      'SharedAccessSignature expired; mint a new one.',
      'Check the SharedAccessKeyName and the key of the policy.',
      'monkey business and a keystone signature scheme',
    ]) assert.equal(redact(text), text);
  });

  void test('a whole SAS token is masked, keeping the words around it', () => {
    const text = `Authorization: SharedAccessSignature sr=mydps.azure-devices-provisioning.net&sig=${SIG}&se=1700000000&skn=owner rejected`;
    assert.equal(redact(text), 'Authorization: SharedAccessSignature *** rejected');
  });

  void test('a URL-encoded SAS token echoed by a server is masked', () => {
    const encoded = `SharedAccessSignature%20sr%3Dmydps.azure-devices-provisioning.net%26sig%3D${encodeURIComponent(SIG)}%26se%3D1%26skn%3Downer`;
    const out = redact(`The header was ${encoded} (encoded).`);
    assert.equal(out, 'The header was SharedAccessSignature%20*** (encoded).');
  });

  void test('a bare signature is masked, plain and URL-encoded, and the rest of the query stays', () => {
    assert.equal(redact(`/enrollments?sig=${SIG}&se=1`), '/enrollments?sig=***&se=1');
    assert.equal(redact(`/enrollments?x=sig%3D${SIG}%26se%3D1`), '/enrollments?x=sig%3D***%26se%3D1');
  });

  void test('a bare base64 key after "key" or "sig" is masked in any usual notation', () => {
    for (const text of [`key ${KEY}`, `key: ${KEY}`, `key=${KEY}`, `{"key":"${KEY}"}`, `sig ${KEY}`, `the signature ${KEY}`, `deviceKey: ${KEY}`]) {
      const out = redact(text);
      assert.ok(!out.includes(KEY), `${text} -> ${out}`);
      assert.ok(out.includes('***'), out);
    }
    assert.ok(!redact(`key%3D${encodeURIComponent(KEY)}`).includes(encodeURIComponent(KEY)));
  });

  void test('connection strings lose their key, plain and encoded', () => {
    assert.equal(redact(`HostName=h;SharedAccessKeyName=owner;SharedAccessKey=${KEY}`), 'HostName=h;SharedAccessKeyName=owner;SharedAccessKey=***');
    assert.equal(redact(`SharedAccessKey%3D${encodeURIComponent(KEY)}%3B`), 'SharedAccessKey%3D***');
  });

  void test('known secrets are masked wherever they appear', () => {
    assert.equal(redact('value hunter2hunter2 here', ['hunter2hunter2']), 'value *** here');
  });
});
