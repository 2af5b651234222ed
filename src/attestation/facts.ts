// Facts about one certificate as a plain object, for checks and for the webview. Node's
// X509Certificate does the parsing (RSA and ECDSA alike); the extensions it does not expose
// (path length, key usage bits) are read from the DER.
import { createHash, X509Certificate } from 'node:crypto';
import { Asn1, bytesOf, children, directoryString, isContext, isUniversal, oidOf, parseDer, smallInteger } from './der';

export type KeyAlgorithm = 'RSA' | 'ECDSA' | 'EdDSA' | 'other';
export type ValidityState = 'valid' | 'expired' | 'notYetValid';
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface CertificateFacts {
  /** Subject as "CN=..., O=..." in certificate order. */
  subject: string;
  commonName: string | null;
  issuer: string;
  issuerCommonName: string | null;
  /** Upper-case hex, as the portal shows it. */
  serialNumber: string;
  /** Upper-case hex without separators, as DPS reports thumbprints. */
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  notBefore: string;
  notAfter: string;
  validity: ValidityState;
  isCA: boolean;
  /** Path length constraint of a CA, or null when unconstrained or not a CA. */
  pathLength: number | null;
  keyUsage: KeyUsageName[];
  /** Extended key usages as names where known (clientAuth, serverAuth), else dotted OIDs. */
  extendedKeyUsage: string[];
  selfSigned: boolean;
  keyAlgorithm: KeyAlgorithm;
  /** RSA modulus bits or EC field size in bits. */
  keySize: number | null;
  /** NIST curve name for ECDSA keys (P-256, P-384, P-521), else null. */
  curve: string | null;
  version: number;
}

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];
const CURVES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
};
const OID_CN = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';

export function certificateFacts(certificate: X509Certificate | Uint8Array, now: Date = new Date()): CertificateFacts {
  const x509 = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const tbs = children(children(parseDer(x509.raw))[0]);
  const hasVersion = isContext(tbs[0], 0);
  const at = (i: number): Asn1 | undefined => tbs[hasVersion ? i + 1 : i];
  const extensions = readExtensions(tbs);
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  const key = keyFacts(x509);
  return {
    subject: formatName(x509.subject),
    commonName: commonNameOf(at(4)),
    issuer: formatName(x509.issuer),
    issuerCommonName: commonNameOf(at(2)),
    serialNumber: x509.serialNumber.toUpperCase(),
    sha1Thumbprint: createHash('sha1').update(x509.raw).digest('hex').toUpperCase(),
    sha256Thumbprint: createHash('sha256').update(x509.raw).digest('hex').toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    validity: now < notBefore ? 'notYetValid' : now > notAfter ? 'expired' : 'valid',
    isCA: extensions.isCA,
    pathLength: extensions.isCA ? extensions.pathLength : null,
    keyUsage: extensions.keyUsage,
    extendedKeyUsage: extensions.extendedKeyUsage,
    selfSigned: isSelfSigned(x509),
    ...key,
    version: hasVersion ? (smallInteger(children(tbs[0])[0]) ?? 0) + 1 : 1,
  };
}

/** Self-signed means issued by itself and verifiable with its own key, not just equal names. */
export function isSelfSigned(x509: X509Certificate): boolean {
  if (x509.subject !== x509.issuer) return false;
  try {
    return x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

function keyFacts(x509: X509Certificate): Pick<CertificateFacts, 'keyAlgorithm' | 'keySize' | 'curve'> {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyAlgorithm: 'RSA', keySize: details.modulusLength ?? null, curve: null };
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? ''];
      return { keyAlgorithm: 'ECDSA', keySize: curve?.bits ?? null, curve: curve?.name ?? details.namedCurve ?? null };
    }
    case 'ed25519':
      return { keyAlgorithm: 'EdDSA', keySize: 256, curve: 'Ed25519' };
    default:
      return { keyAlgorithm: 'other', keySize: null, curve: null };
  }
}

/** Node prints names one attribute per line; DPS and the portal show them comma-separated. */
function formatName(name: string): string {
  return name.split('\n').filter((line) => line !== '').join(', ');
}

function commonNameOf(name: Asn1 | undefined): string | null {
  // Name = SEQUENCE OF SET OF AttributeTypeAndValue; the most specific CN is the last one.
  let cn: string | null = null;
  for (const rdn of children(name)) {
    for (const attribute of children(rdn)) {
      const [type, value] = children(attribute);
      if (oidOf(type) === OID_CN && value !== undefined) cn = directoryString(value);
    }
  }
  return cn;
}

interface ExtensionFacts {
  isCA: boolean;
  pathLength: number | null;
  keyUsage: KeyUsageName[];
  extendedKeyUsage: string[];
}

function readExtensions(tbs: Asn1[]): ExtensionFacts {
  const facts: ExtensionFacts = { isCA: false, pathLength: null, keyUsage: [], extendedKeyUsage: [] };
  const wrapper = tbs.find((node) => isContext(node, 3));
  for (const extension of children(children(wrapper)[0])) {
    const parts = children(extension);
    const oid = oidOf(parts[0]);
    const value = parseDerString(bytesOf(parts[parts.length - 1]));
    if (oid === OID_BASIC_CONSTRAINTS) {
      const fields = children(value);
      const caFlag = fields.find((f) => isUniversal(f, 1));
      facts.isCA = caFlag !== undefined && bytesOf(caFlag) !== '\x00';
      facts.pathLength = smallInteger(fields.find((f) => isUniversal(f, 2))) ?? null;
    } else if (oid === OID_KEY_USAGE) {
      facts.keyUsage = keyUsageNames(value);
    } else if (oid === OID_EXT_KEY_USAGE) {
      facts.extendedKeyUsage = children(value).map((n) => oidOf(n) ?? '').filter((o) => o !== '').map((o) => EKU_NAMES[o] ?? o);
    }
  }
  return facts;
}

function parseDerString(raw: string): Asn1 | undefined {
  const bytes = Buffer.from(raw, 'binary');
  // Key usage is a bare BIT STRING, not a SEQUENCE; wrap it so the SEQUENCE-only parser accepts it.
  if (bytes[0] === 0x03) return children(parseDer(Buffer.concat([Buffer.from([0x30, bytes.length]), bytes])))[0];
  return parseDer(bytes);
}

function keyUsageNames(bitString: Asn1 | undefined): KeyUsageName[] {
  const raw = Buffer.from(bytesOf(bitString), 'binary').subarray(1); // first byte = unused bit count
  return KEY_USAGE_BITS.filter((_, bit) => ((raw[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0);
}
