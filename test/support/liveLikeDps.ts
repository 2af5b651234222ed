// A DpsApi fake that answers like the live service as recorded (see /work/shared/FIDELITY.md):
// bulk `create` and `update` of an existing id fail per item (409201 / 409202); `updateIfMatchETag`
// with the current etag updates, with another fails (412); GET and query carry no `symmetricKey`
// member; etags are unquoted opaque strings; query results come in no particular order; a write
// without keys makes the service generate new ones. Tests of the product hold on it whatever the
// emulator does today.
import { randomBytes } from 'node:crypto';
import type { RequestOptions } from '../../src/dps/api';
import { DpsError } from '../../src/dps/errors';
import { itemIdOf, type Item, type ItemKind } from '../../src/dps/items';
import type {
  AttestationMechanism,
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
  EnrollmentGroup,
  IndividualEnrollment,
  QueryPage,
} from '../../src/dps/models';

const EXISTS: Record<ItemKind, { errorCode: number; errorStatus: string }> = {
  enrollment: { errorCode: 409201, errorStatus: 'Enrollment already exists.' },
  group: { errorCode: 409202, errorStatus: 'EnrollmentGroup already exists.' },
};

interface BulkError { id: string; errorCode: number; errorStatus: string }

export class LiveLikeDps {
  readonly hostName = 'live-like.azure-devices-provisioning.net';
  readonly stores: Record<ItemKind, Map<string, Item>> = { enrollment: new Map(), group: new Map() };
  /** Every bulk request: kind, mode and ids. */
  readonly bulkCalls: Array<{ kind: ItemKind; mode: BulkMode; ids: string[] }> = [];
  readonly attestationReads: string[] = [];
  /** Runs before each bulk request is applied (e.g. someone else's change). */
  beforeBulk?: (kind: ItemKind, mode: BulkMode, ids: string[]) => void;

  /** Stores an item as the service would after a PUT: keys generated when absent, a fresh etag. */
  seed(kind: ItemKind, item: Item): Item {
    const stored = this.write(kind, item);
    return structuredClone(stored);
  }

  stored(kind: ItemKind, id: string): Item | undefined {
    return this.stores[kind].get(id.toLowerCase());
  }

  getEnrollment(id: string): Promise<IndividualEnrollment> {
    return this.get('enrollment', id) as Promise<IndividualEnrollment>;
  }

  getEnrollmentGroup(id: string): Promise<EnrollmentGroup> {
    return this.get('group', id) as Promise<EnrollmentGroup>;
  }

  getEnrollmentAttestation(id: string): Promise<AttestationMechanism> {
    return this.attestation('enrollment', id);
  }

  getEnrollmentGroupAttestation(id: string): Promise<AttestationMechanism> {
    return this.attestation('group', id);
  }

  queryEnrollments(paging?: { pageSize?: number; continuationToken?: string }): Promise<QueryPage<IndividualEnrollment>> {
    return this.query('enrollment', paging) as Promise<QueryPage<IndividualEnrollment>>;
  }

  queryEnrollmentGroups(paging?: { pageSize?: number; continuationToken?: string }): Promise<QueryPage<EnrollmentGroup>> {
    return this.query('group', paging) as Promise<QueryPage<EnrollmentGroup>>;
  }

  async runEnrollmentBulk(mode: BulkMode, items: IndividualEnrollment[], _options?: RequestOptions): Promise<BulkEnrollmentOperationResult> {
    const errors = await this.bulk('enrollment', mode, items);
    return { isSuccessful: errors.length === 0, errors: errors.map((e) => ({ registrationId: e.id, errorCode: e.errorCode, errorStatus: e.errorStatus })) };
  }

  async runEnrollmentGroupBulk(mode: BulkMode, items: EnrollmentGroup[], _options?: RequestOptions): Promise<BulkEnrollmentGroupOperationResult> {
    const errors = await this.bulk('group', mode, items);
    return { isSuccessful: errors.length === 0, errors: errors.map((e) => ({ enrollmentGroupId: e.id, errorCode: e.errorCode, errorStatus: e.errorStatus })) };
  }

  private bulk(kind: ItemKind, mode: BulkMode, items: Item[]): Promise<BulkError[]> {
    const ids = items.map((item) => itemIdOf(kind, item));
    this.bulkCalls.push({ kind, mode, ids });
    this.beforeBulk?.(kind, mode, ids);
    const errors: BulkError[] = [];
    for (const item of items) {
      const id = itemIdOf(kind, item);
      const existing = this.stored(kind, id);
      if ((mode === 'create' || mode === 'update') && existing !== undefined) errors.push({ id, ...EXISTS[kind] });
      else if (mode === 'updateIfMatchETag' && (existing === undefined || existing.etag !== item.etag)) {
        errors.push({ id, errorCode: 412200, errorStatus: 'Precondition failed: the etag does not match.' });
      } else if (mode === 'delete') {
        if (existing === undefined) errors.push({ id, errorCode: kind === 'enrollment' ? 404201 : 404202, errorStatus: 'Not found.' });
        else this.stores[kind].delete(id.toLowerCase());
      } else this.write(kind, item);
    }
    return Promise.resolve(errors);
  }

  private write(kind: ItemKind, item: Item): Item {
    const copy: Item = structuredClone(item);
    if (copy.attestation.type === 'symmetricKey' && typeof copy.attestation.symmetricKey?.primaryKey !== 'string') {
      // The service makes new keys for a write without them.
      copy.attestation = { type: 'symmetricKey', symmetricKey: { primaryKey: key(), secondaryKey: key() } };
    }
    copy.etag = randomBytes(12).toString('base64');
    this.stores[kind].set(itemIdOf(kind, item).toLowerCase(), copy);
    return copy;
  }

  private get(kind: ItemKind, id: string): Promise<Item> {
    const stored = this.stored(kind, id);
    if (stored === undefined) return Promise.reject(notFound(kind));
    return Promise.resolve(withoutKeys(stored));
  }

  private attestation(kind: ItemKind, id: string): Promise<AttestationMechanism> {
    this.attestationReads.push(id);
    const stored = this.stored(kind, id);
    if (stored === undefined) return Promise.reject(notFound(kind));
    return Promise.resolve(structuredClone(stored.attestation));
  }

  /** Pages in reverse id order: nothing may depend on order. */
  private query(kind: ItemKind, paging: { pageSize?: number; continuationToken?: string } = {}): Promise<QueryPage<Item>> {
    const all = [...this.stores[kind].values()].sort((a, b) => (itemIdOf(kind, a) < itemIdOf(kind, b) ? 1 : -1));
    const start = Number(paging.continuationToken ?? '0');
    const size = paging.pageSize ?? 100;
    const items = all.slice(start, start + size).map(withoutKeys);
    const next = start + size < all.length ? String(start + size) : undefined;
    return Promise.resolve(next !== undefined ? { items, continuationToken: next } : { items });
  }
}

/** As GET and query answer: `attestation: {type: "symmetricKey"}` with no symmetricKey member. */
function withoutKeys(item: Item): Item {
  const copy = structuredClone(item);
  if (copy.attestation.type === 'symmetricKey') copy.attestation = { type: 'symmetricKey' };
  return copy;
}

function key(): string {
  return randomBytes(32).toString('base64');
}

function notFound(kind: ItemKind): DpsError {
  return new DpsError({ kind: 'http', status: 404, errorCode: kind === 'enrollment' ? 404201 : 404202, operation: 'Get', message: 'Not found.' });
}

