// The Jobs view's editor-free part: a job's rows (failed first, filtered, paged), its throughput in
// time buckets, and its report as CSV or JSON.
export { JobModel } from './jobModel';
export type { JobHeader, JobModelOptions, JobPhase, JobSnapshot, LiveCounts, SettledJobRow } from './jobModel';
export { emptyCounts, JOB_OUTCOMES, JobRows, OUTCOME_LABELS } from './jobRows';
export type { JobOutcome, JobRow, OutcomeCounts, OutcomeFilter, RowQuery } from './jobRows';
export { RateSeries } from './rateSeries';
export type { RateBucket, RateEvent, RateSeriesOptions } from './rateSeries';
export { csvCell, reportCsv, reportJson } from './reportFormat';
export { applyPlanRows, applyReportRow, applyReportRows, bulkPlanRows, bulkPlansRows, bulkReportRow, bulkReportRows, streamedInvalidRows, streamedReportRows } from './fromBulk';
