// Bulk jobs, import/export and device keys at scale: the editor-free part. Sources turn files and
// selections into rows, the plan is the dry run, the report joins the plan with the runner's outcomes.
export { BulkSourceError } from './rows';
export type { SourceResult, SourceRow } from './rows';
export { validateItem } from './validateItem';
export { mapCsvHeader, parseEnrollmentCsv, parseTags } from './csvSource';
export type { CsvField, CsvSourceOptions } from './csvSource';
export { forEachJsonRowOfFile, jsonItemOrigin, parseJsonSource, parseJsonSources, readJsonSourcesFromFile } from './jsonSource';
export { JsonStreamReader, JsonStreamError } from './jsonStream';
export type { JsonStreamEvent } from './jsonStream';
export type { JsonSourceOptions, RowSink } from './jsonSource';
export { certificateFolderSource, certificateRows, readCertificateFolder, CERTIFICATE_EXTENSIONS } from './certificateFolder';
export type { CertificateFile } from './certificateFolder';
export { selectionSource } from './selectionSource';
export { ACTION_LABELS, minimumMinutes, planBulk, plannedItems, sendModeOf } from './plan';
export type { BulkPlan, InvalidRow, PlannedAction, PlannedRow } from './plan';
export { renderPlanMarkdown, summarisePlan, summarisePlanCounts } from './renderPlan';
export type { PlanCounts } from './renderPlan';
export { buildJobReport, renderReportJson, renderReportMarkdown, retrySource, summariseReport } from './report';
export type { BulkJobReport, DoneAs, ReportItem, ReportOutcome } from './report';
export { buildExportDocument, EXPORT_FORMAT, EXPORT_VERSION, portableItem, readExportEnvelope } from './exportFormat';
export type { ExportDocument } from './exportFormat';
export { expandIdPattern, IdPatternError, isIdPattern, MAX_PATTERN_IDS, parseRegistrationIdList } from './idPattern';
export { deviceKeyCsv } from './deviceKeyCsv';
export type { DeviceKeyCsv } from './deviceKeyCsv';
export { openFileAtomic, writeFileAtomic } from '../util/atomicWrite';
export { bulkPacing, describeProgress, describeThrottle, runBulkJob } from './job';
export type { BulkJobClient, BulkJobOptions, JobProgress } from './job';
export { forEachExistingItem, readExistingItems } from './existingItems';
export { DEFAULT_CHUNK_ROWS, DEFAULT_INVALID_ROWS_KEPT, planJsonFileStreamed, runStreamedPlan } from './streamedImport';
export type { StreamedImportReport, StreamedInvalidRow, StreamedKindPlan, StreamedKindReport, StreamedPlan, StreamedPlanOptions, StreamedProgress, StreamedRunOptions } from './streamedImport';
export { readStreamedReport, summariseStreamedReport } from './streamedReport';
export { KEPT_REPORTS, newReportFile } from './reportFolder';
export type { StreamedReportLine, StreamedReportPage } from './streamedReport';
export { IdDigestSet } from './idDigestSet';
export type { ExistingItems, ReadExistingOptions } from './existingItems';

export { exportConnection, exportConnectionToFile } from './exportConnection';
export type { ExportClient, ExportCounts, ExportOptions, ExportSink } from './exportConnection';
