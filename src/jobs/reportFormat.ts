// A job's report as files: CSV for spreadsheets, JSON for scripts. Both list every row, failed
// first. Rows hold ids, origins and the service's reasons, never item content (keys stay out).
import type { JobSnapshot } from './jobModel';
import type { JobRow } from './jobRows';

const CSV_COLUMNS = ['kind', 'origin', 'id', 'outcome', 'errorCode', 'reason', 'attempts', 'detail'] as const;

/**
 * One CSV cell: quoted when it holds a separator, quote or line break; a leading = + - @ (which a
 * spreadsheet would run as a formula) is prefixed with ' since reasons come from the service.
 */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function reportCsv(rows: readonly JobRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function reportJson(snapshot: JobSnapshot, rows: readonly JobRow[]): string {
  const { header, summary, counts, countsOnly, elapsedMs, cancelled, live } = snapshot;
  // A counts-only job lists some items: the file says so rather than let items look like all of them.
  const listed = countsOnly ? { itemsListed: 'only those the Jobs view lists; counts cover every item' } : {};
  return JSON.stringify({ title: header.title, source: header.source, summary, counts, ...listed, requests: live.requests, elapsedMs, cancelled, items: rows }, null, 2) + '\n';
}
