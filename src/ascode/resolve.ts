// Resolves the references of a desired-state file: certificate files are read and their thumbprints
// computed, key environment variables are read and checked. Problems carry the reference's position;
// no message holds a key (only the variable's name).
import { promises as fs } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { certificateFacts, checkSymmetricKey, readCertificates } from '../attestation';
import { DesiredStateError, type DesiredItem, type DesiredState, type FileProblem } from './format';
import { comparableFields, type CertificateFacts } from './normalize';

export interface ResolvedCertificate {
  /** As referenced: the file name or the thumbprint. */
  reference: string;
  /** The certificate's PEM when the reference is a file; a thumbprint reference has none. */
  pem?: string;
  /** From the file; for a thumbprint reference only the thumbprint is known. */
  facts?: CertificateFacts;
  thumbprint: string;
}

export interface ResolvedItem extends DesiredItem {
  /** The managed fields in comparable form (see normalize.ts). */
  comparable: Record<string, unknown>;
  certificates: { certificate?: ResolvedCertificate; secondaryCertificate?: ResolvedCertificate };
  /** Key values from the environment: secret, kept in memory only, never put into a plan or a message. */
  keyValues?: { primary: string; secondary: string };
}

export interface ResolveOptions {
  env?: Record<string, string | undefined>;
  readFile?: (path: string) => Promise<Uint8Array>;
}

export async function resolveDesiredState(state: DesiredState, options: ResolveOptions = {}): Promise<ResolvedItem[]> {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => fs.readFile(path));
  const problems: FileProblem[] = [];
  const cache = new Map<string, Promise<ResolvedCertificate | string>>();
  const resolved: ResolvedItem[] = [];
  for (const item of state.items) {
    const out: ResolvedItem = { ...item, comparable: comparableFields(item.kind, item.fields), certificates: {} };
    const a = item.attestation;
    if (a.type === 'x509') {
      for (const slot of ['certificate', 'secondaryCertificate'] as const) {
        const ref = a[slot];
        if (ref === undefined) continue;
        const position = item.referencePositions[slot] ?? item.position;
        if ('thumbprint' in ref) {
          out.certificates[slot] = { reference: ref.thumbprint, thumbprint: ref.thumbprint };
          continue;
        }
        if (isAbsolute(ref.file)) {
          problems.push({ position, message: `"${ref.file}" is an absolute path; name certificate files relative to the desired-state file so the file works on every machine.` });
          continue;
        }
        const path = resolvePath(state.baseDir, ref.file);
        let pending = cache.get(path);
        if (pending === undefined) {
          pending = readCertificateFile(path, ref.file, readFile);
          cache.set(path, pending);
        }
        const result = await pending;
        if (typeof result === 'string') problems.push({ position, message: result });
        else out.certificates[slot] = result;
      }
    }
    if (a.type === 'symmetricKey' && typeof a.keys === 'object') {
      const position = item.referencePositions.keys ?? item.position;
      const values: Partial<Record<'primary' | 'secondary', string>> = {};
      for (const slot of ['primary', 'secondary'] as const) {
        const name = a.keys[slot].env;
        const value = env[name];
        if (value === undefined || value === '') {
          problems.push({ position, message: `The environment variable ${name} (${slot} key of "${item.id}") is not set.` });
          continue;
        }
        const keyProblems = checkSymmetricKey(value, `${slot} key in ${name}`);
        if (keyProblems.length > 0) problems.push({ position, message: keyProblems[0].message });
        else values[slot] = value.trim();
      }
      if (values.primary !== undefined && values.secondary !== undefined) out.keyValues = { primary: values.primary, secondary: values.secondary };
    }
    resolved.push(out);
  }
  if (problems.length > 0) throw new DesiredStateError(state.fileName, problems);
  return resolved;
}

async function readCertificateFile(path: string, name: string, readFile: (path: string) => Promise<Uint8Array>): Promise<ResolvedCertificate | string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `The certificate file "${name}" does not exist (looked for ${path}).` : `The certificate file "${name}" could not be read (${code ?? 'error'}).`;
  }
  const read = readCertificates(bytes);
  const first = read.certificates[0];
  if (first === undefined) {
    const reason = read.problems.find((p) => p.severity === 'error')?.message ?? 'it holds no certificate';
    return `The certificate file "${name}" has no usable certificate: ${reason}`;
  }
  const facts = certificateFacts(first.x509);
  return {
    reference: name,
    pem: first.pem,
    thumbprint: facts.sha256Thumbprint,
    facts: { sha1Thumbprint: facts.sha1Thumbprint, sha256Thumbprint: facts.sha256Thumbprint, subjectName: facts.subject },
  };
}
