// CSV input for bulk jobs on individual enrollments. The header row maps columns to fields by name
// (case, spaces, "_" and "-" ignored; a few aliases such as "hub" and "status"); an unknown column
// is an error rather than silently dropped data. Each data row becomes one row of the plan, built
// with the attestation library, so a bad key or certificate is reported against its CSV line.
import { parse } from 'csv-parse/sync';
import type { IndividualEnrollment } from '../dps/models';
import type { BulkMode } from '../dps/models';
import { BulkSourceError, type SourceResult, type SourceRow } from './rows';
import { validateItem } from './validateItem';
import { CERTIFICATE_POLICY_FIELDS, type CertificatePolicyField } from '../dps/certificatePolicy';

export type CsvField =
  | 'registrationId' | 'attestationType' | 'primaryKey' | 'secondaryKey' | 'endorsementKey' | 'storageRootKey'
  | 'primaryCertificate' | 'secondaryCertificate' | 'deviceId' | 'iotHubHostName' | 'provisioningStatus' | 'tags'
  | 'iotEdge' | 'etag' | CertificatePolicyField;

const ALIASES: Record<string, CsvField> = {
  registrationid: 'registrationId', id: 'registrationId',
  attestation: 'attestationType', attestationtype: 'attestationType', type: 'attestationType',
  primarykey: 'primaryKey', secondarykey: 'secondaryKey',
  endorsementkey: 'endorsementKey', ek: 'endorsementKey', storagerootkey: 'storageRootKey', srk: 'storageRootKey',
  certificate: 'primaryCertificate', primarycertificate: 'primaryCertificate', certificatefile: 'primaryCertificate',
  secondarycertificate: 'secondaryCertificate',
  deviceid: 'deviceId',
  hub: 'iotHubHostName', iothub: 'iotHubHostName', iothubhostname: 'iotHubHostName',
  status: 'provisioningStatus', provisioningstatus: 'provisioningStatus',
  tags: 'tags', iotedge: 'iotEdge', edge: 'iotEdge', etag: 'etag',
  // ADR certificate policy (api-version 2026-11-01): the service's field names, or without "Name".
  namespacename: 'namespaceName', namespace: 'namespaceName',
  certificateauthorityname: 'certificateAuthorityName', certificateauthority: 'certificateAuthorityName',
  certificatepolicyname: 'certificatePolicyName', certificatepolicy: 'certificatePolicyName',
};

const TYPES: Record<string, IndividualEnrollment['attestation']['type']> = {
  symmetrickey: 'symmetricKey', symmetric: 'symmetricKey', sas: 'symmetricKey', tpm: 'tpm', x509: 'x509', none: 'none',
};

export interface CsvSourceOptions {
  mode: BulkMode;
  /** Name for messages, e.g. "devices.csv". */
  fileName?: string;
  /**
   * Reads a certificate column's value when it names a file (anything that is not PEM text), relative
   * to the CSV's folder. Without it such values are row errors.
   */
  readCertificateFile?: (path: string) => Uint8Array;
  now?: Date;
}

function normaliseHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Maps header cells to fields; throws on an unknown or repeated column and when no id column exists. */
export function mapCsvHeader(header: readonly string[]): (CsvField | undefined)[] {
  const seen = new Map<CsvField, string>();
  const mapped = header.map((cell) => {
    const name = cell.trim();
    if (name === '') return undefined;
    const field = ALIASES[normaliseHeader(name)];
    if (field === undefined) {
      throw new BulkSourceError(`The CSV column "${name}" is unknown. Known columns: registrationId, attestationType, primaryKey, secondaryKey, endorsementKey, storageRootKey, certificate, secondaryCertificate, deviceId, iotHubHostName (hub), provisioningStatus (status), tags, iotEdge, etag, namespaceName, certificateAuthorityName, certificatePolicyName.`);
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) throw new BulkSourceError(`The CSV columns "${earlier}" and "${name}" both mean ${field}; keep one.`);
    seen.set(field, name);
    return field;
  });
  if (!seen.has('registrationId')) {
    throw new BulkSourceError('The CSV has no "registrationId" column. The first line must be a header naming the columns, e.g. registrationId,primaryKey,deviceId.');
  }
  return mapped;
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

export function parseEnrollmentCsv(text: string, options: CsvSourceOptions): SourceResult {
  const name = options.fileName ?? 'the CSV';
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: false }) as unknown as CsvRecord[];
  } catch (error: unknown) {
    throw new BulkSourceError(`${name} is not valid CSV${describeCsvError(error)}`);
  }
  const [header, ...data] = records;
  if (header === undefined) throw new BulkSourceError(`${name} is empty: it needs a header line and one line per enrollment.`);
  const fields = mapCsvHeader(header.record);
  const rows = data.map((entry) => csvRow(entry, fields, options));
  return { kind: 'enrollment', rows, description: name };
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote is opened and never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted cell (quote the whole cell and double the quotes inside it)',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than a comma or the line end',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by something other than a comma or the line end',
};

/** The place and kind of a syntax error; csv-parse's own message can quote a cell (maybe a key), so it is not used. */
function describeCsvError(error: unknown): string {
  const details = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; lines?: unknown };
  const line = typeof details.lines === 'number' ? ` at line ${details.lines}` : '';
  const reason = typeof details.code === 'string' ? CSV_ERRORS[details.code] : undefined;
  return `${line}: ${reason ?? 'the text cannot be read as comma-separated values'}.`;
}

function csvRow(entry: CsvRecord, fields: (CsvField | undefined)[], options: CsvSourceOptions): SourceRow {
  const origin = `line ${entry.info.lines}`;
  const cells = new Map<CsvField, string>();
  fields.forEach((field, i) => {
    const value = entry.record[i]?.trim() ?? '';
    if (field !== undefined && value !== '') cells.set(field, value);
  });
  const id = cells.get('registrationId') ?? '';
  if (entry.record.length !== fields.length) {
    return { origin, id, errors: [`The line has ${entry.record.length} cells but the header has ${fields.length} columns; check for a missing or extra comma, or quote cells that contain commas.`], warnings: [] };
  }
  const errors: string[] = [];
  const enrollment: Record<string, unknown> = { registrationId: id };
  const attestation = options.mode === 'delete' ? { type: 'none' } : csvAttestation(cells, options, errors);
  enrollment.attestation = attestation;
  const deviceId = cells.get('deviceId');
  if (deviceId !== undefined) enrollment.deviceId = deviceId;
  const hub = cells.get('iotHubHostName');
  if (hub !== undefined) enrollment.iotHubHostName = hub;
  const status = cells.get('provisioningStatus');
  if (status !== undefined) enrollment.provisioningStatus = status.toLowerCase();
  const etag = cells.get('etag');
  if (etag !== undefined) enrollment.etag = etag;
  // Empty cells mean no policy; validateItem checks that the three come together.
  for (const field of CERTIFICATE_POLICY_FIELDS) {
    const value = cells.get(field);
    if (value !== undefined) enrollment[field] = value;
  }
  const edge = cells.get('iotEdge');
  if (edge !== undefined) {
    const flag = parseBoolean(edge);
    if (flag === undefined) errors.push(`iotEdge must be true or false, not "${edge}".`);
    else enrollment.capabilities = { iotEdge: flag };
  }
  const tags = cells.get('tags');
  if (tags !== undefined) {
    const parsed = parseTags(tags);
    if (typeof parsed === 'string') errors.push(parsed);
    else enrollment.initialTwin = { tags: parsed };
  }
  const row = validateItem(enrollment, 'enrollment', options.mode, origin, options.now);
  if (errors.length === 0) return row;
  return { origin, id, errors: [...errors, ...row.errors], warnings: row.warnings };
}

function csvAttestation(cells: Map<CsvField, string>, options: CsvSourceOptions, errors: string[]): Record<string, unknown> {
  const given = cells.get('attestationType');
  let type: string | undefined;
  if (given !== undefined) {
    type = TYPES[normaliseHeader(given)];
    if (type === undefined) errors.push(`attestationType "${given}" is not one of symmetricKey, tpm, x509.`);
  } else {
    // Without a type column the columns present say which mechanism the row means.
    type = cells.has('endorsementKey') ? 'tpm' : cells.has('primaryCertificate') ? 'x509' : 'symmetricKey';
  }
  switch (type) {
    case 'tpm': {
      const endorsementKey = cells.get('endorsementKey');
      if (endorsementKey === undefined) errors.push('A TPM row needs an endorsementKey.');
      const storageRootKey = cells.get('storageRootKey');
      return { type, tpm: { endorsementKey: endorsementKey ?? '', ...(storageRootKey !== undefined ? { storageRootKey } : {}) } };
    }
    case 'x509': {
      const primary = certificateCell(cells.get('primaryCertificate'), 'certificate', options, errors);
      const secondary = certificateCell(cells.get('secondaryCertificate'), 'secondaryCertificate', options, errors);
      return { type, x509: { clientCertificates: { primary: { certificate: primary ?? '' }, ...(secondary !== undefined ? { secondary: { certificate: secondary } } : {}) } } };
    }
    case 'symmetricKey': {
      const primaryKey = cells.get('primaryKey');
      const secondaryKey = cells.get('secondaryKey');
      if (primaryKey === undefined && secondaryKey === undefined) return { type };
      return { type, symmetricKey: { ...(primaryKey !== undefined ? { primaryKey } : {}), ...(secondaryKey !== undefined ? { secondaryKey } : {}) } };
    }
    default:
      return { type: type ?? 'none' };
  }
}

/** A certificate cell holds PEM text or the path of a certificate file. */
function certificateCell(value: string | undefined, column: string, options: CsvSourceOptions, errors: string[]): string | undefined {
  if (value === undefined) {
    if (column === 'certificate') errors.push('An x509 row needs a certificate (PEM text or a file path).');
    return undefined;
  }
  if (value.includes('-----BEGIN')) return value;
  if (options.readCertificateFile === undefined) {
    errors.push(`The ${column} cell names a file, but files cannot be read for this source; put the PEM text in the cell.`);
    return undefined;
  }
  try {
    return Buffer.from(options.readCertificateFile(value)).toString('latin1');
  } catch {
    errors.push(`The ${column} file "${value}" could not be read.`);
    return undefined;
  }
}

function parseBoolean(text: string): boolean | undefined {
  const lowered = text.toLowerCase();
  if (['true', 'yes', '1'].includes(lowered)) return true;
  if (['false', 'no', '0'].includes(lowered)) return false;
  return undefined;
}

/** Tags as a JSON object ({"site":"a"}) or as key=value pairs separated by ";". Returns the error text on failure. */
export function parseTags(text: string): Record<string, unknown> | string {
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through to the message below
    }
    return 'tags is not a JSON object; write {"site":"north"} (quote the cell and double inner quotes) or site=north;line=2.';
  }
  const tags: Record<string, string> = {};
  for (const pair of text.split(';')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (key === '') return `tags "${text}" is not key=value pairs separated by ";" (or a JSON object).`;
    tags[key] = pair.slice(eq + 1).trim();
  }
  return tags;
}
