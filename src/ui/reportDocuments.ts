// Plans, drift results, provisioning results and key summaries open as read-only Markdown documents:
// never dirty, so closing one asks nothing, and reopening the same title shows the newest content.
// The text lives here only while a document shows it.
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'dps-enrollments-report';

class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  /** The file a report was made from (a plan's desired-state file), by report URI. */
  readonly sources = new Map<string, vscode.Uri>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  set(uri: vscode.Uri, text: string): void {
    const known = this.contents.has(uri.toString());
    this.contents.set(uri.toString(), text);
    // An open document of the same title is refreshed rather than left showing the older report.
    if (known) this.changed.fire(uri);
  }

  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
    this.sources.delete(uri.toString());
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
    this.sources.clear();
  }
}

let documents: ReportDocuments | undefined;

export function registerReportDocuments(): vscode.Disposable {
  const provider = new ReportDocuments();
  documents = provider;
  return vscode.Disposable.from(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, provider),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === REPORT_SCHEME) provider.forget(document.uri);
    }),
    { dispose: () => { if (documents === provider) documents = undefined; } },
  );
}

/** The document's URI for a title: file-name safe, ending .md so the editor treats it as Markdown. */
export function reportUri(title: string): vscode.Uri {
  const name = title.replace(/[^A-Za-z0-9._ -]+/g, '-').replace(/\s+/g, ' ').trim().slice(0, 120) || 'report';
  return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}.md` });
}

/**
 * Shows Markdown read-only under a title (the tab's name). `source` is the file the report is about:
 * a command run while the report is the active editor can act on that file (Apply after Plan).
 */
export async function showReport(title: string, markdown: string, options: { preview?: boolean; source?: vscode.Uri } = {}): Promise<void> {
  if (documents === undefined) throw new Error('Report documents are not registered; the extension is not active.');
  const uri = reportUri(title);
  documents.set(uri, markdown);
  if (options.source === undefined) documents.sources.delete(uri.toString());
  else documents.sources.set(uri.toString(), options.source);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: options.preview ?? false });
}

/** The file a shown report was made from, when `uri` is such a report and it has one. */
export function reportSource(uri: vscode.Uri): vscode.Uri | undefined {
  return uri.scheme === REPORT_SCHEME ? documents?.sources.get(uri.toString()) : undefined;
}
