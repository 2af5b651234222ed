// The HTML shell of the Jobs view: the form's strict CSP and nonce (one script, one stylesheet, by
// URI), no data in it; the page receives everything by message. Shared by the panel and the
// browser tests, so the tests run under the panel's policy. No `vscode` import.
import { contentSecurityPolicy } from '../enrollmentForm/formHtml';

export interface JobsHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderJobsHtml(options: JobsHtmlOptions): string {
  const nonce = escapeAttribute(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options.cspSource, options.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeAttribute(options.styleUri)}">
<title>Bulk job</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading the job…</p></main>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
