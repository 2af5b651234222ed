// The emulator's data: individual enrollments, enrollment groups and device registration states,
// keyed case-insensitively. Enforces ETags and server-set fields; knows nothing of HTTP.
//
// Choices (documented for clients):
// - PUT with If-Match on a missing item -> 412 (the precondition cannot hold); DELETE of a missing
//   item -> 404 whether or not If-Match was sent.
// - Deleting an individual enrollment deletes its registration state; deleting an enrollment
//   group keeps the group's registration states (still readable and queryable by group id).
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import { EmulatorError, ErrorCodes } from './errors';
import { etagMatches, newEtag } from './etag';
import { keyOf } from './ids';
import { inListingOrder, listingKey } from './listingOrder';
import { recordTimestamp } from './timestamps';

export interface RegistrationRecord {
  state: DeviceRegistrationState & { registrationId: string };
  /** The group the device registered through; absent for individual enrollments. */
  enrollmentGroupId?: string;
}

export interface StoreSnapshot {
  format: 'dps-enrollments-emulator';
  version: 1;
  enrollments: IndividualEnrollment[];
  enrollmentGroups: EnrollmentGroup[];
  registrations: RegistrationRecord[];
}


/** One keyed collection with etag rules and a lazily built view in listing order (see listingOrder.ts) for paging. */
export class EnrollmentCollection<T extends { etag?: string; createdDateTimeUtc?: string; lastUpdatedDateTimeUtc?: string }> {
  readonly items = new Map<string, T>();
  private sorted: T[] | undefined;

  constructor(
    private readonly idOf: (item: T) => string,
    private readonly notFound: (id: string) => EmulatorError,
    private readonly alreadyExists: (id: string) => EmulatorError,
    private readonly changed: () => void,
  ) {}

  get(id: string): T | undefined {
    return this.items.get(keyOf(id));
  }

  require(id: string): T {
    const item = this.get(id);
    if (item === undefined) throw this.notFound(id);
    return item;
  }

  /** Create or replace. `ifMatch` undefined = unconditional; `mustNotExist` = create only. */
  put(item: T, options: { ifMatch?: string; mustNotExist?: boolean; now?: Date } = {}): T {
    const key = keyOf(this.idOf(item));
    const existing = this.items.get(key);
    if (options.mustNotExist === true && existing !== undefined) {
      throw this.alreadyExists(this.idOf(item));
    }
    if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, existing?.etag)) {
      throw new EmulatorError(412, ErrorCodes.preconditionFailed, existing === undefined
        ? `'${this.idOf(item)}' does not exist, so If-Match cannot be satisfied.`
        : `The etag of '${this.idOf(item)}' does not match If-Match; it was changed by someone else.`);
    }
    const now = recordTimestamp(options.now);
    const stored = {
      ...item,
      etag: newEtag(),
      createdDateTimeUtc: existing?.createdDateTimeUtc ?? now,
      lastUpdatedDateTimeUtc: now,
    } as T;
    if (existing === undefined) this.sorted = undefined;
    this.items.set(key, stored);
    if (existing !== undefined && this.sorted !== undefined) {
      // Replace in place (binary search by listing key) so updates do not force a re-sort.
      const i = this.indexInSorted(this.sorted, listingKey(key));
      if (this.sorted[i] === existing) this.sorted[i] = stored;
      else this.sorted = undefined;
    }
    this.changed();
    return stored;
  }

  private indexInSorted(sorted: T[], key: string): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (listingKey(this.idOf(sorted[mid])) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  delete(id: string, ifMatch?: string): T {
    const existing = this.require(id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, existing.etag)) {
      throw new EmulatorError(412, ErrorCodes.preconditionFailed, `The etag of '${id}' does not match If-Match; it was changed by someone else.`);
    }
    this.items.delete(keyOf(id));
    this.sorted = undefined;
    this.changed();
    return existing;
  }

  /** Raw insert used when loading a snapshot (no etag/timestamp changes). */
  load(item: T): void {
    this.items.set(keyOf(this.idOf(item)), item);
    this.sorted = undefined;
  }

  list(): T[] {
    this.sorted ??= inListingOrder(this.items.values(), this.idOf);
    return this.sorted;
  }

  clear(): void {
    this.items.clear();
    this.sorted = undefined;
  }
}

export class EmulatorStore {
  private readonly listeners: Array<() => void> = [];
  readonly enrollments: EnrollmentCollection<IndividualEnrollment>;
  readonly enrollmentGroups: EnrollmentCollection<EnrollmentGroup>;
  private readonly registrations = new Map<string, RegistrationRecord>();

  constructor() {
    const changed = () => this.notify();
    this.enrollments = new EnrollmentCollection<IndividualEnrollment>(
      (e) => e.registrationId,
      (id) => new EmulatorError(404, ErrorCodes.enrollmentNotFound, `Enrollment '${id}' does not exist.`),
      // The service's exact per-item text (recording test_individual_enrollment_bulk_operations).
      () => new EmulatorError(409, ErrorCodes.conflict, 'Enrollment already exists.'),
      changed,
    );
    this.enrollmentGroups = new EnrollmentCollection<EnrollmentGroup>(
      (g) => g.enrollmentGroupId,
      (id) => new EmulatorError(404, ErrorCodes.enrollmentGroupNotFound, `Enrollment group '${id}' does not exist.`),
      // The service's exact per-item text (recording test_enrollment_group_bulk_operations).
      () => new EmulatorError(409, ErrorCodes.enrollmentGroupConflict, 'EnrollmentGroup already exists.'),
      changed,
    );
  }

  /** Called after every change (the server uses it to schedule a save). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  deleteEnrollment(id: string, ifMatch?: string): void {
    this.enrollments.delete(id, ifMatch);
    const reg = this.registrations.get(keyOf(id));
    if (reg !== undefined && reg.enrollmentGroupId === undefined) this.registrations.delete(keyOf(id));
  }

  // ---- registration states ----

  getRegistration(id: string): RegistrationRecord | undefined {
    return this.registrations.get(keyOf(id));
  }

  requireRegistration(id: string): RegistrationRecord {
    const r = this.getRegistration(id);
    if (r === undefined) {
      throw new EmulatorError(404, ErrorCodes.registrationNotFound, `Registration '${id}' does not exist.`);
    }
    return r;
  }

  /** Records a registration (as a device registering would); a new etag and timestamps each time. */
  upsertRegistration(state: DeviceRegistrationState & { registrationId: string }, enrollmentGroupId?: string, now = new Date()): RegistrationRecord {
    const existing = this.registrations.get(keyOf(state.registrationId));
    const iso = recordTimestamp(now);
    const record: RegistrationRecord = {
      state: {
        ...state,
        createdDateTimeUtc: existing?.state.createdDateTimeUtc ?? state.createdDateTimeUtc ?? iso,
        lastUpdatedDateTimeUtc: iso,
        etag: newEtag(),
      },
      ...(enrollmentGroupId === undefined ? {} : { enrollmentGroupId }),
    };
    this.registrations.set(keyOf(state.registrationId), record);
    this.notify();
    return record;
  }

  deleteRegistration(id: string, ifMatch?: string): void {
    const existing = this.requireRegistration(id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, existing.state.etag)) {
      throw new EmulatorError(412, ErrorCodes.preconditionFailed, `The etag of registration '${id}' does not match If-Match.`);
    }
    this.registrations.delete(keyOf(id));
    this.notify();
  }

  /** Registration states made through one group, in listing order. */
  registrationsOfGroup(groupId: string): RegistrationRecord[] {
    const k = keyOf(groupId);
    const members = [...this.registrations.values()].filter((r) => r.enrollmentGroupId !== undefined && keyOf(r.enrollmentGroupId) === k);
    return inListingOrder(members, (r) => r.state.registrationId);
  }

  /** The registration of an individual enrollment, if the device has registered. */
  individualRegistration(registrationId: string): RegistrationRecord | undefined {
    const r = this.getRegistration(registrationId);
    return r !== undefined && r.enrollmentGroupId === undefined ? r : undefined;
  }

  /** Removes everything (benchmarks and tests reset between runs). */
  clear(): void {
    this.enrollments.clear();
    this.enrollmentGroups.clear();
    this.registrations.clear();
    this.notify();
  }

  get isEmpty(): boolean {
    return this.enrollments.items.size === 0 && this.enrollmentGroups.items.size === 0 && this.registrations.size === 0;
  }

  counts(): { enrollments: number; enrollmentGroups: number; registrations: number } {
    return {
      enrollments: this.enrollments.items.size,
      enrollmentGroups: this.enrollmentGroups.items.size,
      registrations: this.registrations.size,
    };
  }

  // ---- persistence ----

  snapshot(): StoreSnapshot {
    return {
      format: 'dps-enrollments-emulator',
      version: 1,
      enrollments: [...this.enrollments.items.values()],
      enrollmentGroups: [...this.enrollmentGroups.items.values()],
      registrations: [...this.registrations.values()],
    };
  }

  /** Replaces the content with a snapshot; throws a message naming `source` when it is not one. */
  restore(data: unknown, source: string): void {
    const problem = snapshotProblem(data);
    if (problem !== undefined) throw new Error(`Emulator data file ${source} is not usable: ${problem}. It was not changed.`);
    const snap = data as StoreSnapshot;
    this.enrollments.clear();
    this.enrollmentGroups.clear();
    this.registrations.clear();
    // Restoring is loading, not a change: no save is scheduled.
    for (const e of snap.enrollments) this.enrollments.load(e);
    for (const g of snap.enrollmentGroups) this.enrollmentGroups.load(g);
    for (const r of snap.registrations) this.registrations.set(keyOf(r.state.registrationId), r);
  }
}

function snapshotProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'it is not a JSON object';
  const d = data as Partial<Record<keyof StoreSnapshot, unknown>>;
  if (d.format !== 'dps-enrollments-emulator' || d.version !== 1) return "format/version is not 'dps-enrollments-emulator'/1";
  const arrays: Array<[string, unknown, (x: Record<string, unknown>) => boolean]> = [
    ['enrollments', d.enrollments, (x) => typeof x.registrationId === 'string' && typeof x.attestation === 'object'],
    ['enrollmentGroups', d.enrollmentGroups, (x) => typeof x.enrollmentGroupId === 'string' && typeof x.attestation === 'object'],
    ['registrations', d.registrations, (x) => typeof (x.state as Record<string, unknown> | undefined)?.registrationId === 'string'],
  ];
  for (const [name, value, ok] of arrays) {
    if (!Array.isArray(value)) return `'${name}' is not an array`;
    const bad = value.findIndex((x) => typeof x !== 'object' || x === null || !ok(x as Record<string, unknown>));
    if (bad >= 0) return `'${name}[${bad}]' is not a valid record`;
  }
  return undefined;
}

