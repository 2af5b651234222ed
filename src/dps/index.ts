// Public surface of the DPS service library (plain Node; no editor API).
export { DpsClient, MAX_BULK_ITEMS, encodePathSegment } from './client';
export type {
  DpsClientInit,
  DpsClientOptions,
  IfMatchOptions,
  ListOptions,
  PageOptions,
  QueryOptions,
  RequestEvent,
  RequestOptions,
} from './client';
export { runBulk, containsSent } from './bulk';
export type { BulkClient, BulkItemOutcome, BulkProgress, BulkReport, BulkRunOptions, SettledItem } from './bulk';
export * from './items';
export { InstanceBudget } from './budget';
export type { BudgetOptions } from './budget';
export type { DpsApi } from './api';
export { ConnectionStringError, formatConnectionString, isLoopbackHost, parseConnectionString } from './connectionString';
export type { DpsConnectionString } from './connectionString';
export { DpsError, isDpsError } from './errors';
export { KeyMaterialError } from './keyMaterialGuard';
export type { DpsErrorKind } from './errors';
export type { RetryOptions } from './retryPolicy';
export type { Clock } from './pacer';
export type { Sleep } from './sleep';
export * from './models';
export * from './apiVersion';
