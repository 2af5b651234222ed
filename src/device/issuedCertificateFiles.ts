// Where an issued operational certificate goes and what it is: the chain and the new key as PEM files
// in a folder (each written whole or not at all, the key readable by its owner only, an existing file
// never replaced unless the caller says so), and the leaf's facts for the result view. No `vscode`.
import { X509Certificate } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { certificateFacts } from '../attestation/facts';
import { describeKey } from '../attestation/builders';
import { writeFileAtomic } from '../util/atomicWrite';
import { chainPem, type IssuedCertificate } from './csr';

export interface IssuedCertificatePaths {
  certificatePath: string;
  keyPath: string;
}

/** What a person checks about the certificate: whose, from whom, until when, which key. */
export interface IssuedCertificateFacts {
  subject: string;
  commonName: string | null;
  issuer: string;
  notAfter: string;
  /** "ECDSA P-384". */
  keyType: string;
  /** Certificates in the chain, the leaf first. */
  chainLength: number;
}

export class IssuedFilesExistError extends Error {
  override readonly name = 'IssuedFilesExistError';
  constructor(readonly existing: readonly string[]) {
    super(`${existing.join(' and ')} already ${existing.length > 1 ? 'exist' : 'exists'}; nothing was written. Choose another folder, or agree to replace ${existing.length > 1 ? 'them' : 'it'}.`);
  }
}

/** `<folder>/<registrationId>.cert.pem` and `.key.pem`: the names say whose files they are. */
export function issuedCertificatePaths(folder: string, registrationId: string): IssuedCertificatePaths {
  // Registration ids hold only letters, digits and - . _ : (checked before provisioning); ':' is not
  // allowed in Windows file names.
  const base = registrationId.replace(/:/g, '_');
  return { certificatePath: join(folder, `${base}.cert.pem`), keyPath: join(folder, `${base}.key.pem`) };
}

/** The paths of the two that already exist (a folder or link in their place counts). */
export async function existingIssuedFiles(paths: IssuedCertificatePaths): Promise<string[]> {
  const found: string[] = [];
  for (const path of [paths.certificatePath, paths.keyPath]) {
    try {
      await lstat(path);
      found.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}

/**
 * Writes the chain and the key. Refuses (writing nothing) when either file exists, unless
 * `replace`; when the certificate cannot be written, the key file is as it was (removed if new, else restored).
 */
export async function saveIssuedCertificate(paths: IssuedCertificatePaths, issued: IssuedCertificate, options: { replace?: boolean } = {}): Promise<IssuedCertificatePaths> {
  await mkdir(dirname(paths.certificatePath), { recursive: true });
  const existing = await existingIssuedFiles(paths);
  if (existing.length > 0 && options.replace !== true) throw new IssuedFilesExistError(existing);
  // A replaced key is kept in memory until the certificate is written: a failure then puts it back,
  // so the folder never holds a key and a certificate that do not belong together.
  const previousKey = existing.includes(paths.keyPath) ? await readFile(paths.keyPath).catch(() => undefined) : undefined;
  await writeFileAtomic(paths.keyPath, issued.privateKeyPem, { mode: 0o600 });
  await chmod(paths.keyPath, 0o600); // a replaced file keeps no looser mode
  try {
    await writeFileAtomic(paths.certificatePath, chainPem(issued.chain), { mode: 0o644 });
  } catch (error) {
    if (previousKey !== undefined) await writeFileAtomic(paths.keyPath, previousKey, { mode: 0o600 });
    else if (!existing.includes(paths.keyPath)) await rm(paths.keyPath, { force: true });
    throw error;
  }
  return paths;
}

export function issuedCertificateFacts(issued: IssuedCertificate): IssuedCertificateFacts {
  const leaf = issued.chain[0];
  if (leaf === undefined) throw new Error('The issued certificate chain is empty.');
  const facts = certificateFacts(new X509Certificate(Buffer.from(leaf, 'base64')));
  return { subject: facts.subject, commonName: facts.commonName, issuer: facts.issuer, notAfter: facts.notAfter, keyType: describeKey(facts), chainLength: issued.chain.length };
}

/** The problem with a folder typed relative to the workspace, or undefined when it stays inside it. */
export function folderProblem(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter a folder name (it is created when missing).';
  if (isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) return 'Enter a folder relative to the workspace.';
  const normal = normalize(value);
  if (normal === '..' || normal.startsWith(`..${sep}`) || normal.startsWith('../')) return 'The folder must be inside the workspace.';
  return undefined;
}
