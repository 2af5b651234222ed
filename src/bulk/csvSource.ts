// CSV input for bulk jobs on individual enrollments or enrollment groups: the header's id column
// (registrationId or enrollmentGroupId) says which, one kind per file. The header row maps columns
// to fields by name (case, spaces, "_" and "-" ignored; a few aliases such as "hub" and "status"); an
// unknown column, or one that does not apply to the file's kind, is an error rather than silently
// dropped data. Each data row becomes one row of the plan, checked by validateItem like any other
// source, so a bad key or certificate is reported against its CSV line.
import { parse } from 'csv-parse/sync';
import { buildCaReferencesAttestation } from '../attestation';
import type { IndividualEnrollment } from '../dps/models';
import type { BulkMode } from '../dps/models';
import { idFieldOf, type ItemKind } from '../dps/items';
import { splitHubList } from '../dps/hubHostName';
import { BulkSourceError, type SourceResult, type SourceRow } from './rows';
import { validateItem } from './validateItem';
import { CERTIFICATE_POLICY_FIELDS, type CertificatePolicyField } from '../dps/certificatePolicy';

export type CsvField =
  | 'registrationId' | 'attestationType' | 'primaryKey' | 'secondaryKey' | 'endorsementKey' | 'storageRootKey'
  | 'primaryCertificate' | 'secondaryCertificate' | 'deviceId' | 'iotHubHostName' | 'provisioningStatus' | 'tags'
  | 'iotEdge' | 'etag' | 'enrollmentGroupId' | 'caReference' | 'secondaryCaReference' | 'iotHubs' | CertificatePolicyField;

const ALIASES: Record<string, CsvField> = {
  registrationid: 'registrationId', id: 'registrationId',
  enrollmentgroupid: 'enrollmentGroupId', groupid: 'enrollmentGroupId',
  attestation: 'attestationType', attestationtype: 'attestationType', type: 'attestationType',
  primarykey: 'primaryKey', secondarykey: 'secondaryKey',
  endorsementkey: 'endorsementKey', ek: 'endorsementKey', storagerootkey: 'storageRootKey', srk: 'storageRootKey',
  certificate: 'primaryCertificate', primarycertificate: 'primaryCertificate', certificatefile: 'primaryCertificate',
  secondarycertificate: 'secondaryCertificate',
  deviceid: 'deviceId',
  hub: 'iotHubHostName', iothub: 'iotHubHostName', iothubhostname: 'iotHubHostName',
  // Several hubs in one cell, separated by ";" (or commas inside a quoted cell).
  iothubs: 'iotHubs', hubs: 'iotHubs',
  // Groups only: CA certificates verified in the DPS instance, by the name it lists them under.
  careference: 'caReference', primarycareference: 'caReference', secondarycareference: 'secondaryCaReference',
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

/** Columns that only one kind of item has, with why the other kind cannot take them. */
const ENROLLMENT_ONLY: Partial<Record<CsvField, string>> = {
  deviceId: 'an enrollment group has no device id (each device registers under its own registration id)',
  endorsementKey: 'enrollment groups support only X.509 and symmetric-key attestation; enroll a TPM device with an individual enrollment',
  storageRootKey: 'enrollment groups support only X.509 and symmetric-key attestation; enroll a TPM device with an individual enrollment',
};
const GROUP_ONLY: Partial<Record<CsvField, string>> = {
  caReference: 'an individual enrollment takes the device\'s own certificate in the "certificate" column; CA references are for enrollment groups',
  secondaryCaReference: 'an individual enrollment takes the device\'s own certificate in the "secondaryCertificate" column; CA references are for enrollment groups',
};

const KNOWN_COLUMNS = 'registrationId or enrollmentGroupId, attestationType, primaryKey, secondaryKey, endorsementKey, storageRootKey, certificate, secondaryCertificate, caReference, secondaryCaReference, deviceId, iotHubHostName (hub), iotHubs, provisioningStatus (status), tags, iotEdge, etag, namespaceName, certificateAuthorityName, certificatePolicyName';

function normaliseHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export interface CsvHeader {
  /** Individual enrollments (a registrationId column) or enrollment groups (an enrollmentGroupId column). */
  kind: ItemKind;
  /** The field of each column, undefined for a column without a name. */
  fields: (CsvField | undefined)[];
}

/**
 * Maps header cells to fields and says which kind the file holds; throws on an unknown or repeated
 * column, on none or both id columns, and on a column the file's kind does not have.
 */
export function mapCsvHeader(header: readonly string[]): CsvHeader {
  const seen = new Map<CsvField, string>();
  const fields = header.map((cell) => {
    const name = cell.trim();
    if (name === '') return undefined;
    const field = ALIASES[normaliseHeader(name)];
    if (field === undefined) {
      throw new BulkSourceError(`The CSV column "${name}" is unknown. Known columns: ${KNOWN_COLUMNS}.`);
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) throw new BulkSourceError(`The CSV columns "${earlier}" and "${name}" both mean ${field}; keep one.`);
    seen.set(field, name);
    return field;
  });
  const kind = kindOfHeader(seen);
  const misplaced = kind === 'group' ? ENROLLMENT_ONLY : GROUP_ONLY;
  for (const [field, name] of seen) {
    const why = misplaced[field];
    if (why !== undefined) {
      const file = kind === 'group' ? 'enrollment groups (it has an "enrollmentGroupId" column)' : 'individual enrollments (it has a "registrationId" column)';
      throw new BulkSourceError(`The CSV column "${name}" does not apply: this file describes ${file}, and ${why}. Remove the column.`);
    }
  }
  return { kind, fields };
}

function kindOfHeader(seen: ReadonlyMap<CsvField, string>): ItemKind {
  const registrationId = seen.get('registrationId');
  const groupId = seen.get('enrollmentGroupId');
  if (registrationId !== undefined && groupId !== undefined) {
    throw new BulkSourceError(`The CSV has both a "${registrationId}" and an "${groupId}" column, but one file holds one kind: keep "${registrationId}" for individual enrollments or "${groupId}" for enrollment groups, and put the other kind in a file of its own.`);
  }
  if (groupId !== undefined) return 'group';
  if (registrationId !== undefined) return 'enrollment';
  throw new BulkSourceError('The CSV has no "registrationId" column (individual enrollments) or "enrollmentGroupId" column (enrollment groups). The first line must be a header naming the columns, e.g. registrationId,primaryKey,deviceId or enrollmentGroupId,certificate,hub.');
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
  if (header === undefined) throw new BulkSourceError(`${name} is empty: it needs a header line and one line per enrollment or enrollment group.`);
  const mapped = mapCsvHeader(header.record);
  const rows = data.map((entry) => csvRow(entry, mapped, options));
  return { kind: mapped.kind, rows, description: name };
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

function csvRow(entry: CsvRecord, { kind, fields }: CsvHeader, options: CsvSourceOptions): SourceRow {
  const origin = `line ${entry.info.lines}`;
  const cells = new Map<CsvField, string>();
  fields.forEach((field, i) => {
    const value = entry.record[i]?.trim() ?? '';
    if (field !== undefined && value !== '') cells.set(field, value);
  });
  const idField = idFieldOf(kind);
  const id = cells.get(idField) ?? '';
  if (entry.record.length !== fields.length) {
    return { origin, id, errors: [`The line has ${entry.record.length} cells but the header has ${fields.length} columns; check for a missing or extra comma, or quote cells that contain commas.`], warnings: [] };
  }
  const errors: string[] = [];
  const enrollment: Record<string, unknown> = { [idField]: id };
  const attestation = options.mode === 'delete' ? { type: 'none' }
    : kind === 'group' ? csvGroupAttestation(cells, options, errors) : csvAttestation(cells, options, errors);
  enrollment.attestation = attestation;
  const deviceId = cells.get('deviceId');
  if (deviceId !== undefined) enrollment.deviceId = deviceId;
  const hub = cells.get('iotHubHostName');
  if (hub !== undefined) enrollment.iotHubHostName = hub;
  const hubs = cells.get('iotHubs');
  if (hubs !== undefined) enrollment.iotHubs = splitHubList(hubs);
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
  const row = validateItem(enrollment, kind, options.mode, origin, options.now);
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
    case 'x509':
      return { type, x509: { clientCertificates: certificatePair(cells, options, errors) } };
    case 'symmetricKey':
      return symmetricKeyAttestation(cells);
    default:
      return { type: type ?? 'none' };
  }
}

/** Without keys the service generates them on create; an update keeps the current ones (see keepKeys). */
function symmetricKeyAttestation(cells: Map<CsvField, string>): Record<string, unknown> {
  const primaryKey = cells.get('primaryKey');
  const secondaryKey = cells.get('secondaryKey');
  if (primaryKey === undefined && secondaryKey === undefined) return { type: 'symmetricKey' };
  return { type: 'symmetricKey', symmetricKey: { ...(primaryKey !== undefined ? { primaryKey } : {}), ...(secondaryKey !== undefined ? { secondaryKey } : {}) } };
}

/**
 * A group's attestation: symmetric keys (none given: the service generates them, or an update keeps
 * the current ones), CA certificates that signed its devices, or references to CAs verified in the
 * instance. validateItem then checks it as it checks a group from JSON (a leaf certificate or TPM refused).
 */
function csvGroupAttestation(cells: Map<CsvField, string>, options: CsvSourceOptions, errors: string[]): Record<string, unknown> {
  const given = cells.get('attestationType');
  const hasCertificates = cells.has('primaryCertificate') || cells.has('secondaryCertificate');
  const hasReferences = cells.has('caReference') || cells.has('secondaryCaReference');
  let type: string | undefined;
  if (given !== undefined) {
    type = TYPES[normaliseHeader(given)];
    if (type === undefined) errors.push(`attestationType "${given}" is not one of symmetricKey, x509.`);
  } else {
    type = hasCertificates || hasReferences ? 'x509' : 'symmetricKey';
  }
  // "tpm" or "none" go on as they are: validateItem says why a group cannot have them.
  if (type !== 'x509') return type === 'symmetricKey' ? symmetricKeyAttestation(cells) : { type: type ?? 'none' };
  if (hasCertificates && hasReferences) {
    errors.push('The row gives both a certificate and a caReference; an enrollment group uses one of them: keep the certificate cells or the caReference cells.');
    return { type };
  }
  if (hasReferences) return caReferences(cells, errors);
  if (!hasCertificates) {
    errors.push('An x509 group row needs a certificate (the PEM text or file of the CA certificate that signed its devices) or a caReference (the name of a CA certificate verified in the DPS instance).');
    return { type };
  }
  return { type, x509: { signingCertificates: certificatePair(cells, options, errors) } };
}

/** The certificate and secondaryCertificate cells as the service's primary/secondary pair (client or signing). */
function certificatePair(cells: Map<CsvField, string>, options: CsvSourceOptions, errors: string[]): Record<string, unknown> {
  const primary = certificateCell(cells.get('primaryCertificate'), 'certificate', options, errors);
  const secondary = certificateCell(cells.get('secondaryCertificate'), 'secondaryCertificate', options, errors);
  return { primary: { certificate: primary ?? '' }, ...(secondary !== undefined ? { secondary: { certificate: secondary } } : {}) };
}

function caReferences(cells: Map<CsvField, string>, errors: string[]): Record<string, unknown> {
  const primaryCaName = cells.get('caReference');
  const secondaryCaName = cells.get('secondaryCaReference');
  if (primaryCaName === undefined) {
    errors.push('A secondaryCaReference needs a caReference (the primary CA name) on the same line.');
    return { type: 'x509' };
  }
  const built = buildCaReferencesAttestation({ primaryCaName, ...(secondaryCaName !== undefined ? { secondaryCaName } : {}) });
  if (built.ok) return { ...built.attestation };
  errors.push(...built.problems.filter((p) => p.severity === 'error').map((p) => p.message));
  return { type: 'x509' };
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
