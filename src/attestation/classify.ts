// Tells what a DER structure is from its shape, independent of any PEM label, so a mislabelled
// or label-less file still gets the right message.
import { Asn1, children, isBitString, isContext, isInteger, isOctetString, isOid, isSequence, isTime, oidOf, parseDer, smallInteger } from './der';

export type BlockKind =
  | 'certificate'
  | 'privateKey'
  | 'encryptedPrivateKey'
  | 'publicKey'
  | 'csr'
  | 'pkcs7'
  | 'pfx'
  | 'crl'
  | 'ecParameters'
  | 'unknown';

const PKCS7_PREFIX = '1.2.840.113549.1.7.';
const PBES2 = '1.2.840.113549.1.5.13';
const PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';
const PKCS5_PBE_PREFIX = '1.2.840.113549.1.5.';

/** Classifies DER bytes by structure. Certificates are only recognised here, not validated. */
export function classifyDer(der: Uint8Array): BlockKind {
  const root = parseDer(der);
  if (root === undefined || !isSequence(root)) return 'unknown';
  return classifyNode(root);
}

function classifyNode(root: Asn1): BlockKind {
  const c = children(root);
  const oid0 = oidOf(c[0]);
  if (oid0 !== undefined && oid0.startsWith(PKCS7_PREFIX)) return 'pkcs7';
  if (isInteger(c[0]) && smallInteger(c[0]) === 3 && isSequence(c[1]) && (oidOf(children(c[1])[0]) ?? '').startsWith(PKCS7_PREFIX)) {
    return 'pfx';
  }
  if (c.length === 2 && isSequence(c[0]) && isOctetString(c[1])) {
    const alg = oidOf(children(c[0])[0]) ?? '';
    if (alg === PBES2 || alg.startsWith(PKCS12_PBE_PREFIX) || alg.startsWith(PKCS5_PBE_PREFIX)) return 'encryptedPrivateKey';
  }
  if (c.length >= 3 && isInteger(c[0]) && isSequence(c[1]) && isOctetString(c[2])) return 'privateKey'; // PKCS#8
  if (c.length >= 2 && smallInteger(c[0]) === 1 && isOctetString(c[1])) return 'privateKey'; // SEC1 EC key
  if (c.length >= 9 && c.slice(0, 9).every(isInteger)) return 'privateKey'; // PKCS#1 RSA key
  if (c.length === 2 && isSequence(c[0]) && isOid(children(c[0])[0]) && isBitString(c[1])) return 'publicKey';
  if (c.length === 2 && isInteger(c[0]) && isInteger(c[1])) return 'publicKey'; // PKCS#1 RSA public key
  if (c.length === 3 && isSequence(c[0]) && isSequence(c[1]) && isBitString(c[2])) return classifySigned(children(c[0]));
  return 'unknown';
}

/** Certificate, CSR and CRL share the signed-structure shape; their to-be-signed parts differ. */
function classifySigned(tbs: Asn1[]): BlockKind {
  if (isContext(tbs[0], 0)) return 'certificate'; // explicit version tag: v2/v3 certificate
  if (tbs.some(isTime)) return 'crl'; // thisUpdate sits directly in a CRL's to-be-signed part
  const last = tbs[tbs.length - 1];
  if (isInteger(tbs[0]) && isSequence(tbs[1]) && isSequence(tbs[2]) && (isContext(last, 0) || tbs.length === 3)) {
    const spki = children(tbs[2]);
    if (spki.length === 2 && isBitString(spki[1])) return 'csr';
  }
  // v1 certificate: serial, signature algorithm, issuer, validity (two times), subject, key.
  if (isInteger(tbs[0]) && isSequence(tbs[1]) && isSequence(tbs[3]) && children(tbs[3]).every(isTime)) return 'certificate';
  return 'unknown';
}
