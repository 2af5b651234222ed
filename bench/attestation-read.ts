// Benchmark: read, classify and extract facts from a folder of 1,000 generated certificates
// (RSA and ECDSA, PEM and DER, some with CRLF and text around the block).
// Run: npx tsx bench/attestation-read.ts [count]
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { certificateFacts, checkCertificateFor, generateRootCertificate, readCertificates } from '../src/attestation';
import { subtle, x509 } from '../src/attestation/x509Provider';

const COUNT = Number(process.argv[2] ?? 1000);

type Algorithm = { name: 'RSASSA-PKCS1-v1_5'; modulusLength: number; publicExponent: Uint8Array; hash: string } | { name: 'ECDSA'; namedCurve: string };
const SUBJECT_KEYS: { label: string; algorithm: Algorithm }[] = [
  { label: 'rsa-2048', algorithm: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } },
  { label: 'rsa-4096', algorithm: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } },
  { label: 'ecdsa-p256', algorithm: { name: 'ECDSA', namedCurve: 'P-256' } },
  { label: 'ecdsa-p384', algorithm: { name: 'ECDSA', namedCurve: 'P-384' } },
];

/** Writes COUNT device certificates; subject keys are reused (reading cost does not depend on key uniqueness). */
async function generateFolder(dir: string): Promise<Record<string, number>> {
  const rsaCa = await generateRootCertificate({ commonName: 'Bench RSA Root', key: 'rsa-2048' });
  const ecCa = await generateRootCertificate({ commonName: 'Bench EC Root', key: 'ecdsa-p256' });
  const issuers = await Promise.all([rsaCa, ecCa].map(async (ca) => {
    const algorithm = ca.facts.keyAlgorithm === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
    const der = Buffer.from(ca.privateKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const signingKey = await subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { name: new x509.X509Certificate(ca.certificatePem).subjectName, signingKey, signingAlgorithm: ca.facts.keyAlgorithm === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' } };
  }));
  const subjects = await Promise.all(SUBJECT_KEYS.map(async (k) => ({ ...k, keys: await subtle.generateKey(k.algorithm, true, ['sign', 'verify']) })));
  const mix: Record<string, number> = {};
  for (let i = 0; i < COUNT; i++) {
    const subject = subjects[i % subjects.length];
    const issuer = issuers[i % 2];
    if (subject === undefined || issuer === undefined) throw new Error('bench setup');
    const cert = await x509.X509CertificateGenerator.create({
      subject: [{ CN: [`bench-device-${i}`] }], issuer: issuer.name, publicKey: subject.keys.publicKey, signingKey: issuer.signingKey,
      signingAlgorithm: issuer.signingAlgorithm, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000),
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    });
    const format = i % 3 === 0 ? 'der' : i % 3 === 1 ? 'pem' : 'pem-crlf-text';
    const pem = cert.toString('pem');
    const content = format === 'der' ? Buffer.from(cert.rawData)
      : format === 'pem' ? pem
      : `\uFEFFsubject=CN=bench-device-${i}\r\n${pem.replace(/\n/g, '\r\n')}`;
    writeFileSync(join(dir, `device-${i}.${format === 'der' ? 'cer' : 'pem'}`), content);
    const key = `${subject.label}/${format}`;
    mix[key] = (mix[key] ?? 0) + 1;
  }
  return mix;
}

function readAll(dir: string): { ms: number; read: number; problems: number } {
  const files = readdirSync(dir);
  const start = performance.now();
  let read = 0;
  let problems = 0;
  for (const file of files) {
    const result = readCertificates(readFileSync(join(dir, file)));
    for (const cert of result.certificates) {
      const facts = certificateFacts(cert.x509);
      problems += checkCertificateFor('enrollment', facts).length;
      read++;
    }
    problems += result.problems.length;
  }
  return { ms: performance.now() - start, read, problems };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'attestation-bench-'));
  try {
    const genStart = performance.now();
    const mix = await generateFolder(dir);
    console.log(`generated ${COUNT} certificates in ${((performance.now() - genStart) / 1000).toFixed(1)} s; mix: ${JSON.stringify(mix)}`);
    const runs = [readAll(dir), readAll(dir), readAll(dir)];
    for (const [i, run] of runs.entries()) {
      if (run.read !== COUNT || run.problems !== 0) throw new Error(`run ${i}: read ${run.read}/${COUNT}, ${run.problems} problems`);
    }
    const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
    const first = runs[0]?.ms ?? 0;
    const median = sorted[1] ?? 0;
    console.log(`read + classify + facts + checks, ${COUNT} files:`);
    console.log(`  first run  ${first.toFixed(0)} ms total, ${(first / COUNT).toFixed(3)} ms per certificate`);
    console.log(`  median of 3 ${median.toFixed(0)} ms total, ${(median / COUNT).toFixed(3)} ms per certificate`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
