// "Quick Enroll" on a certificate file: a CA certificate makes an enrollment group, and the command
// says so before it creates anything; the connection is asked for once, and the form it may open
// afterwards saves to that same connection without asking again.
import '../../support/vscodeStubInstall';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRootCertificate } from '../../../src/attestation';
import { quickEnrollCertificateFile } from '../../../src/commands/certificateCommands';
import type { FormConnection, FormHostDeps } from '../../../src/enrollmentForm/enrollmentFormPanel';
import { recorder, resetRecorder, vscodeStub } from '../../support/vscodeStub';
import { FakeFormClient } from '../../support/webviewHost';

// What the command touches beyond the shared stub: reading the clicked file and the form's panel.
const files = new Map<string, string>();
const panels: string[] = [];
const workspace = vscodeStub.workspace as Record<string, unknown>;
const window = vscodeStub.window as Record<string, unknown>;
workspace.asRelativePath = (uri: { path: string }) => uri.path.replace(/^\/workspace\//, '');
workspace.fs = { readFile: (uri: { path: string }) => Promise.resolve(Buffer.from(files.get(uri.path) ?? '')) };
(vscodeStub.Uri as unknown as Record<string, unknown>).joinPath = (base: { path: string }, ...parts: string[]) => new vscodeStub.Uri('file', [base.path, ...parts].join('/'));
window.createWebviewPanel = (_type: string, title: string) => {
  panels.push(title);
  return {
    title,
    webview: { cspSource: 'test', html: '', asWebviewUri: (uri: unknown) => uri, postMessage: () => Promise.resolve(true), onDidReceiveMessage: () => ({ dispose: () => undefined }) },
    onDidDispose: () => ({ dispose: () => undefined }),
    dispose: () => undefined,
  };
};

function setup() {
  const client = new FakeFormClient();
  let picks = 0;
  const connection: FormConnection = { label: 'test-dps.azure-devices-provisioning.net', getClient: () => Promise.resolve(client) };
  const saved: string[] = [];
  const deps: FormHostDeps = {
    extensionUri: new vscodeStub.Uri('file', '/ext') as never,
    pickConnection: () => {
      picks += 1;
      return Promise.resolve(connection);
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    onSaved: (kind) => saved.push(kind),
  };
  return { client, deps, saved, picks: () => picks };
}

async function caFile(commonName: string): Promise<unknown> {
  const ca = await generateRootCertificate({ commonName, key: 'ecdsa-p256' });
  const path = `/workspace/certs/${commonName.replace(/\W+/g, '-')}.pem`;
  files.set(path, ca.certificatePem);
  return new vscodeStub.Uri('file', path);
}

void describe('Quick Enroll on a CA certificate', () => {
  beforeEach(() => {
    resetRecorder();
    panels.length = 0;
  });

  void test('says it makes an enrollment group, asks for the connection once, and creates the group', async () => {
    const s = setup();
    const uri = await caFile('contoso-root');
    recorder.answers.push('Create');
    await quickEnrollCertificateFile(s.deps, uri);
    const [confirm, done] = recorder.messages;
    assert.equal(confirm?.text, 'Create the enrollment group "contoso-root" from certs/contoso-root.pem on test-dps.azure-devices-provisioning.net?');
    assert.match(confirm?.detail ?? '', /certs\/contoso-root\.pem is a CA certificate, so it makes an enrollment group \(for the devices whose certificates it signs\), not an individual enrollment\./);
    assert.equal(done?.text, 'Created the enrollment group "contoso-root".');
    assert.ok(s.client.groups.get('contoso-root')?.attestation.x509?.signingCertificates?.primary?.certificate, 'created as a group with the CA as signing certificate');
    assert.equal(s.client.enrollments.size, 0, 'no individual enrollment');
    assert.deepEqual(s.saved, ['group'], 'the tree hears of the new group');
    assert.equal(s.picks(), 1);
  });

  void test('a CN that is no group id: says why, and the form it opens does not ask for the connection again', async () => {
    const s = setup();
    const uri = await caFile('Contoso Root CA');
    recorder.answers.push('Open form');
    await quickEnrollCertificateFile(s.deps, uri);
    const [warning] = recorder.messages;
    assert.equal(warning?.level, 'warn');
    assert.match(warning?.text ?? '', /^certs\/Contoso-Root-CA\.pem: certs\/Contoso-Root-CA\.pem is a CA certificate, so it makes an enrollment group/);
    assert.match(warning?.text ?? '', /"Contoso Root CA" is not a valid group id; choose an id on the form/);
    assert.deepEqual(warning?.items, ['Open form']);
    assert.deepEqual(panels, ['New enrollment group'], 'the form opened, for a group');
    assert.equal(s.picks(), 1, 'the connection chosen for the quick path is the form\'s too');
    assert.equal(s.client.puts.length, 0, 'nothing created without the form');
  });
});
