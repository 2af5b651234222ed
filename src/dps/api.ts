// The service API as one interface: every slice a caller needs (the bulk runner, the form, the
// export, the tree) is a `Pick` of this, so a call is declared once. DpsClient implements it;
// tests supply fakes of the slice they exercise.
import type {
  AttestationMechanism,
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
  DeviceRegistrationState,
  EnrollmentGroup,
  IndividualEnrollment,
  QueryPage,
} from './models';
import type { RetryOptions } from './retryPolicy';
import type { ApiVersion } from './apiVersion';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's retry options for this call. */
  retry?: RetryOptions;
}

export interface IfMatchOptions extends RequestOptions {
  /** The etag the caller read; the service answers 412 when the item changed since. */
  ifMatch?: string;
}

export interface PageOptions {
  /** Items per page, 1 to 100 (the service's maximum). */
  pageSize?: number;
  /** The token of the previous page, absent for the first. */
  continuationToken?: string;
}

export interface DpsApi {
  readonly hostName: string;
  /** The service api-version this client sends; absent on fakes means 2021-10-01. */
  readonly apiVersion?: ApiVersion;
  /** Closes kept-alive connections; called when the client is replaced. */
  dispose?(): void;

  getEnrollment(registrationId: string, options?: RequestOptions): Promise<IndividualEnrollment>;
  createOrUpdateEnrollment(enrollment: IndividualEnrollment, options?: IfMatchOptions): Promise<IndividualEnrollment>;
  deleteEnrollment(registrationId: string, options?: IfMatchOptions): Promise<void>;
  getEnrollmentAttestation(registrationId: string, options?: RequestOptions): Promise<AttestationMechanism>;
  queryEnrollments(paging?: PageOptions, options?: RequestOptions): Promise<QueryPage<IndividualEnrollment>>;
  /** One bulk request of at most 10 enrollments; src/dps/bulk.ts runs longer lists. */
  runEnrollmentBulk(mode: BulkMode, enrollments: IndividualEnrollment[], options?: RequestOptions): Promise<BulkEnrollmentOperationResult>;

  getEnrollmentGroup(enrollmentGroupId: string, options?: RequestOptions): Promise<EnrollmentGroup>;
  createOrUpdateEnrollmentGroup(group: EnrollmentGroup, options?: IfMatchOptions): Promise<EnrollmentGroup>;
  deleteEnrollmentGroup(enrollmentGroupId: string, options?: IfMatchOptions): Promise<void>;
  getEnrollmentGroupAttestation(enrollmentGroupId: string, options?: RequestOptions): Promise<AttestationMechanism>;
  queryEnrollmentGroups(paging?: PageOptions, options?: RequestOptions): Promise<QueryPage<EnrollmentGroup>>;
  runEnrollmentGroupBulk(mode: BulkMode, groups: EnrollmentGroup[], options?: RequestOptions): Promise<BulkEnrollmentGroupOperationResult>;

  getRegistrationState(registrationId: string, options?: RequestOptions): Promise<DeviceRegistrationState>;
  deleteRegistrationState(registrationId: string, options?: IfMatchOptions): Promise<void>;
  queryRegistrationStates(enrollmentGroupId: string, paging?: PageOptions, options?: RequestOptions): Promise<QueryPage<DeviceRegistrationState>>;
}
