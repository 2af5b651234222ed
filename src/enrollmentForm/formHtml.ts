// The enrollment form's HTML shell: the extension's webview shell (strict CSP, nonce, no data).
// No `vscode` import.
import { renderWebviewShell, type WebviewShellOptions } from '../common/webviewHtml';

export { contentSecurityPolicy, createNonce } from '../common/webviewHtml';

export type FormHtmlOptions = Omit<WebviewShellOptions, 'loadingText'>;

export function renderFormHtml(options: FormHtmlOptions): string {
  return renderWebviewShell({ ...options, loadingText: 'Loading the form…' });
}
