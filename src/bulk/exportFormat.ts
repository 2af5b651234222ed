// The export file: one JSON document with a connection's enrollments and groups, versioned so a
// later release can read older files. Server-written fields are dropped (they mean nothing on
// another instance); keys are present only when the user chose to include them.
import type { EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import { BulkSourceError } from './rows';

export const EXPORT_FORMAT = 'dps-enrollments-export';
export const EXPORT_VERSION = 1;

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAtUtc: string;
  /** The DPS host the items came from (never the connection string). */
  sourceHost: string;
  keysIncluded: boolean;
  enrollments: IndividualEnrollment[];
  enrollmentGroups: EnrollmentGroup[];
}

const DROPPED = ['etag', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState'];

/** A copy fit for another instance: no server fields, and without keys unless asked. */
export function portableItem<T extends IndividualEnrollment | EnrollmentGroup>(item: T, includeKeys: boolean): T {
  const copy: Record<string, unknown> = { ...item };
  for (const field of DROPPED) delete copy[field];
  const attestation = item.attestation as Record<string, unknown> | undefined;
  if (!includeKeys && attestation?.type === 'symmetricKey') {
    // Without keys the target instance generates new ones on create.
    copy.attestation = { type: 'symmetricKey' };
  }
  return copy as T;
}

export function buildExportDocument(input: {
  sourceHost: string;
  enrollments: readonly IndividualEnrollment[];
  enrollmentGroups: readonly EnrollmentGroup[];
  includeKeys: boolean;
  now?: Date;
}): ExportDocument {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAtUtc: (input.now ?? new Date()).toISOString(),
    sourceHost: input.sourceHost,
    keysIncluded: input.includeKeys,
    enrollments: input.enrollments.map((e) => portableItem(e, input.includeKeys)),
    enrollmentGroups: input.enrollmentGroups.map((g) => portableItem(g, input.includeKeys)),
  };
}

export function isExportDocumentShape(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>).format === EXPORT_FORMAT;
}

/** Checks the envelope (format, version, the two arrays); the items themselves are checked row by row. */
export function readExportEnvelope(value: unknown, name: string): { enrollments: unknown[]; enrollmentGroups: unknown[]; keysIncluded: boolean } {
  if (!isExportDocumentShape(value)) throw new BulkSourceError(`${name} is not a DPS Enrollments export (no "format": "${EXPORT_FORMAT}").`);
  if (value.version !== EXPORT_VERSION) {
    throw new BulkSourceError(`${name} is export version ${JSON.stringify(value.version)}; this version of the extension reads version ${EXPORT_VERSION}. Update the extension.`);
  }
  const enrollments = value.enrollments ?? [];
  const enrollmentGroups = value.enrollmentGroups ?? [];
  if (!Array.isArray(enrollments)) throw new BulkSourceError(`${name}: "enrollments" must be an array.`);
  if (!Array.isArray(enrollmentGroups)) throw new BulkSourceError(`${name}: "enrollmentGroups" must be an array.`);
  return { enrollments, enrollmentGroups, keysIncluded: value.keysIncluded === true };
}
