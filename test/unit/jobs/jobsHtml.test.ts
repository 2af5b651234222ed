// The Jobs panel's HTML: the form's strict CSP with a fresh nonce, one script and one stylesheet by
// URI, no inline script, style or handler, no data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNonce } from '../../../src/common/webviewHtml';
import { renderJobsHtml } from '../../../src/jobsView/jobsHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

void describe('Jobs view HTML shell', () => {
  void test('one nonce script by URI under the strict CSP; nothing inline', () => {
    const nonce = createNonce();
    const html = renderJobsHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: `${CSP_SOURCE}/media/dist/jobs.js`, styleUri: `${CSP_SOURCE}/media/jobs.css` });
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${CSP_SOURCE}/media/dist/jobs.js">`]);
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/, 'no inline script body');
    assert.doesNotMatch(html, /<style|style="/, 'no inline style');
    assert.doesNotMatch(html, /\son[a-z]+="/i, 'no inline handlers');
    assert.match(html, /content="default-src 'none'; script-src 'nonce-/);
  });

  void test('attribute values are escaped', () => {
    const html = renderJobsHtml({ cspSource: CSP_SOURCE, nonce: 'n', scriptUri: 'x" onload="alert(1)', styleUri: '"><b>s</b>' });
    assert.doesNotMatch(html, /\sonload="/);
    assert.doesNotMatch(html, /<b>s<\/b>/);
  });
});
