// The part of the DPS client the UI uses. DpsClient (src/dps/client.ts) satisfies it structurally;
// unit tests supply fakes.
import type { BulkClient } from '../dps/bulk';
import type {
  AttestationMechanism,
  DeviceRegistrationState,
  EnrollmentGroup,
  IndividualEnrollment,
  QueryPage,
} from '../dps/models';

export interface CallOptions {
  signal?: AbortSignal;
}
export interface ConditionalOptions extends CallOptions {
  ifMatch?: string;
}
export interface PageOptions {
  pageSize?: number;
  continuationToken?: string;
}

/** Bulk requests (at most 10 items each) come from BulkClient; src/dps/bulk.ts runs longer lists on them. */
export interface DpsApi extends BulkClient {
  readonly hostName: string;
  /** Closes kept-alive connections; called when the client is replaced. */
  dispose?(): void;
  getEnrollment(id: string, options?: CallOptions): Promise<IndividualEnrollment>;
  createOrUpdateEnrollment(enrollment: IndividualEnrollment, options?: ConditionalOptions): Promise<IndividualEnrollment>;
  deleteEnrollment(id: string, options?: ConditionalOptions): Promise<void>;
  getEnrollmentAttestation(id: string, options?: CallOptions): Promise<AttestationMechanism>;
  queryEnrollments(paging?: PageOptions, options?: CallOptions): Promise<QueryPage<IndividualEnrollment>>;

  getEnrollmentGroup(id: string, options?: CallOptions): Promise<EnrollmentGroup>;
  createOrUpdateEnrollmentGroup(group: EnrollmentGroup, options?: ConditionalOptions): Promise<EnrollmentGroup>;
  deleteEnrollmentGroup(id: string, options?: ConditionalOptions): Promise<void>;
  getEnrollmentGroupAttestation(id: string, options?: CallOptions): Promise<AttestationMechanism>;
  queryEnrollmentGroups(paging?: PageOptions, options?: CallOptions): Promise<QueryPage<EnrollmentGroup>>;

  getRegistrationState(id: string, options?: CallOptions): Promise<DeviceRegistrationState>;
  deleteRegistrationState(id: string, options?: ConditionalOptions): Promise<void>;
  queryRegistrationStates(groupId: string, paging?: PageOptions, options?: CallOptions): Promise<QueryPage<DeviceRegistrationState>>;
}
