// Helpers for the attestation tests: certificate chains generated once per key type, TPM public
// areas built from freshly generated keys, and openssl when the machine has it.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestChain, KeySpec, TestChain } from '../../src/attestation';
import { subtle, x509 } from '../../src/attestation/x509Provider';

const chains = new Map<string, Promise<TestChain>>();

/** A root → intermediate → device chain per key type, generated once per test file. */
export function testChain(key: KeySpec = 'ecdsa-p256', deviceCommonName = 'device-01'): Promise<TestChain> {
  const cacheKey = `${key}/${deviceCommonName}`;
  let chain = chains.get(cacheKey);
  if (chain === undefined) {
    chain = generateTestChain({ key, deviceCommonName });
    chains.set(cacheKey, chain);
  }
  return chain;
}

export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

export function openssl(args: string[], input?: string | Buffer): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs fn with a fresh temp folder and removes it afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'attestation-test-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}

// ---- TPM public areas (TPM 2.0 Library Part 2), laid out like the TCG default EK templates.

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const sized = (data: Buffer): Buffer => Buffer.concat([u16(data.length), data]);

const EK_ATTRIBUTES = 0x000300b2; // fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt
const EK_POLICY = Buffer.alloc(32, 0x83); // placeholder policy digest; only its size matters here
const AES_128_CFB = Buffer.concat([u16(0x0006), u16(128), u16(0x0043)]);

export function rsaTpmtPublic(modulus: Buffer, keyBits = modulus.length * 8): Buffer {
  return Buffer.concat([
    u16(0x0001), u16(0x000b), u32(EK_ATTRIBUTES), sized(EK_POLICY),
    AES_128_CFB, u16(0x0010), u16(keyBits), u32(0), sized(modulus),
  ]);
}

export function eccTpmtPublic(x: Buffer, y: Buffer, curveId = 0x0003): Buffer {
  return Buffer.concat([
    u16(0x0023), u16(0x000b), u32(EK_ATTRIBUTES), sized(EK_POLICY),
    AES_128_CFB, u16(0x0010), u16(curveId), u16(0x0010), sized(x), sized(y),
  ]);
}

/** TPM2B_PUBLIC = size + TPMT_PUBLIC. */
export function tpm2b(tpmtPublic: Buffer): Buffer {
  return sized(tpmtPublic);
}

export function rsaEndorsementKey(bits = 2048): Buffer {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  return tpm2b(rsaTpmtPublic(Buffer.from(jwk.n ?? '', 'base64url')));
}

export function eccEndorsementKey(curve: 'P-256' | 'P-384' = 'P-256'): Buffer {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = publicKey.export({ format: 'jwk' });
  return tpm2b(eccTpmtPublic(Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url'), curve === 'P-256' ? 0x0003 : 0x0004));
}

/** Asserts no message of the problems repeats any part of a secret (key material never leaks). */
export function leaksSecret(messages: readonly string[], secretText: string): boolean {
  const body = secretText.replace(/-----[^-]+-----/g, '').replace(/[\s]/g, '');
  const probes: string[] = [];
  for (let i = 0; i + 12 <= body.length; i += 12) probes.push(body.slice(i, i + 12));
  return messages.some((m) => probes.some((p) => m.includes(p)));
}

/**
 * A self-signed leaf with any CN, bypassing the library's CN checks, to test how bad CNs are
 * reported by the readers and builders.
 */
export async function leafWithCommonName(commonName: string): Promise<string> {
  const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }], keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return cert.toString('pem');
}
