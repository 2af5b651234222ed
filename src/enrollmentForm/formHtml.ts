// The HTML shell of the enrollment form: a strict CSP, one stylesheet, one script, both loaded by
// URI; no data in it (the page receives everything by message). Shared by the real panel and the
// browser tests, so the tests run under exactly the panel's policy. No `vscode` import.

import { randomBytes } from 'node:crypto';

export interface FormHtmlOptions {
  /** `webview.cspSource` (or the test server's origin). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh per render; from `createNonce()`. */
  nonce: string;
  /** Page title; a fixed string, never service data. */
  title: string;
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

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderFormHtml(options: FormHtmlOptions): string {
  const nonce = escapeAttribute(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options.cspSource, options.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeAttribute(options.styleUri)}">
<title>${escapeAttribute(options.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading the form…</p></main>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
