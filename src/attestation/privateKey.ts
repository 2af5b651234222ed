// Loads the private key of a CA for signing: PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8 or legacy
// "Proc-Type: 4,ENCRYPTED") or DER, possibly next to certificates in the same file. Errors name what
// went wrong (no key, passphrase missing, passphrase wrong) without echoing the key or passphrase.
import { createPrivateKey, KeyObject } from 'node:crypto';
import { AttestationError, problem } from './problems';
import { decodeText, readBlocks } from './read';

const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** `of`: whose key is expected, so a wrong file is named for what it should have been. */
export function loadPrivateKey(input: string | Uint8Array, passphrase?: string, of: 'CA' | 'device' = 'CA'): KeyObject {
  const { blocks } = readBlocks(input);
  const keyBlock = blocks.find((b) => b.kind === 'privateKey' || b.kind === 'encryptedPrivateKey');
  if (keyBlock === undefined) {
    const found = blocks.length > 0 ? ` It holds ${blocks.map((b) => describeKind(b.kind)).join(', ')}.` : '';
    const whose = of === 'CA' ? "the CA's" : "the device's";
    throw new AttestationError(problem('notAPrivateKey', `No private key found where ${whose} private key was expected.${found} Choose the key file that belongs to the ${of} certificate.`, 'privateKey'));
  }
  const encrypted = keyBlock.kind === 'encryptedPrivateKey';
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new AttestationError(problem('passphraseRequired', 'The private key is encrypted. Enter its passphrase.', 'passphrase'));
  }
  // PEM text is handed to Node as text: legacy encrypted keys need their Proc-Type/DEK-Info headers.
  const text = typeof input === 'string' ? input : input[0] !== 0x30 ? decodeText(Buffer.from(input)) : undefined;
  const pemText = text !== undefined ? KEY_BLOCK.exec(text.replace(/\r\n?/g, '\n'))?.[0] : undefined;
  try {
    if (pemText !== undefined) return createPrivateKey(encrypted ? { key: pemText, passphrase } : { key: pemText });
    const der = keyBlock.der;
    return encrypted
      ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase })
      : createPrivateKeyFromDer(der);
  } catch (error) {
    if (error instanceof AttestationError) throw error;
    if (encrypted) throw new AttestationError(problem('wrongPassphrase', 'The passphrase does not decrypt the private key. Check it and try again.', 'passphrase'));
    throw new AttestationError(problem('notAPrivateKey', 'The private key cannot be read: the file is damaged or uses an unsupported format. Export it again as PEM (PKCS#8).', 'privateKey'));
  }
}

/** Label-less DER may be PKCS#8, PKCS#1 (RSA) or SEC1 (EC); try each. */
function createPrivateKeyFromDer(der: Buffer): KeyObject {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new Error('unreadable key');
}

function describeKind(kind: string): string {
  switch (kind) {
    case 'certificate': return 'a certificate';
    case 'publicKey': return 'a public key';
    case 'csr': return 'a certificate signing request';
    case 'pkcs7': return 'a PKCS#7 bundle';
    case 'pfx': return 'a PFX/PKCS#12 file (export the key from it first)';
    default: return 'unrecognised data';
  }
}
