// Reads what a user hands us as "a certificate": PEM with one or many blocks (CRLF, BOM, text
// around blocks), DER, or base64 DER. Each block is classified by label and by content, and
// anything that is not a certificate gets its own message. Messages name the kind and position of
// a block, never its content, so key material cannot leak into the UI or logs.
import { X509Certificate } from 'node:crypto';
import { BlockKind, classifyDer } from './classify';
import { AttestationProblem, problem, warning } from './problems';

export type { BlockKind } from './classify';

export type BlockEncoding = 'pem' | 'der' | 'base64';

/** A serialisable description of one block found in the input. */
export interface BlockSummary {
  index: number;
  kind: BlockKind;
  encoding: BlockEncoding;
  label?: string;
}

export interface ReadBlock extends BlockSummary {
  der: Buffer;
  /** Set when the PEM block carries legacy "Proc-Type: 4,ENCRYPTED" headers. */
  legacyEncrypted?: boolean;
}

export interface ReadCertificate {
  /** Position among the blocks of the input (0-based). */
  index: number;
  der: Buffer;
  /** Normalised PEM (LF line ends, 64-column base64). */
  pem: string;
  x509: X509Certificate;
}

export interface ReadResult {
  blocks: BlockSummary[];
  certificates: ReadCertificate[];
  problems: AttestationProblem[];
}

const LABEL_KINDS: Record<string, BlockKind> = {
  'CERTIFICATE': 'certificate',
  'X509 CERTIFICATE': 'certificate',
  'TRUSTED CERTIFICATE': 'certificate',
  'PRIVATE KEY': 'privateKey',
  'RSA PRIVATE KEY': 'privateKey',
  'EC PRIVATE KEY': 'privateKey',
  'DSA PRIVATE KEY': 'privateKey',
  'OPENSSH PRIVATE KEY': 'privateKey',
  'ENCRYPTED PRIVATE KEY': 'encryptedPrivateKey',
  'PUBLIC KEY': 'publicKey',
  'RSA PUBLIC KEY': 'publicKey',
  'CERTIFICATE REQUEST': 'csr',
  'NEW CERTIFICATE REQUEST': 'csr',
  'PKCS7': 'pkcs7',
  'CMS': 'pkcs7',
  'PKCS12': 'pfx',
  'X509 CRL': 'crl',
  'EC PARAMETERS': 'ecParameters',
};

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX_TEXT = /^(?:[0-9a-fA-F]{2}[:\s]?)+$/;

/** Reads every block of the input and collects its certificates; never throws on bad input. */
export function readCertificates(input: string | Uint8Array): ReadResult {
  const { blocks, problems } = readBlocks(input);
  const certificates: ReadCertificate[] = [];
  for (const block of blocks) {
    if (block.kind !== 'certificate') continue;
    try {
      const x509 = new X509Certificate(block.der);
      certificates.push({ index: block.index, der: block.der, pem: toPem(block.der), x509 });
    } catch {
      problems.push(problem('corruptCertificate', `${describeBlock(block)} looks like a certificate but cannot be decoded: the file is damaged or was cut short. Export the certificate again.`));
    }
  }
  problems.push(...kindProblems(blocks, certificates.length > 0));
  if (certificates.length === 0 && !problems.some((p) => p.severity === 'error')) {
    // e.g. only EC PARAMETERS: nothing wrong with any block, but nothing usable either.
    problems.push(problem('noCertificate', 'The input contains no certificate.'));
  }
  return { blocks: blocks.map(summary), certificates, problems };
}

/** Splits the input into classified blocks. */
export function readBlocks(input: string | Uint8Array): { blocks: ReadBlock[]; problems: AttestationProblem[] } {
  if (typeof input !== 'string') {
    if (input.length === 0) return { blocks: [], problems: [emptyProblem()] };
    const bytes = Buffer.from(input);
    // Binary input starting with a SEQUENCE tag is DER, unless it is really text that starts with "0".
    if (bytes[0] === 0x30 && !(isPrintableText(bytes) && classifyDer(bytes) === 'unknown')) {
      return { blocks: [{ index: 0, kind: classifyDer(bytes), encoding: 'der', der: bytes }], problems: [] };
    }
    return readText(decodeText(bytes));
  }
  return readText(input);
}

/** Text files arrive as UTF-8, or as UTF-16 with a byte-order mark when saved by Windows Notepad. */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

function isPrintableText(bytes: Buffer): boolean {
  return bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
}

function readText(raw: string): { blocks: ReadBlock[]; problems: AttestationProblem[] } {
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { blocks: [], problems: [emptyProblem()] };
  if (text.includes('-----BEGIN ')) return readPem(text);

  const compact = text.replace(/\s+/g, '');
  if (HEX_TEXT.test(text.trim()) && compact.replace(/:/g, '').startsWith('30')) {
    return { blocks: [], problems: [problem('hexGiven', 'This is hexadecimal text, not a certificate file. Give the certificate as PEM (-----BEGIN CERTIFICATE-----), DER, or base64.')] };
  }
  if (BASE64_TEXT.test(compact) && compact.length % 4 !== 1) {
    const der = Buffer.from(compact, 'base64');
    if (der[0] === 0x30) return { blocks: [{ index: 0, kind: classifyDer(der), encoding: 'base64', der }], problems: [] };
  }
  return { blocks: [], problems: [problem('notCertificateText', 'This is not a certificate: it has no PEM block (-----BEGIN CERTIFICATE-----) and is neither DER nor base64 DER. Choose the certificate file (.pem, .cer, .crt).')] };
}

function readPem(text: string): { blocks: ReadBlock[]; problems: AttestationProblem[] } {
  const blocks: ReadBlock[] = [];
  const problems: AttestationProblem[] = [];
  let consumedUpTo = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1] ?? '';
    const body = match[2] ?? '';
    const index = blocks.length;
    consumedUpTo = (match.index ?? 0) + match[0].length;
    const legacyEncrypted = /Proc-Type:\s*4,\s*ENCRYPTED/i.test(body);
    // Headers (Proc-Type, DEK-Info) end at the first blank line; the base64 follows.
    const base64 = (body.includes(':') ? body.slice(body.search(/\n\s*\n/) + 1) : body).replace(/\s+/g, '');
    const der = Buffer.from(base64, 'base64');
    const kind = blockKind(label, der, legacyEncrypted);
    blocks.push({ index, kind, encoding: 'pem', label, der, ...(legacyEncrypted ? { legacyEncrypted } : {}) });
  }
  const rest = text.slice(consumedUpTo);
  const openBegin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(rest);
  if (openBegin !== null) {
    problems.push(problem('truncatedPem', `The PEM block "${openBegin[1] ?? ''}" has no matching END line: the file was cut short or edited. Copy the whole block, from -----BEGIN to -----END.`));
  }
  return { blocks, problems };
}

/** The content decides; the label only breaks ties, e.g. for blocks we cannot decode. */
function blockKind(label: string, der: Buffer, legacyEncrypted: boolean): BlockKind {
  const labelled = LABEL_KINDS[label] ?? 'unknown';
  if (labelled === 'privateKey' && legacyEncrypted) return 'encryptedPrivateKey';
  if (labelled === 'privateKey' && label === 'OPENSSH PRIVATE KEY') return 'privateKey';
  if (labelled === 'ecParameters') return labelled;
  const byContent = classifyDer(der);
  return byContent === 'unknown' ? labelled : byContent;
}

function kindProblems(blocks: readonly ReadBlock[], foundCertificate: boolean): AttestationProblem[] {
  const problems: AttestationProblem[] = [];
  for (const block of blocks) {
    const what = describeBlock(block);
    switch (block.kind) {
      case 'certificate':
      case 'ecParameters':
        break;
      case 'privateKey':
        problems.push(foundCertificate
          ? warning('privateKeyGiven', `${what} is a private key. It is ignored and never sent; keep this file private and upload only certificates.`)
          : problem('privateKeyGiven', `${what} is a private key, not a certificate. Choose the certificate (.pem, .cer, .crt) that belongs to this key; the private key stays on the device.`));
        break;
      case 'encryptedPrivateKey':
        problems.push(foundCertificate
          ? warning('encryptedPrivateKeyGiven', `${what} is an encrypted private key. It is ignored and never sent; upload only certificates.`)
          : problem('encryptedPrivateKeyGiven', `${what} is an encrypted private key, not a certificate. Choose the certificate file that belongs to this key.`));
        break;
      case 'publicKey':
        problems.push(problem('publicKeyGiven', `${what} is a bare public key. DPS needs the whole certificate (-----BEGIN CERTIFICATE-----), which also carries the subject and issuer.`));
        break;
      case 'csr':
        problems.push(problem('csrGiven', `${what} is a certificate signing request (CSR), not a certificate. Have it signed by your CA first and use the certificate that comes back.`));
        break;
      case 'pkcs7':
        problems.push(problem('pkcs7Given', `${what} is a PKCS#7 bundle (.p7b). Export the single certificate from it as PEM or DER (e.g. openssl pkcs7 -print_certs) and use that.`));
        break;
      case 'pfx':
        problems.push(problem('pfxGiven', `${what} is a PFX/PKCS#12 file: it holds a private key. Never upload it; export only the certificate as PEM or DER.`));
        break;
      case 'crl':
        problems.push(problem('crlGiven', `${what} is a certificate revocation list, not a certificate.`));
        break;
      case 'unknown':
        problems.push(problem('unknownBlock', `${what} is not a certificate and not a format we recognise.`));
        break;
    }
  }
  return problems;
}

function describeBlock(block: BlockSummary): string {
  const label = block.label !== undefined ? ` "${block.label}"` : '';
  if (block.encoding === 'pem') return `PEM block ${block.index + 1}${label}`;
  return block.encoding === 'der' ? 'The DER data' : 'The base64 data';
}

function emptyProblem(): AttestationProblem {
  return problem('empty', 'The file is empty. Check that the certificate was saved or copied completely.');
}

function summary(block: ReadBlock): BlockSummary {
  const s: BlockSummary = { index: block.index, kind: block.kind, encoding: block.encoding };
  if (block.label !== undefined) s.label = block.label;
  return s;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
