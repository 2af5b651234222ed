// The ids an instance already has, for the dry run's create/update split. Reads only, one page
// query per 100 items; the caller decides whether that cost is worth it.
import type { BulkTarget } from '../dps/bulk';
import type { EnrollmentGroup, IndividualEnrollment, QueryPage } from '../dps/models';

interface Paging {
  pageSize?: number;
  continuationToken?: string;
}

export interface IdQueryClient {
  queryEnrollments(paging?: Paging, options?: { signal?: AbortSignal }): Promise<QueryPage<IndividualEnrollment>>;
  queryEnrollmentGroups(paging?: Paging, options?: { signal?: AbortSignal }): Promise<QueryPage<EnrollmentGroup>>;
}

const PAGE_SIZE = 100;

/** Lower-cased ids (DPS ids are case-insensitive) of every enrollment or group of the target. */
export async function listExistingIds(client: IdQueryClient, target: BulkTarget, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  let continuationToken: string | undefined;
  do {
    const paging: Paging = { pageSize: PAGE_SIZE, ...(continuationToken !== undefined ? { continuationToken } : {}) };
    if (target === 'enrollments') {
      const page = await client.queryEnrollments(paging, { signal });
      for (const item of page.items) ids.add(item.registrationId.toLowerCase());
      continuationToken = page.continuationToken;
    } else {
      const page = await client.queryEnrollmentGroups(paging, { signal });
      for (const item of page.items) ids.add(item.enrollmentGroupId.toLowerCase());
      continuationToken = page.continuationToken;
    }
  } while (continuationToken !== undefined && continuationToken !== '');
  return ids;
}
