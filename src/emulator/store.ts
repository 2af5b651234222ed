// The emulator's data: individual enrollments, enrollment groups and device registration states,
// keyed case-insensitively, each collection with its listing order kept as an index, and a group's
// registrations indexed by group. Enforces ETags and server-set fields; knows nothing of HTTP or
// files: every change is announced (onChange) so persistence.ts can journal it.
//
// Choices (documented for clients):
// - PUT with If-Match on a missing item -> 412 (the precondition cannot hold); DELETE of a missing
//   item -> 404 whether or not If-Match was sent.
// - Deleting an individual enrollment deletes its registration state; deleting an enrollment
//   group keeps the group's registration states (still readable and queryable by group id).
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import type { ItemKind } from '../dps/itemKind';
import { EmulatorError, ErrorCodes } from './errors';
import { etagMatches, newEtag } from './etag';
import { keyOf } from './ids';
import { idKeyOfListingKey, listingKey } from './listingOrder';
import { paginateKeys, type Page, type PageRequest } from './paging';
import { SortedKeyIndex } from './storeIndex';
import { recordTimestamp } from './timestamps';

export interface RegistrationRecord {
  state: DeviceRegistrationState & { registrationId: string };
  /** The group the device registered through; absent for individual enrollments. */
  enrollmentGroupId?: string;
}

/** The data file format before the journal (version 1): one JSON document. Still read, and converted. */
export interface StoreSnapshot {
  format: 'dps-enrollments-emulator';
  version: 1;
  enrollments: IndividualEnrollment[];
  enrollmentGroups: EnrollmentGroup[];
  registrations: RegistrationRecord[];
}

/** Item collections use the client's kind names (the same strings are written to the journal). */
export type CollectionName = ItemKind | 'registration';

/** One change of the store, as the journal records it (journalRecords.ts) and loading replays it. */
export type StoreChange =
  | { op: 'put'; collection: 'enrollment'; listingKey: string; value: IndividualEnrollment }
  | { op: 'put'; collection: 'group'; listingKey: string; value: EnrollmentGroup }
  | { op: 'put'; collection: 'registration'; listingKey: string; value: RegistrationRecord }
  | { op: 'delete'; collection: CollectionName; id: string }
  | { op: 'clear' };

type Item = { etag?: string; createdDateTimeUtc?: string; lastUpdatedDateTimeUtc?: string };

/**
 * One keyed collection with etag rules and its listing order (listingOrder.ts) kept as an index
 * updated per insert and delete (storeIndex.ts), so paging never sorts.
 *
 * Items loaded from a data file are kept as their JSON text (one string each) and parsed on first
 * read, then kept as objects: a million of them load in seconds and cost the garbage collector
 * nothing to trace, and most are never read in a session. Writes store objects as before.
 */
export class EnrollmentCollection<T extends Item> {
  /** By case-insensitive id: the item, or its JSON text until it is first read. */
  private readonly items = new Map<string, T | string>();
  private readonly order = new SortedKeyIndex();

  constructor(
    private readonly collection: ItemKind,
    private readonly idOf: (item: T) => string,
    private readonly notFound: (id: string) => EmulatorError,
    private readonly alreadyExists: (id: string) => EmulatorError,
    private readonly changed: (change: { op: 'put'; listingKey: string; value: T } | { op: 'delete'; id: string }) => void,
  ) {}

  get size(): number {
    return this.items.size;
  }

  get(id: string): T | undefined {
    return this.parsed(keyOf(id));
  }

  require(id: string): T {
    const item = this.get(id);
    if (item === undefined) throw this.notFound(id);
    return item;
  }

  /** Create or replace. `ifMatch` undefined = unconditional; `mustNotExist` = create only. */
  put(item: T, options: { ifMatch?: string; mustNotExist?: boolean; now?: Date } = {}): T {
    const key = keyOf(this.idOf(item));
    const existing = this.parsed(key);
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
    const lk = listingKey(key);
    this.load(stored, lk);
    this.changed({ op: 'put', listingKey: lk, value: stored });
    return stored;
  }

  delete(id: string, ifMatch?: string): T {
    const existing = this.require(id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, existing.etag)) {
      throw new EmulatorError(412, ErrorCodes.preconditionFailed, `The etag of '${id}' does not match If-Match; it was changed by someone else.`);
    }
    this.unload(id);
    this.changed({ op: 'delete', id: this.idOf(existing) });
    return existing;
  }

  /** Raw insert used when loading (no etag/timestamp changes, no change event). */
  load(item: T, itemListingKey = listingKey(this.idOf(item))): void {
    const key = keyOf(this.idOf(item));
    if (!this.items.has(key)) this.order.insert(itemListingKey);
    this.items.set(key, item);
  }

  /**
   * Raw insert of an item as the JSON text read from a data file, parsed and checked on first read.
   * The map key is a slice of the listing key (which the index keeps anyway), so it costs no copy.
   */
  loadStored(itemListingKey: string, json: string): void {
    const before = this.items.size;
    this.items.set(idKeyOfListingKey(itemListingKey), json);
    if (this.items.size > before) this.order.insert(itemListingKey);
  }

  /** Raw removal used when loading; false when the item was not there. */
  unload(id: string): boolean {
    if (!this.items.delete(keyOf(id))) return false;
    this.order.delete(listingKey(id));
    return true;
  }

  /** Every item in listing order (O(n), no sort): for small collections and tests; queries use page(). */
  list(): T[] {
    return [...this.order.keys()].map((k) => this.at(k));
  }

  /** Up to `limit` items after a listing key, with their keys, in listing order (paging). */
  entriesAfter(after: string | undefined, limit: number): Array<[string, T]> {
    return this.order.keysAfter(after, limit).map((k) => [k, this.at(k)]);
  }

  /** As entriesAfter, but an item not read yet comes as its JSON text: the snapshot writes it without parsing. */
  storedEntriesAfter(after: string | undefined, limit: number): Array<[string, T | string]> {
    return this.order.keysAfter(after, limit).map((k) => [k, this.storedAt(k)]);
  }

  /** How many items are still JSON text, never read since loading (O(n): tests and measurements). */
  countUnread(): number {
    let n = 0;
    for (const v of this.items.values()) if (typeof v === 'string') n += 1;
    return n;
  }

  /** One query page; continuation tokens carry the last listing key (paging.ts). */
  page(request: PageRequest): Page<T> {
    return paginateKeys((after, limit) => this.order.keysAfter(after, limit), (k) => this.at(k), request);
  }

  private storedAt(listingKeyOfItem: string): T | string {
    const item = this.items.get(idKeyOfListingKey(listingKeyOfItem));
    if (item === undefined) throw new Error(`listing index out of step with the items at ${listingKeyOfItem}`);
    return item;
  }

  private at(listingKeyOfItem: string): T {
    const key = idKeyOfListingKey(listingKeyOfItem);
    const item = this.parsed(key);
    if (item === undefined) throw new Error(`listing index out of step with the items at ${listingKeyOfItem}`);
    return item;
  }

  /** The item under a map key, parsing it (once) when it is still JSON text. */
  private parsed(key: string): T | undefined {
    const item = this.items.get(key);
    if (typeof item !== 'string') return item;
    const value = parseStoredItem(this.collection, key, item) as T;
    this.items.set(key, value);
    return value;
  }

  clear(): void {
    this.items.clear();
    this.order.clear();
  }
}

/**
 * An item kept as JSON text, parsed and checked as loading would have (isStorableRecord, and its
 * id is the one it was filed under). The CRC of its line makes a failure all but impossible unless
 * the file was edited by hand; then this item answers with a 500 naming it (the others are served,
 * and the text is kept as it is, so nothing is lost or rewritten).
 */
function parseStoredItem(collection: ItemKind, key: string, json: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // Not the parser's message: some quote the text, which may hold keys.
    throw damagedItem(collection, key, 'its JSON does not parse');
  }
  if (!isStorableRecord(collection, value)) throw damagedItem(collection, key, `it is not a valid ${collection}`);
  const id = collection === 'enrollment' ? (value as IndividualEnrollment).registrationId : (value as EnrollmentGroup).enrollmentGroupId;
  if (keyOf(id) !== key) throw damagedItem(collection, key, `it holds the ${collection} '${id}' instead`);
  return value;
}

function damagedItem(collection: ItemKind, key: string, problem: string): EmulatorError {
  const what = collection === 'enrollment' ? 'enrollment' : 'enrollment group';
  return new EmulatorError(500, ErrorCodes.internal,
    `The stored ${what} '${key}' in the emulator data file is damaged (${problem}); the file was edited outside the emulator. Fix or remove its line.`);
}

export class EmulatorStore {
  private readonly listeners: Array<(change: StoreChange) => void> = [];
  readonly enrollments: EnrollmentCollection<IndividualEnrollment>;
  readonly enrollmentGroups: EnrollmentCollection<EnrollmentGroup>;
  private readonly registrations = new Map<string, RegistrationRecord>();
  /** Listing keys of the registrations made through each group, by the group's case-insensitive id. */
  private readonly registrationsByGroup = new Map<string, SortedKeyIndex>();

  constructor() {
    this.enrollments = new EnrollmentCollection<IndividualEnrollment>(
      'enrollment',
      (e) => e.registrationId,
      (id) => new EmulatorError(404, ErrorCodes.enrollmentNotFound, `Enrollment '${id}' does not exist.`),
      // The service's exact per-item text (recording test_individual_enrollment_bulk_operations).
      () => new EmulatorError(409, ErrorCodes.conflict, 'Enrollment already exists.'),
      (c) => this.notify(c.op === 'put' ? { ...c, collection: 'enrollment' } : { ...c, collection: 'enrollment' }),
    );
    this.enrollmentGroups = new EnrollmentCollection<EnrollmentGroup>(
      'group',
      (g) => g.enrollmentGroupId,
      (id) => new EmulatorError(404, ErrorCodes.enrollmentGroupNotFound, `Enrollment group '${id}' does not exist.`),
      // The service's exact per-item text (recording test_enrollment_group_bulk_operations).
      () => new EmulatorError(409, ErrorCodes.enrollmentGroupConflict, 'EnrollmentGroup already exists.'),
      (c) => this.notify(c.op === 'put' ? { ...c, collection: 'group' } : { ...c, collection: 'group' }),
    );
  }

  /** Called after every change with what changed (persistence journals it). */
  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  private notify(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }

  deleteEnrollment(id: string, ifMatch?: string): void {
    this.enrollments.delete(id, ifMatch);
    const reg = this.registrations.get(keyOf(id));
    if (reg !== undefined && reg.enrollmentGroupId === undefined) {
      this.unloadRegistration(id);
      this.notify({ op: 'delete', collection: 'registration', id: reg.state.registrationId });
    }
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
    const lk = listingKey(state.registrationId);
    this.loadRegistration(record, lk);
    this.notify({ op: 'put', collection: 'registration', listingKey: lk, value: record });
    return record;
  }

  deleteRegistration(id: string, ifMatch?: string): void {
    const existing = this.requireRegistration(id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, existing.state.etag)) {
      throw new EmulatorError(412, ErrorCodes.preconditionFailed, `The etag of registration '${id}' does not match If-Match.`);
    }
    this.unloadRegistration(id);
    this.notify({ op: 'delete', collection: 'registration', id: existing.state.registrationId });
  }

  /** Raw insert or replace of a registration, keeping the group index in step (loading and upsert). */
  private loadRegistration(record: RegistrationRecord, recordListingKey: string): void {
    const key = keyOf(record.state.registrationId);
    const existing = this.registrations.get(key);
    if (existing !== undefined) this.unloadRegistration(key);
    this.registrations.set(key, record);
    if (record.enrollmentGroupId !== undefined) {
      const group = keyOf(record.enrollmentGroupId);
      let index = this.registrationsByGroup.get(group);
      if (index === undefined) this.registrationsByGroup.set(group, (index = new SortedKeyIndex()));
      index.insert(recordListingKey);
    }
  }

  private unloadRegistration(id: string): boolean {
    const existing = this.registrations.get(keyOf(id));
    if (existing === undefined) return false;
    this.registrations.delete(keyOf(id));
    if (existing.enrollmentGroupId !== undefined) {
      const group = keyOf(existing.enrollmentGroupId);
      const index = this.registrationsByGroup.get(group);
      index?.delete(listingKey(id));
      if (index?.size === 0) this.registrationsByGroup.delete(group);
    }
    return true;
  }

  /** Registration states made through one group, in listing order (from the group's index; no filter, no sort). */
  registrationsOfGroup(groupId: string): RegistrationRecord[] {
    const index = this.registrationsByGroup.get(keyOf(groupId));
    return index === undefined ? [] : [...index.keys()].map((k) => this.registrationAt(k));
  }

  /** How many registration states were made through one group. */
  registrationCountOfGroup(groupId: string): number {
    return this.registrationsByGroup.get(keyOf(groupId))?.size ?? 0;
  }

  /** One query page of a group's registration states. */
  registrationPageOfGroup(groupId: string, request: PageRequest): Page<RegistrationRecord> {
    const index = this.registrationsByGroup.get(keyOf(groupId));
    return paginateKeys((after, limit) => index?.keysAfter(after, limit) ?? [], (k) => this.registrationAt(k), request);
  }

  private registrationAt(registrationListingKey: string): RegistrationRecord {
    const r = this.registrations.get(idKeyOfListingKey(registrationListingKey));
    if (r === undefined) throw new Error(`registration index out of step at ${registrationListingKey}`);
    return r;
  }

  /** Every registration record, in no particular order (a live view: snapshots read it in chunks). */
  allRegistrations(): IterableIterator<RegistrationRecord> {
    return this.registrations.values();
  }

  /** The registration of an individual enrollment, if the device has registered. */
  individualRegistration(registrationId: string): RegistrationRecord | undefined {
    const r = this.getRegistration(registrationId);
    return r !== undefined && r.enrollmentGroupId === undefined ? r : undefined;
  }

  /** Removes everything (benchmarks and tests reset between runs). */
  clear(): void {
    this.applyLoaded({ op: 'clear' });
    this.notify({ op: 'clear' });
  }

  get isEmpty(): boolean {
    return this.enrollments.size === 0 && this.enrollmentGroups.size === 0 && this.registrations.size === 0;
  }

  counts(): { enrollments: number; enrollmentGroups: number; registrations: number } {
    return {
      enrollments: this.enrollments.size,
      enrollmentGroups: this.enrollmentGroups.size,
      registrations: this.registrations.size,
    };
  }

  // ---- loading and persistence ----

  /** Applies a change read from a data file as it is (no etags, no change event). */
  applyLoaded(change: StoreChange): void {
    if (change.op === 'clear') {
      this.enrollments.clear();
      this.enrollmentGroups.clear();
      this.registrations.clear();
      this.registrationsByGroup.clear();
    } else if (change.op === 'delete') {
      if (change.collection === 'enrollment') this.enrollments.unload(change.id);
      else if (change.collection === 'group') this.enrollmentGroups.unload(change.id);
      else this.unloadRegistration(change.id);
    } else if (change.collection === 'enrollment') {
      this.enrollments.load(change.value, change.listingKey);
    } else if (change.collection === 'group') {
      this.enrollmentGroups.load(change.value, change.listingKey);
    } else {
      this.loadRegistration(change.value, change.listingKey);
    }
  }

  /** Loads an enrollment or group as the JSON text of its data-file record (parsed on first read). */
  applyStored(collection: ItemKind, itemListingKey: string, json: string): void {
    (collection === 'enrollment' ? this.enrollments : this.enrollmentGroups).loadStored(itemListingKey, json);
  }

  /** Everything as one version-1 document (tests and small tools; O(n)). */
  snapshot(): StoreSnapshot {
    return {
      format: 'dps-enrollments-emulator',
      version: 1,
      enrollments: this.enrollments.list(),
      enrollmentGroups: this.enrollmentGroups.list(),
      registrations: [...this.registrations.values()],
    };
  }

  /** Replaces the content with a version-1 snapshot (as changes, so a persisted store saves it);
   * throws a message naming `source` when it is not one, and then changes nothing. */
  restore(data: unknown, source: string): void {
    const changes = legacySnapshotChanges(data, source);
    this.clear();
    for (const change of changes) {
      this.applyLoaded(change);
      this.notify(change);
    }
  }
}

/** The changes that load a version-1 document; throws a message naming `source` when it is not one. */
export function legacySnapshotChanges(data: unknown, source: string): StoreChange[] {
  const problem = snapshotProblem(data);
  if (problem !== undefined) throw new Error(`Emulator data file ${source} is not usable: ${problem}. It was not changed.`);
  const snap = data as StoreSnapshot;
  return [
    ...snap.enrollments.map((value): StoreChange => ({ op: 'put', collection: 'enrollment', listingKey: listingKey(value.registrationId), value })),
    ...snap.enrollmentGroups.map((value): StoreChange => ({ op: 'put', collection: 'group', listingKey: listingKey(value.enrollmentGroupId), value })),
    ...snap.registrations.map((value): StoreChange => ({ op: 'put', collection: 'registration', listingKey: listingKey(value.state.registrationId), value })),
  ];
}

const RECORD_CHECKS: Record<CollectionName, (x: Record<string, unknown>) => boolean> = {
  enrollment: (x) => typeof x.registrationId === 'string' && typeof x.attestation === 'object' && x.attestation !== null,
  group: (x) => typeof x.enrollmentGroupId === 'string' && typeof x.attestation === 'object' && x.attestation !== null,
  registration: (x) => typeof (x.state as Record<string, unknown> | undefined)?.registrationId === 'string',
};

/** Whether a value read from a data file can be stored in `collection`. */
export function isStorableRecord(collection: CollectionName, value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && RECORD_CHECKS[collection](value as Record<string, unknown>);
}

function snapshotProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'it is not a JSON object';
  const d = data as Partial<Record<keyof StoreSnapshot, unknown>>;
  if (d.format !== 'dps-enrollments-emulator' || d.version !== 1) return "format/version is not 'dps-enrollments-emulator'/1";
  const arrays: Array<[string, unknown, CollectionName]> = [
    ['enrollments', d.enrollments, 'enrollment'],
    ['enrollmentGroups', d.enrollmentGroups, 'group'],
    ['registrations', d.registrations, 'registration'],
  ];
  for (const [name, value, collection] of arrays) {
    if (!Array.isArray(value)) return `'${name}' is not an array`;
    const bad = value.findIndex((x) => !isStorableRecord(collection, x));
    if (bad >= 0) return `'${name}[${bad}]' is not a valid record`;
  }
  return undefined;
}
