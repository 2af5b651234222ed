// The Jobs view's HTML shell: the extension's webview shell (strict CSP, nonce, no data); the page
// receives everything by message. No `vscode` import.
import { renderWebviewShell, type WebviewShellOptions } from '../common/webviewHtml';

export type JobsHtmlOptions = Omit<WebviewShellOptions, 'loadingText' | 'title'>;

export function renderJobsHtml(options: JobsHtmlOptions): string {
  return renderWebviewShell({ ...options, title: 'Bulk job', loadingText: 'Loading the job…' });
}
