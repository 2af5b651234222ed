// Thin helpers over node-forge's ASN.1 reader: enough to tell certificate, key, CSR, PKCS#7 and PFX
// structures apart and to read the certificate extensions Node's X509Certificate does not expose.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;

const { Class, Type } = forge.asn1;

// The typings only declare `strict`, but forge also takes an options object. Bit strings must stay
// raw: forge otherwise tries to parse their content as nested ASN.1, which misreads key-usage bits.
const fromDerWithOptions = forge.asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: { strict: boolean; decodeBitStrings: boolean },
) => Asn1;

/** Parses DER bytes, or returns undefined when they are not one complete DER element. */
export function parseDer(der: Uint8Array): Asn1 | undefined {
  if (der.length < 2 || der[0] !== 0x30) return undefined;
  try {
    const buffer = forge.util.createBuffer(Buffer.from(der).toString('binary'));
    const parsed = fromDerWithOptions(buffer, { strict: true, decodeBitStrings: false });
    // Trailing bytes mean this was not a single structure (e.g. random data starting with 0x30).
    return buffer.length() === 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function children(node: Asn1 | undefined): Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

export function bytesOf(node: Asn1 | undefined): string {
  return node !== undefined && typeof node.value === 'string' ? node.value : '';
}

export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === Class.UNIVERSAL && (node.type as number) === type;
}

export function isContext(node: Asn1 | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && (node.type as number) === tag;
}

export const isSequence = (n: Asn1 | undefined): boolean => isUniversal(n, Type.SEQUENCE);
export const isInteger = (n: Asn1 | undefined): boolean => isUniversal(n, Type.INTEGER);
export const isOid = (n: Asn1 | undefined): boolean => isUniversal(n, Type.OID);
export const isOctetString = (n: Asn1 | undefined): boolean => isUniversal(n, Type.OCTETSTRING);
export const isBitString = (n: Asn1 | undefined): boolean => isUniversal(n, Type.BITSTRING);
export const isTime = (n: Asn1 | undefined): boolean =>
  isUniversal(n, Type.UTCTIME) || isUniversal(n, Type.GENERALIZEDTIME);

export function oidOf(node: Asn1 | undefined): string | undefined {
  if (!isOid(node)) return undefined;
  try {
    return forge.asn1.derToOid(bytesOf(node));
  } catch {
    return undefined;
  }
}

/** Small non-negative INTEGER value (versions, path lengths); undefined if absent or too large. */
export function smallInteger(node: Asn1 | undefined): number | undefined {
  if (!isInteger(node)) return undefined;
  const raw = bytesOf(node);
  if (raw.length === 0 || raw.length > 4) return undefined;
  return forge.asn1.derToInteger(raw);
}

/** Decodes a directory string (UTF8String, PrintableString, IA5String, BMPString, ...) to text. */
export function directoryString(node: Asn1): string {
  const raw = bytesOf(node);
  if (node.type === Type.BMPSTRING && raw.length % 2 === 0) return Buffer.from(raw, 'binary').swap16().toString('utf16le');
  if (node.type === Type.UTF8) return Buffer.from(raw, 'binary').toString('utf8');
  return raw;
}
