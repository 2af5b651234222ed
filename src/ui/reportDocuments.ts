// Plans, drift results, provisioning results and key summaries open as read-only Markdown documents:
// never dirty, so closing one asks nothing, and reopening the same title shows the newest content.
// The text lives here only while a document shows it.
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'dps-enrollments-report';

class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
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
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
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

/** Shows Markdown read-only under a title (the tab's name). */
export async function showReport(title: string, markdown: string, options: { preview?: boolean } = {}): Promise<void> {
  if (documents === undefined) throw new Error('Report documents are not registered; the extension is not active.');
  const uri = reportUri(title);
  documents.set(uri, markdown);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: options.preview ?? false });
}
