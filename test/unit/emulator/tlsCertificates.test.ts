import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOrCreateTlsMaterial } from '../../../src/emulator/tlsCertificates';

void test('creates a CA and a localhost server certificate signed by it, reuses them, regenerates broken ones', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = loadOrCreateTlsMaterial(dir);
  const ca = new X509Certificate(first.caCertificatePem);
  const server = new X509Certificate(first.serverCertificatePem);
  assert.equal(ca.ca, true);
  assert.equal(server.ca, false);
  assert.ok(server.verify(ca.publicKey));
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(server.checkIP('::1'), '::1');
  assert.equal(statSync(join(dir, 'emulator-ca.key.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'emulator-server.key.pem')).mode & 0o777, 0o600);

  const again = loadOrCreateTlsMaterial(dir);
  assert.equal(again.caCertificatePem, first.caCertificatePem);
  assert.equal(again.serverCertificatePem, first.serverCertificatePem);

  writeFileSync(join(dir, 'emulator-server.pem'), 'garbage');
  const repaired = loadOrCreateTlsMaterial(dir);
  assert.equal(repaired.caCertificatePem, first.caCertificatePem, 'the CA clients trust is kept');
  assert.notEqual(repaired.serverCertificatePem, first.serverCertificatePem);
  assert.ok(new X509Certificate(repaired.serverCertificatePem).verify(ca.publicKey));
});
