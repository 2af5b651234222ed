// The HTML shell every webview of the extension uses: a strict CSP with a fresh nonce, one
// stylesheet and one script loaded by URI, and no data (pages receive everything by message).
// The panels and the browser tests render the same shell, so the tests run under the panels' policy.
import { randomBytes } from 'node:crypto';

export interface WebviewShellOptions {
  /** `webview.cspSource` (or the test server's origin). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh per render; from `createNonce()`. */
  nonce: string;
  /** Page title; a fixed string, never service data. */
  title: string;
  /** Shown until the page's script has started, e.g. "Loading the form…". */
  loadingText: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderWebviewShell(options: WebviewShellOptions): string {
  const nonce = escapeHtml(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(options.cspSource, options.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(options.styleUri)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">${escapeHtml(options.loadingText)}</p></main>
<script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>`;
}
