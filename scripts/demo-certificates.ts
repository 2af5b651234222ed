// Writes the demo workspace's certificates with the attestation library (the same generator the
// extension's users get): an ECDSA P-256 root CA, an intermediate CA and a device certificate.
// Usage: node --import tsx scripts/demo-certificates.ts <folder>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTestChain } from '../src/attestation';

async function main(folder: string | undefined): Promise<void> {
  if (!folder) throw new Error('Usage: demo-certificates.ts <folder>');
  const chain = await generateTestChain({ key: 'ecdsa-p256', deviceCommonName: 'demo-device-01', namePrefix: 'DPS Demo' });
  mkdirSync(folder, { recursive: true });
  // Certificates only: the demo enrolls them; no private key needs to sit in the workspace.
  writeFileSync(join(folder, 'demo-root-ca.pem'), chain.root.certificatePem);
  writeFileSync(join(folder, 'demo-intermediate-ca.pem'), chain.intermediate.certificatePem);
  writeFileSync(join(folder, 'demo-device-01.pem'), chain.device.certificatePem);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
