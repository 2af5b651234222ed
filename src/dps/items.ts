// Items by kind: the kind vocabulary (src/dps/itemKind.ts) and which client call each kind needs,
// so no other module spells the kinds or branches on them its own way.
import type { DpsApi, IfMatchOptions, PageOptions, RequestOptions } from './api';
import type { Item, ItemKind } from './itemKind';
export * from './itemKind';
import type {
  AttestationMechanism,
  BulkEnrollmentGroupOperationResult,
  BulkEnrollmentOperationResult,
  BulkMode,
  EnrollmentGroup,
  IndividualEnrollment,
  QueryPage,
} from './models';

// ---- the client calls, by kind

export type ItemReadApi = Pick<DpsApi, 'getEnrollment' | 'getEnrollmentGroup'>;
export type ItemWriteApi = Pick<DpsApi, 'createOrUpdateEnrollment' | 'createOrUpdateEnrollmentGroup'>;
export type ItemDeleteApi = Pick<DpsApi, 'deleteEnrollment' | 'deleteEnrollmentGroup'>;
export type ItemAttestationApi = Pick<DpsApi, 'getEnrollmentAttestation' | 'getEnrollmentGroupAttestation'>;
export type ItemQueryApi = Pick<DpsApi, 'queryEnrollments' | 'queryEnrollmentGroups'>;
export type ItemBulkApi = Pick<DpsApi, 'runEnrollmentBulk' | 'runEnrollmentGroupBulk'>;

export function getItem(client: ItemReadApi, kind: ItemKind, id: string, options?: RequestOptions): Promise<Item> {
  return kind === 'enrollment' ? client.getEnrollment(id, options) : client.getEnrollmentGroup(id, options);
}

export function putItem(client: ItemWriteApi, kind: ItemKind, item: Item, options?: IfMatchOptions): Promise<Item> {
  return kind === 'enrollment'
    ? client.createOrUpdateEnrollment(item as IndividualEnrollment, options)
    : client.createOrUpdateEnrollmentGroup(item as EnrollmentGroup, options);
}

export function deleteItem(client: ItemDeleteApi, kind: ItemKind, id: string, options?: IfMatchOptions): Promise<void> {
  return kind === 'enrollment' ? client.deleteEnrollment(id, options) : client.deleteEnrollmentGroup(id, options);
}

/** The attestation with its keys: queries and GETs withhold symmetric keys, this call does not. */
export function getItemAttestation(client: ItemAttestationApi, kind: ItemKind, id: string, options?: RequestOptions): Promise<AttestationMechanism> {
  return kind === 'enrollment' ? client.getEnrollmentAttestation(id, options) : client.getEnrollmentGroupAttestation(id, options);
}

export function queryItems(client: ItemQueryApi, kind: ItemKind, paging?: PageOptions, options?: RequestOptions): Promise<QueryPage<Item>> {
  return kind === 'enrollment' ? client.queryEnrollments(paging, options) : client.queryEnrollmentGroups(paging, options);
}

export function runItemBulk(
  client: ItemBulkApi,
  kind: ItemKind,
  mode: BulkMode,
  items: Item[],
  options?: RequestOptions,
): Promise<BulkEnrollmentOperationResult | BulkEnrollmentGroupOperationResult> {
  return kind === 'enrollment'
    ? client.runEnrollmentBulk(mode, items as IndividualEnrollment[], options)
    : client.runEnrollmentGroupBulk(mode, items as EnrollmentGroup[], options);
}
