// A folder of device certificates: one individual X.509 enrollment per leaf certificate, the
// registration id taken from its CN (DPS matches the device by it). Files that are not
// certificates are skipped by extension; a certificate file that is unusable is an invalid row.
import { promises as fs } from 'node:fs';
import { extname, join } from 'node:path';
import { buildX509IndividualAttestation, registrationIdFromCertificate } from '../attestation';
import type { BulkMode } from '../dps/models';
import { BulkSourceError, type SourceResult, type SourceRow } from './rows';

export const CERTIFICATE_EXTENSIONS = ['.pem', '.crt', '.cer', '.der'];
const MAX_FILES = 100_000;

export interface CertificateFile {
  /** Name relative to the folder, for messages. */
  name: string;
  bytes: Uint8Array;
}

export function certificateRows(files: readonly CertificateFile[], mode: BulkMode, now: Date = new Date()): SourceRow[] {
  return files.map((file): SourceRow => {
    if (mode === 'delete') {
      const { registrationId, problems } = registrationIdFromCertificate(file.bytes, now);
      if (registrationId === null) return { origin: file.name, id: '', errors: problems.map((p) => p.message), warnings: [] };
      return { origin: file.name, id: registrationId, item: { registrationId, attestation: { type: 'none' } }, errors: [], warnings: [] };
    }
    const built = buildX509IndividualAttestation({ primaryCertificate: file.bytes }, now);
    const errors = built.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    const warnings = built.problems.filter((p) => p.severity === 'warning').map((p) => p.message);
    if (!built.ok) return { origin: file.name, id: '', errors, warnings };
    if (built.registrationId === undefined) {
      return { origin: file.name, id: '', errors: ['The certificate has no common name (CN), so it gives no registration id.'], warnings };
    }
    return { origin: file.name, id: built.registrationId, item: { registrationId: built.registrationId, attestation: built.attestation }, errors, warnings };
  });
}

/** Reads the certificate files directly in a folder (not its subfolders), sorted by name. */
export async function readCertificateFolder(folder: string): Promise<CertificateFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(folder, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && CERTIFICATE_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
      .map((entry) => entry.name)
      .sort();
  } catch {
    throw new BulkSourceError(`The folder ${folder} could not be read.`);
  }
  if (names.length === 0) throw new BulkSourceError(`The folder ${folder} has no certificate files (${CERTIFICATE_EXTENSIONS.join(', ')}).`);
  if (names.length > MAX_FILES) throw new BulkSourceError(`The folder ${folder} has ${names.length} certificate files; at most ${MAX_FILES} at once.`);
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await fs.readFile(join(folder, name))) })));
}

export async function certificateFolderSource(folder: string, mode: BulkMode, now?: Date): Promise<SourceResult> {
  const files = await readCertificateFolder(folder);
  return { kind: 'enrollment', rows: certificateRows(files, mode, now), description: `${files.length} certificate files in ${folder}` };
}
