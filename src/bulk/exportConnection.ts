// Exports every enrollment and group of an instance as it reads them: page by page under the job's
// pacing budget, each item written out at once (nothing kept), so memory does not grow with the
// instance. Queries never carry symmetric keys, so with keys each symmetric-key item costs one
// attestation-mechanism call more; no key is ever taken from a query or a GET.
import type { DpsApi } from '../dps/api';
import type { InstanceBudget } from '../dps/budget';
import { getItemAttestation, queryItems, itemIdOf, type Item, type ItemKind } from '../dps/items';
import { openFileAtomic } from '../util/atomicWrite';
import { EXPORT_FORMAT, EXPORT_VERSION, portableItem } from './exportFormat';

export type ExportClient = Pick<DpsApi, 'hostName' | 'queryEnrollments' | 'queryEnrollmentGroups' | 'getEnrollmentAttestation' | 'getEnrollmentGroupAttestation'>;

export interface ExportOptions {
  includeKeys: boolean;
  budget: InstanceBudget;
  signal?: AbortSignal;
  /** Called after each page with the items written so far. */
  onProgress?: (written: number) => void;
  now?: Date;
}

export interface ExportCounts {
  enrollments: number;
  enrollmentGroups: number;
}

/** Where the export goes, a chunk of text at a time. */
export interface ExportSink {
  write(text: string): Promise<void>;
}

const PAGE_SIZE = 100;

/** Writes the export document to `sink` as it reads: the envelope, then one item per line. */
export async function exportConnection(client: ExportClient, sink: ExportSink, options: ExportOptions): Promise<ExportCounts> {
  const envelope = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAtUtc: (options.now ?? new Date()).toISOString(),
    sourceHost: client.hostName,
    keysIncluded: options.includeKeys,
  };
  // The envelope's fields first, so a reader knows the format before the items stream by.
  await sink.write(`${JSON.stringify(envelope).slice(0, -1)},\n"enrollments": [`);
  const counts: ExportCounts = { enrollments: 0, enrollmentGroups: 0 };
  counts.enrollments = await exportKind(client, sink, 'enrollment', options, () => counts.enrollments + counts.enrollmentGroups);
  await sink.write('\n],\n"enrollmentGroups": [');
  counts.enrollmentGroups = await exportKind(client, sink, 'group', options, () => counts.enrollments + counts.enrollmentGroups);
  await sink.write('\n]}\n');
  return counts;
}

/** Exports into a temp file beside `target`, renamed over it only when complete. */
export async function exportConnectionToFile(client: ExportClient, target: string, options: ExportOptions): Promise<ExportCounts> {
  // Keys live only in the file the user chose, readable by the user alone.
  const file = await openFileAtomic(target, { mode: options.includeKeys ? 0o600 : 0o644 });
  try {
    const counts = await exportConnection(client, file, options);
    await file.commit();
    return counts;
  } catch (error: unknown) {
    await file.abort();
    throw error;
  }
}

async function exportKind(client: ExportClient, sink: ExportSink, kind: ItemKind, options: ExportOptions, before: () => number): Promise<number> {
  let written = 0;
  let token: string | undefined;
  do {
    const paging = { pageSize: PAGE_SIZE, ...(token !== undefined ? { continuationToken: token } : {}) };
    const page = await options.budget.read((request) => queryItems(client, kind, paging, request), options.signal);
    const lines: string[] = [];
    for (const item of page.items) {
      const portable = portableItem(options.includeKeys ? await withKeys(client, kind, item, options) : item, options.includeKeys);
      lines.push(`${written === 0 && lines.length === 0 ? '' : ','}\n${JSON.stringify(portable)}`);
    }
    written += page.items.length;
    await sink.write(lines.join(''));
    options.onProgress?.(before() + written);
    token = page.continuationToken;
  } while (token !== undefined && token !== '');
  return written;
}

async function withKeys(client: ExportClient, kind: ItemKind, item: Item, options: ExportOptions): Promise<Item> {
  if (item.attestation?.type !== 'symmetricKey') return item;
  const attestation = await options.budget.read((request) => getItemAttestation(client, kind, itemIdOf(kind, item), request), options.signal);
  return { ...item, attestation };
}
