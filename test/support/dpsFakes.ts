// Test doubles for src/dps: a virtual clock (deterministic time for pacing and back-off), an
// in-memory bulk service with scriptable faults, and error builders.
import { DpsError } from '../../src/dps/errors';
import type { BulkClient } from '../../src/dps/bulk';
import type { Item } from '../../src/dps/items';
import type { RequestOptions } from '../../src/dps/client';
import type {
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
  EnrollmentGroup,
  IndividualEnrollment,
} from '../../src/dps/models';
import type { Clock } from '../../src/dps/pacer';

/**
 * Virtual time: `sleep` registers a timer; timers fire one at a time, earliest first, each after all
 * pending promise work has run (setImmediate), so concurrent workers interleave as they would in real time.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private scheduled = false;

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          resolve();
        },
        { once: true },
      );
      this.schedule();
    });

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift() as { at: number; resolve: () => void };
      this.time = Math.max(this.time, next.at);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

export function httpError(status: number, extra: { retryAfterMs?: number; errorCode?: number; message?: string } = {}): DpsError {
  return new DpsError({
    kind: 'http',
    operation: 'IndividualEnrollment_RunBulkOperation',
    status,
    message: extra.message ?? `HTTP ${status} from the fake service.`,
    errorCode: extra.errorCode,
    retryAfterMs: extra.retryAfterMs,
  });
}

export function networkError(code: string): DpsError {
  return new DpsError({ kind: 'network', operation: 'IndividualEnrollment_RunBulkOperation', causeCode: code, message: `fake ${code}` });
}

export function timeoutError(): DpsError {
  return new DpsError({ kind: 'timeout', operation: 'IndividualEnrollment_RunBulkOperation', message: 'fake timeout' });
}

/** A scripted fault for one bulk request: thrown before the service applies anything, or after it applied the batch. */
export interface Fault {
  when: 'before' | 'after';
  error: DpsError;
}

export interface BulkCall {
  at: number;
  mode: BulkMode;
  ids: string[];
}

/** An in-memory DPS bulk endpoint with the service's per-item semantics, for enrollments and groups. */
export class FakeBulkService implements BulkClient {
  readonly store = new Map<string, Item>();
  readonly calls: BulkCall[] = [];
  readonly gets: string[] = [];
  readonly requestOptions: (RequestOptions | undefined)[] = [];
  private etagCounter = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly behaviour: {
      latencyMs?: number;
      /** Called per bulk request (0-based); a returned fault is applied. */
      faultFor?: (requestIndex: number, ids: string[]) => Fault | undefined;
      /** Per-item failure decided by the test, e.g. a validation error for one id. */
      itemError?: (id: string) => { errorCode: number; errorStatus: string } | undefined;
      /** Stored copies differ from what was sent (simulates someone else's item). */
      mutateStored?: (item: Item) => Item;
    } = {},
  ) {}

  async runEnrollmentBulk(mode: BulkMode, items: IndividualEnrollment[], options?: RequestOptions): Promise<BulkEnrollmentOperationResult> {
    const result = await this.run(mode, items, 'registrationId', options);
    return {
      isSuccessful: result.length === 0,
      errors: result.map((e) => ({ registrationId: e.id, errorCode: e.errorCode, errorStatus: e.errorStatus })),
    };
  }

  async runEnrollmentGroupBulk(mode: BulkMode, items: EnrollmentGroup[], options?: RequestOptions): Promise<BulkEnrollmentGroupOperationResult> {
    const result = await this.run(mode, items, 'enrollmentGroupId', options);
    return {
      isSuccessful: result.length === 0,
      errors: result.map((e) => ({ enrollmentGroupId: e.id, errorCode: e.errorCode, errorStatus: e.errorStatus })),
    };
  }

  getEnrollment(id: string): Promise<IndividualEnrollment> {
    return this.get(id) as Promise<IndividualEnrollment>;
  }

  getEnrollmentGroup(id: string): Promise<EnrollmentGroup> {
    return this.get(id) as Promise<EnrollmentGroup>;
  }

  private async get(id: string): Promise<Item> {
    this.gets.push(id);
    await this.clock.sleep(1);
    const stored = this.store.get(id.toLowerCase());
    if (!stored) throw httpError(404, { errorCode: 404201, message: 'not found' });
    return structuredClone(stored);
  }

  private async run(
    mode: BulkMode,
    items: Item[],
    idField: 'registrationId' | 'enrollmentGroupId',
    options: RequestOptions | undefined,
  ): Promise<{ id: string; errorCode: number; errorStatus: string }[]> {
    const ids = items.map((i) => (i as Record<string, unknown>)[idField] as string);
    const index = this.calls.length;
    this.calls.push({ at: this.clock.now(), mode, ids });
    this.requestOptions.push(options);
    const fault = this.behaviour.faultFor?.(index, ids);
    await this.clock.sleep(this.behaviour.latencyMs ?? 10);
    if (fault?.when === 'before') throw fault.error;
    if (new Set(ids.map((id) => id.toLowerCase())).size !== ids.length) throw httpError(400, { errorCode: 400000, message: 'duplicate ids in one request' });
    if (items.length > 10) throw httpError(400, { errorCode: 400000, message: 'too many items' });
    const errors: { id: string; errorCode: number; errorStatus: string }[] = [];
    for (const item of items) {
      const id = (item as Record<string, unknown>)[idField] as string;
      const key = id.toLowerCase();
      const forced = this.behaviour.itemError?.(id);
      if (forced) {
        errors.push({ id, ...forced });
        continue;
      }
      const existing = this.store.get(key);
      if (mode === 'create' && existing) errors.push({ id, errorCode: 409201, errorStatus: 'Enrollment already exists.' });
      else if (mode === 'delete' && !existing) errors.push({ id, errorCode: 404201, errorStatus: 'Enrollment not found.' });
      else if (mode === 'updateIfMatchETag' && existing && existing.etag !== item.etag) errors.push({ id, errorCode: 412201, errorStatus: 'ETag mismatch.' });
      else if (mode === 'delete') this.store.delete(key);
      else {
        const stored = { ...structuredClone(item), etag: `"${++this.etagCounter}"` };
        this.store.set(key, this.behaviour.mutateStored ? this.behaviour.mutateStored(stored) : stored);
      }
    }
    if (fault?.when === 'after') throw fault.error;
    return errors;
  }
}

export function enrollments(count: number, prefix = 'dev'): IndividualEnrollment[] {
  return Array.from({ length: count }, (_, i) => ({
    registrationId: `${prefix}-${String(i).padStart(3, '0')}`,
    attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(32, i).toString('base64') } },
    provisioningStatus: 'enabled',
    initialTwin: { tags: { floor: i } },
  }));
}
