// The editor side of the Jobs view: one webview panel per job, showing the dry run with Run and
// Cancel, the run's live counts and throughput, and the outcome with Retry Failed and Save Report.
// The logic is the controller's (plain, tested in Node); this module creates the panel under the
// form's strict CSP and turns the controller's needs into editor calls (save dialog, atomic write).
import * as vscode from 'vscode';
import { JobModel, reportCsv, reportJson, type JobHeader, type JobRow, type LiveCounts, type OutcomeCounts, type SettledJobRow } from '../jobs';
import { writeFileAtomic } from '../util/atomicWrite';
import { createNonce } from '../common/webviewHtml';
import { defaultSaveUri } from '../ui/saveLocation';
import { JobsController } from './jobsController';
import { renderJobsHtml } from './jobsHtml';
import type { SaveFormat } from './protocol';

export interface JobsPanelDeps {
  extensionUri: vscode.Uri;
  log: (line: string) => void;
  /** Where a failed Retry Failed or Save Report ends up (the extension's error handler). */
  reportError: (error: unknown, context: string) => void;
}

/** What the finished job offers: a retry of its failed items, and Markdown for Save Report. */
export interface FinishedJobActions {
  retryFailed?: () => Promise<void>;
  markdown?: () => string;
}

const SAVE_FILTERS: Record<SaveFormat, Record<string, string[]>> = { csv: { CSV: ['csv'] }, json: { JSON: ['json'] }, md: { Markdown: ['md'] } };

export class JobsPanel {
  readonly model: JobModel;
  private readonly panel: vscode.WebviewPanel;
  private readonly controller: JobsController;
  private decide?: (run: boolean) => void;
  private abort?: AbortController;
  private actions: FinishedJobActions = {};
  private disposed = false;

  private constructor(private readonly deps: JobsPanelDeps, header: JobHeader) {
    this.model = new JobModel({ header });
    const mediaRoot = vscode.Uri.joinPath(deps.extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('dpsEnrollments.jobs', header.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [mediaRoot],
      // The rows live at the host and come a page at a time, so the page is cheap to rebuild when shown again.
      retainContextWhenHidden: false,
    });
    const webview = this.panel.webview;
    webview.html = renderJobsHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'dist', 'jobs.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'jobs.css')).toString(),
    });
    this.controller = new JobsController(this.model, {
      // A closed panel's webview refuses messages; the job it showed goes on without it.
      post: (message) => {
        if (!this.disposed) void webview.postMessage(message);
      },
      run: () => this.decide?.(true),
      cancel: () => {
        this.decide?.(false);
        this.abort?.abort();
      },
      retryFailed: () => this.retryFailed(),
      save: (format) => void this.save(format).catch((error: unknown) => deps.reportError(error, 'Saving the bulk report')),
      log: deps.log,
      canSaveMarkdown: () => this.actions.markdown !== undefined,
    });
    const subscription = webview.onDidReceiveMessage((raw: unknown) => this.controller.handle(raw));
    this.panel.onDidDispose(() => {
      this.disposed = true;
      subscription.dispose();
      this.controller.dispose();
      // Closing the dry run is declining it; a running job goes on (its notification can cancel it).
      this.decide?.(false);
    });
  }

  static open(deps: JobsPanelDeps, header: JobHeader): JobsPanel {
    return new JobsPanel(deps, header);
  }

  /** Shows the dry run and waits for Run (true) or Cancel / closing the panel (false). `totals`: a counts-only job (see JobModel). */
  askToRun(rows: readonly JobRow[], summary: string[], totals?: OutcomeCounts): Promise<boolean> {
    this.model.showDryRun(rows, summary, totals);
    this.actions = {};
    this.reveal();
    this.controller.sendSnapshot(true);
    if (this.disposed || this.model.snapshot().canRun === false) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.decide = (run) => {
        this.decide = undefined;
        resolve(run);
      };
    });
  }

  /** The run starts; the signal is aborted by the view's Cancel. */
  startRun(): AbortSignal {
    this.abort = new AbortController();
    this.model.startRun();
    this.controller.sendSnapshot(true);
    return this.abort.signal;
  }

  progress(live: LiveCounts): void {
    this.model.progress(live);
    this.controller.sendSnapshot();
  }

  /**
   * Rows whose outcome is final, listed in place while the job runs (the page's query is refreshed
   * with the next snapshot). Rows the model refuses are logged: the finish lists every row anyway.
   */
  settleRows(settled: readonly SettledJobRow[]): void {
    try {
      this.model.settleRows(settled);
    } catch (error: unknown) {
      this.deps.log(`Jobs view: could not list settled rows before the end (${error instanceof Error ? error.message : String(error)}).`);
      return;
    }
    this.controller.sendSnapshot();
  }

  retried(throttled: boolean): void {
    this.model.retried(throttled);
    this.controller.sendSnapshot();
  }

  finish(rows: readonly JobRow[], summary: string[], cancelled: boolean, actions: FinishedJobActions, totals?: OutcomeCounts): void {
    this.abort = undefined;
    this.actions = actions;
    this.model.finish(rows, summary, cancelled, actions.retryFailed !== undefined, totals);
    this.controller.sendSnapshot(true);
  }

  notice(text: string): void {
    this.controller.notice(text);
  }

  private reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, false);
  }

  private retryFailed(): void {
    const retry = this.actions.retryFailed;
    if (retry === undefined) return;
    this.actions = { ...this.actions, retryFailed: undefined };
    retry().catch((error: unknown) => {
      this.deps.reportError(error, 'Retrying the failed items');
    });
  }

  private async save(format: SaveFormat): Promise<void> {
    const markdown = this.actions.markdown;
    const uri = await vscode.window.showSaveDialog({
      title: 'Save the bulk report',
      filters: SAVE_FILTERS[format],
      saveLabel: 'Save Report',
      defaultUri: defaultSaveUri(`bulk-report.${format}`),
    });
    if (uri === undefined) return;
    const rows = this.model.rows.ordered();
    const content = format === 'csv' ? reportCsv(rows) : format === 'json' ? reportJson(this.model.snapshot(), rows) : (markdown?.() ?? '');
    await writeFileAtomic(uri.fsPath, content);
    this.controller.notice(`Report saved to ${uri.fsPath}`);
    this.deps.log(`Jobs view: report saved to ${uri.fsPath} (${format}, ${rows.length} items).`);
  }
}
