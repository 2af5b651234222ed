// Test certificates and proof-of-possession certificates, so nobody needs openssl: a root CA, an
// intermediate CA, device certificates, and the verification certificate DPS asks for when a CA is
// added (CN = the verification code, signed with the CA's private key).
import { createPublicKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { certificateFacts, CertificateFacts } from './facts';
import { AttestationError, AttestationProblem, problem, warning } from './problems';
import { loadPrivateKey } from './privateKey';
import { readCertificates, toPem } from './read';
import { checkRegistrationId, MAX_COMMON_NAME_LENGTH } from './registrationId';
import type * as X509 from '@peculiar/x509';

// @peculiar/x509 and its Reflect polyfill take about 100 ms to load, so they load on first use:
// reading and checking certificates (what the extension does at start-up) does not pay for them.
type Provider = typeof import('./x509Provider');
function provider(): Promise<Provider> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  return Promise.resolve(require('./x509Provider') as Provider);
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type KeySpec = 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ecdsa-p256' | 'ecdsa-p384';

export const KEY_SPECS: readonly KeySpec[] = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384'];

export interface GeneratedCertificate {
  certificatePem: string;
  /** Unencrypted PKCS#8 PEM. Secret: write it only where the user asked. */
  privateKeyPem: string;
  facts: CertificateFacts;
}

export interface CertificateOptions {
  commonName: string;
  key?: KeySpec;
  organization?: string;
  /** Default 365 days for devices, 3650 for CAs. Ignored when notAfter is given. */
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
}

export interface CaOptions extends CertificateOptions {
  /** Path length constraint; omit for none. */
  pathLength?: number;
}

/** The CA that signs: its certificate and private key (PEM or DER, possibly encrypted). */
export interface IssuerInput {
  certificate: string | Uint8Array;
  privateKey: string | Uint8Array;
  passphrase?: string;
}

export async function generateRootCertificate(options: CaOptions): Promise<GeneratedCertificate> {
  checkOptions(options);
  const { x509 } = await provider();
  const keys = await generateKeys(options.key ?? 'rsa-2048');
  const name = subjectName(options);
  const publicKey = keys.publicKey;
  const cert = await x509.X509CertificateGenerator.create({
    ...commonParams(options, 3650),
    subject: name,
    issuer: name,
    publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: signingAlgorithm(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, options.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(publicKey),
    ],
  });
  return finish(cert, keys.privateKey);
}

export async function generateIntermediateCertificate(options: CaOptions & { issuer: IssuerInput }): Promise<GeneratedCertificate> {
  checkOptions(options);
  const { x509 } = await provider();
  return issue(options, options.issuer, 3650, [
    new x509.BasicConstraintsExtension(true, options.pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
  ]);
}

/** A device (leaf) certificate for client authentication; its CN is the registration id. */
export async function generateDeviceCertificate(options: CertificateOptions & { issuer: IssuerInput }): Promise<GeneratedCertificate> {
  checkOptions(options);
  const idProblem = checkRegistrationId(options.commonName, { fromCommonName: true })[0];
  if (idProblem !== undefined) throw new AttestationError({ ...idProblem, field: 'commonName' });
  const rsa = (options.key ?? 'rsa-2048').startsWith('rsa');
  const { x509 } = await provider();
  return issue(options, options.issuer, 365, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (rsa ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement), true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ]);
}

export interface TestChain {
  root: GeneratedCertificate;
  intermediate: GeneratedCertificate;
  device: GeneratedCertificate;
}

/** Root, intermediate and one device certificate, all with the same key type. */
export async function generateTestChain(options: { key?: KeySpec; deviceCommonName: string; namePrefix?: string }): Promise<TestChain> {
  const key = options.key ?? 'rsa-2048';
  const prefix = options.namePrefix ?? 'DPS Test';
  const root = await generateRootCertificate({ commonName: `${prefix} Root CA`, key });
  const intermediate = await generateIntermediateCertificate({
    commonName: `${prefix} Intermediate CA`, key, pathLength: 0,
    issuer: { certificate: root.certificatePem, privateKey: root.privateKeyPem },
  });
  const device = await generateDeviceCertificate({
    commonName: options.deviceCommonName, key,
    issuer: { certificate: intermediate.certificatePem, privateKey: intermediate.privateKeyPem },
  });
  return { root, intermediate, device };
}

export interface VerificationCertificateInput {
  /** The CA certificate uploaded to DPS. */
  caCertificate: string | Uint8Array;
  caPrivateKey: string | Uint8Array;
  passphrase?: string;
  /** The code the portal or `az iot dps certificate generate-verification-code` gave. */
  verificationCode: string;
  validityDays?: number;
}

export interface VerificationCertificate extends GeneratedCertificate {
  /** Warnings about the CA (not a CA, expired); errors are thrown. */
  problems: AttestationProblem[];
}

/**
 * Proof of possession: a certificate whose CN is the verification code, issued by the CA and
 * signed with its private key. Upload certificatePem to DPS to mark the CA verified.
 */
export async function generateVerificationCertificate(input: VerificationCertificateInput): Promise<VerificationCertificate> {
  const code = input.verificationCode.trim();
  if (!/^[A-Za-z0-9-]+$/.test(code) || code.length > MAX_COMMON_NAME_LENGTH) {
    throw new AttestationError(problem('invalidVerificationCode', `The verification code must be the letters and digits DPS shows (up to ${MAX_COMMON_NAME_LENGTH}); copy it again from the portal or the CLI.`, 'verificationCode'));
  }
  const ca = loadIssuerCertificate(input.caCertificate);
  const facts = certificateFacts(ca);
  const problems: AttestationProblem[] = [];
  if (!facts.isCA) problems.push(warning('notACa', `"${facts.commonName ?? facts.subject}" is not a CA certificate; DPS verifies CA certificates so that devices they sign can enroll through a group.`, 'caCertificate'));
  if (facts.validity === 'expired') problems.push(warning('expired', `The CA certificate expired on ${facts.notAfter}; devices it signed cannot authenticate.`, 'caCertificate'));
  const { x509 } = await provider();
  const leaf = await issue(
    { commonName: code, key: keySpecOf(facts), validityDays: input.validityDays ?? 30 },
    { certificate: input.caCertificate, privateKey: input.caPrivateKey, passphrase: input.passphrase },
    30,
    [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  );
  return { ...leaf, problems };
}

// ---- internals

async function issue(options: CertificateOptions, issuer: IssuerInput, defaultDays: number, extensions: X509.Extension[]): Promise<GeneratedCertificate> {
  const { x509 } = await provider();
  const caCert = loadIssuerCertificate(issuer.certificate);
  const caKey = loadPrivateKey(issuer.privateKey, issuer.passphrase);
  requireMatchingKey(caCert, caKey);
  const signingKey = await toCryptoKey(caKey);
  const caPeculiar = new x509.X509Certificate(caCert.raw);
  const caKeyId = caPeculiar.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const keys = await generateKeys(options.key ?? 'rsa-2048');
  const cert = await x509.X509CertificateGenerator.create({
    ...commonParams(options, defaultDays),
    subject: subjectName(options),
    // The issuer's subject is copied as encoded, so name matching is byte-exact.
    issuer: caPeculiar.subjectName,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithm(signingKey),
    extensions: [
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      caKeyId !== undefined ? new x509.AuthorityKeyIdentifierExtension(caKeyId) : await x509.AuthorityKeyIdentifierExtension.create(caPeculiar.publicKey),
    ],
  });
  return finish(cert, keys.privateKey);
}

function loadIssuerCertificate(input: string | Uint8Array): X509Certificate {
  const read = readCertificates(input);
  const cert = read.certificates[0];
  if (cert === undefined) {
    const first = read.problems.find((p) => p.severity === 'error');
    throw new AttestationError({ ...(first ?? problem('noCertificate', 'No CA certificate found.')), field: 'caCertificate' });
  }
  return cert.x509;
}

function requireMatchingKey(cert: X509Certificate, key: KeyObject): void {
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!fromCert.equals(fromKey)) {
    throw new AttestationError(problem('keyDoesNotMatchCertificate', 'The private key does not belong to the CA certificate. Choose the key that was created with this certificate.', 'privateKey'));
  }
}

type KeyAlgorithmParams = { name: 'RSASSA-PKCS1-v1_5'; hash: string } | { name: 'ECDSA'; namedCurve: string };

function algorithmFor(spec: KeySpec): KeyAlgorithmParams & { modulusLength?: number; publicExponent?: Uint8Array } {
  switch (spec) {
    case 'rsa-2048': return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    case 'rsa-3072': return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]) };
    case 'rsa-4096': return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]) };
    case 'ecdsa-p256': return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384': return { name: 'ECDSA', namedCurve: 'P-384' };
  }
}

async function generateKeys(spec: KeySpec): Promise<CryptoKeyPair> {
  if (!KEY_SPECS.includes(spec)) {
    throw new AttestationError(problem('invalidOption', `Unknown key type "${String(spec)}"; use one of ${KEY_SPECS.join(', ')}.`, 'key'));
  }
  return (await webcrypto.subtle.generateKey(algorithmFor(spec), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Hash sized to the curve (P-384 signs with SHA-384); RSA signs with SHA-256. */
function signingAlgorithm(key: CryptoKey): { name: string; hash: string } {
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name === 'ECDSA') return { name: 'ECDSA', hash: algorithm.namedCurve === 'P-384' ? 'SHA-384' : algorithm.namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256' };
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

async function toCryptoKey(key: KeyObject): Promise<CryptoKey> {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  if (key.asymmetricKeyType === 'ec') {
    const namedCurve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[details.namedCurve ?? ''];
    if (namedCurve !== undefined) return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign']);
  }
  throw new AttestationError(problem('invalidOption', `The CA key type (${key.asymmetricKeyType ?? 'unknown'}) is not supported here; use an RSA or ECDSA (P-256, P-384, P-521) CA key.`, 'privateKey'));
}

function keySpecOf(facts: CertificateFacts): KeySpec {
  if (facts.keyAlgorithm === 'ECDSA') return facts.curve === 'P-384' ? 'ecdsa-p384' : 'ecdsa-p256';
  return 'rsa-2048';
}

function subjectName(options: CertificateOptions): X509.JsonName {
  return [...(options.organization !== undefined ? [{ O: [options.organization] }] : []), { CN: [options.commonName] }];
}

function commonParams(options: CertificateOptions, defaultDays: number): { serialNumber: string; notBefore: Date; notAfter: Date } {
  // Back-date by five minutes so a device whose clock lags a little still accepts the certificate.
  const notBefore = options.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.validityDays ?? defaultDays) * 86_400_000);
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01; // positive and without a leading zero byte
  return { serialNumber: serial.toString('hex'), notBefore, notAfter };
}

function checkOptions(options: CertificateOptions): void {
  const cn = options.commonName.trim();
  if (cn === '' || cn.length > MAX_COMMON_NAME_LENGTH) {
    throw new AttestationError(problem('invalidOption', `The common name must be 1 to ${MAX_COMMON_NAME_LENGTH} characters.`, 'commonName'));
  }
  if (options.validityDays !== undefined && (!Number.isInteger(options.validityDays) || options.validityDays < 1)) {
    throw new AttestationError(problem('invalidOption', 'The validity must be a whole number of days, at least 1.', 'validityDays'));
  }
}

async function finish(cert: X509.X509Certificate, privateKey: CryptoKey): Promise<GeneratedCertificate> {
  const der = Buffer.from(cert.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', privateKey));
  return { certificatePem: toPem(der), privateKeyPem: toPem(pkcs8, 'PRIVATE KEY'), facts: certificateFacts(der) };
}
