// The messages between the Jobs view's page and the extension. Rows travel in pages of at most
// MAX_PAGE_ROWS, asked for by the page as it scrolls: a 100,000-row job is never one message.
// Shared by both sides; no imports beyond types, so the page bundle stays small.
import type { JobSnapshot } from '../jobs/jobModel';
import type { JobRow, OutcomeFilter } from '../jobs/jobRows';

export const MAX_PAGE_ROWS = 200;
export const MAX_SEARCH_LENGTH = 200;
export const SAVE_FORMATS = ['csv', 'json', 'md'] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];
export const OUTCOME_FILTERS: readonly OutcomeFilter[] = ['all', 'failed', 'notSent', 'invalid', 'planned', 'done'];

// Host -> page

/** The job's state: phase, counts, summary, chart. Sent on every change (throttled while running). */
export interface SnapshotMessage {
  type: 'snapshot';
  snapshot: JobSnapshot;
  /** Whether Save Report can write Markdown for this job. */
  markdown: boolean;
}

/** A page of the filtered, failed-first rows; answers a `query` with the same requestId. */
export interface RowsMessage {
  type: 'rows';
  requestId: number;
  /** Rows matching the query in all. */
  total: number;
  offset: number;
  rows: JobRow[];
}

/** A line for the status bar of the page: "Report saved to …", "Retrying 3 items…". */
export interface NoticeMessage {
  type: 'notice';
  text: string;
}

export type HostMessage = SnapshotMessage | RowsMessage | NoticeMessage;

// Page -> host

export interface ReadyMessage { type: 'ready' }
export interface QueryMessage {
  type: 'query';
  requestId: number;
  filter: OutcomeFilter;
  search: string;
  offset: number;
  limit: number;
}
export interface RunMessage { type: 'run' }
export interface CancelMessage { type: 'cancel' }
export interface RetryFailedMessage { type: 'retryFailed' }
export interface SaveMessage { type: 'save'; format: SaveFormat }
/** The page refused a host message it could not read (said to the host, which logs it). */
export interface PageProblemMessage { type: 'pageProblem'; reason: string }

export type PageMessage = ReadyMessage | QueryMessage | RunMessage | CancelMessage | RetryFailedMessage | SaveMessage | PageProblemMessage;
