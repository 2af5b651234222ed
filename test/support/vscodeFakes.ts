// Fakes for the extension's seams: a scripted DPS API, in-memory SecretStorage and globalState,
// and a log recorder. Used by the unit tests of the UI layer.
import type { DpsApi, PageOptions } from '../../src/dps/api';
import type { SecretStore, StateStore } from '../../src/connections/connectionStore';
import type {
  BulkEnrollmentGroupOperationResult, BulkEnrollmentOperationResult, DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment, QueryPage,
} from '../../src/dps/models';
import type { LogSink } from '../../src/common/logger';

export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  get(key: string) {
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string) {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string) {
    this.values.delete(key);
    return Promise.resolve();
  }
}

export class MemoryState implements StateStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown) {
    this.values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    return Promise.resolve();
  }
}

export class LogRecorder implements LogSink {
  readonly lines: string[] = [];
  trace(m: string) {
    this.lines.push(`trace ${m}`);
  }
  debug(m: string) {
    this.lines.push(`debug ${m}`);
  }
  info(m: string) {
    this.lines.push(`info ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn ${m}`);
  }
  error(m: string) {
    this.lines.push(`error ${m}`);
  }
}

function pageOf<T>(items: T[], paging: PageOptions = {}): QueryPage<T> {
  const size = paging.pageSize ?? 100;
  const start = paging.continuationToken ? Number(paging.continuationToken) : 0;
  const next = start + size;
  return { items: items.slice(start, next), ...(next < items.length ? { continuationToken: String(next) } : {}) };
}

/** A DPS API over arrays, counting queries; `failNext` makes the next query throw. */
export class FakeDpsApi implements DpsApi {
  readonly hostName = 'fake.azure-devices-provisioning.net';
  queries = 0;
  failNext: unknown;
  /** Every write and delete, in order, e.g. "deleteEnrollment a (If-Match e1)". */
  readonly calls: string[] = [];
  constructor(
    public enrollments: IndividualEnrollment[] = [],
    public groups: EnrollmentGroup[] = [],
    public registrations: Record<string, DeviceRegistrationState[]> = {},
  ) {}

  // Bulk jobs are tested against the emulator (test/integration/bulk-*.test.ts), not this fake.
  runEnrollmentBulk(): Promise<BulkEnrollmentOperationResult> {
    return Promise.reject(new Error('FakeDpsApi runs no bulk operations; bulk tests use the emulator.'));
  }

  runEnrollmentGroupBulk(): Promise<BulkEnrollmentGroupOperationResult> {
    return Promise.reject(new Error('FakeDpsApi runs no bulk operations; bulk tests use the emulator.'));
  }

  private query<T>(items: T[], paging?: PageOptions): Promise<QueryPage<T>> {
    this.queries++;
    if (this.failNext !== undefined) {
      const e = this.failNext;
      this.failNext = undefined;
      return Promise.reject(e instanceof Error ? e : new Error('fake failure'));
    }
    return Promise.resolve(pageOf(items, paging));
  }
  queryEnrollments(paging?: PageOptions) {
    return this.query(this.enrollments, paging);
  }
  queryEnrollmentGroups(paging?: PageOptions) {
    return this.query(this.groups, paging);
  }
  queryRegistrationStates(groupId: string, paging?: PageOptions) {
    return this.query(this.registrations[groupId] ?? [], paging);
  }
  getEnrollment(id: string) {
    const e = this.enrollments.find((x) => x.registrationId === id);
    return e ? Promise.resolve(e) : Promise.reject(new Error('not found'));
  }
  getEnrollmentGroup(id: string) {
    const g = this.groups.find((x) => x.enrollmentGroupId === id);
    return g ? Promise.resolve(g) : Promise.reject(new Error('not found'));
  }
  createOrUpdateEnrollment(e: IndividualEnrollment, o: { ifMatch?: string } = {}) {
    this.calls.push(`putEnrollment ${e.registrationId} ${e.provisioningStatus ?? ''} keys=${e.attestation.symmetricKey?.primaryKey ? 'yes' : 'no'}${ifMatch(o)}`);
    return Promise.resolve({ ...e, etag: 'new' });
  }
  createOrUpdateEnrollmentGroup(g: EnrollmentGroup, o: { ifMatch?: string } = {}) {
    this.calls.push(`putGroup ${g.enrollmentGroupId} ${g.provisioningStatus ?? ''}${ifMatch(o)}`);
    return Promise.resolve({ ...g, etag: 'new' });
  }
  deleteEnrollment(id: string, o: { ifMatch?: string } = {}) {
    this.calls.push(`deleteEnrollment ${id}${ifMatch(o)}`);
    return Promise.resolve();
  }
  deleteEnrollmentGroup(id: string, o: { ifMatch?: string } = {}) {
    this.calls.push(`deleteGroup ${id}${ifMatch(o)}`);
    return Promise.resolve();
  }
  getEnrollmentAttestation() {
    return Promise.resolve({ type: 'symmetricKey' as const, symmetricKey: { primaryKey: FAKE_PRIMARY_KEY, secondaryKey: 'c2Vjb25kYXJ5LWtleS1mb3ItZmFrZS1kcHMtYXBpMzI=' } });
  }
  getEnrollmentGroupAttestation() {
    return this.getEnrollmentAttestation();
  }
  getRegistrationState(id: string) {
    return Promise.resolve({ registrationId: id });
  }
  deleteRegistrationState(id: string, o: { ifMatch?: string } = {}) {
    this.calls.push(`deleteRegistration ${id}${ifMatch(o)}`);
    // As the service does: the enrollment of that device reads as unassigned again.
    this.enrollments = this.enrollments.map((e) => (e.registrationId === id ? { ...e, registrationState: { registrationId: id, status: 'unassigned' } } : e));
    return Promise.resolve();
  }
}

/** The primary key every fake enrollment returns from the attestation-mechanism call (32 bytes). */
export const FAKE_PRIMARY_KEY = 'cHJpbWFyeS1rZXktZm9yLWZha2UtZHBzLWFwaS0zMmI=';

function ifMatch(o: { ifMatch?: string }): string {
  return o.ifMatch ? ` (If-Match ${o.ifMatch})` : '';
}

export function enrollment(id: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment {
  return { registrationId: id, attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled', ...extra };
}

export function group(id: string, extra: Partial<EnrollmentGroup> = {}): EnrollmentGroup {
  return { enrollmentGroupId: id, attestation: { type: 'x509' }, provisioningStatus: 'enabled', ...extra };
}
