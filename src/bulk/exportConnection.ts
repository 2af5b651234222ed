// Reads every enrollment and group of an instance into an export document. Queries withhold
// symmetric keys, so with keys each symmetric-key item costs one attestation call more.
import type { DpsApi } from '../dps/api';
import type { Item } from '../dps/items';
import type { AttestationMechanism, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import { buildExportDocument, type ExportDocument } from './exportFormat';

export type ExportClient = Pick<DpsApi, 'hostName' | 'queryEnrollments' | 'queryEnrollmentGroups' | 'getEnrollmentAttestation' | 'getEnrollmentGroupAttestation'>;

export interface ExportOptions {
  includeKeys: boolean;
  signal?: AbortSignal;
  /** Called after each page or key read with the items read so far. */
  onProgress?: (read: number) => void;
}

const PAGE_SIZE = 100;

export async function exportConnection(client: ExportClient, options: ExportOptions): Promise<ExportDocument> {
  const enrollments: IndividualEnrollment[] = [];
  const enrollmentGroups: EnrollmentGroup[] = [];
  const report = () => options.onProgress?.(enrollments.length + enrollmentGroups.length);
  let token: string | undefined;
  do {
    const page = await client.queryEnrollments({ pageSize: PAGE_SIZE, ...(token !== undefined ? { continuationToken: token } : {}) }, { signal: options.signal });
    enrollments.push(...page.items);
    token = page.continuationToken;
    report();
  } while (token !== undefined && token !== '');
  do {
    const page = await client.queryEnrollmentGroups({ pageSize: PAGE_SIZE, ...(token !== undefined ? { continuationToken: token } : {}) }, { signal: options.signal });
    enrollmentGroups.push(...page.items);
    token = page.continuationToken;
    report();
  } while (token !== undefined && token !== '');
  if (options.includeKeys) {
    for (const e of enrollments) await withKeys(e, () => client.getEnrollmentAttestation(e.registrationId, { signal: options.signal }));
    for (const g of enrollmentGroups) await withKeys(g, () => client.getEnrollmentGroupAttestation(g.enrollmentGroupId, { signal: options.signal }));
  }
  return buildExportDocument({ sourceHost: client.hostName, enrollments, enrollmentGroups, includeKeys: options.includeKeys });
}

async function withKeys(item: Item, read: () => Promise<AttestationMechanism>): Promise<void> {
  if (item.attestation.type !== 'symmetricKey') return;
  item.attestation = await read();
}
