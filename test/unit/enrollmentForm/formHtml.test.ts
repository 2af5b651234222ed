// The panel's HTML: strict CSP with a fresh nonce, nothing but the two local resources, no data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, createNonce, renderFormHtml } from '../../../src/enrollmentForm/formHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

void describe('form HTML shell', () => {
  void test('the CSP allows only nonce scripts and the webview source for styles, fonts and images', () => {
    assert.equal(
      contentSecurityPolicy(CSP_SOURCE, 'abc'),
      `default-src 'none'; script-src 'nonce-abc'; style-src ${CSP_SOURCE} 'nonce-abc'; font-src ${CSP_SOURCE}; img-src ${CSP_SOURCE}`,
    );
  });

  void test('every script carries the nonce, there is no inline script or style, and nonces differ per render', () => {
    const nonce = createNonce();
    const html = renderFormHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: `${CSP_SOURCE}/media/dist/form.js`, styleUri: `${CSP_SOURCE}/media/form.css`, title: 'New enrollment' });
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((s) => s.includes(`nonce="${nonce}"`) && s.includes('src="')));
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/, 'no inline script body');
    assert.doesNotMatch(html, /<style|style="/, 'no inline style');
    assert.doesNotMatch(html, /\son[a-z]+="/i, 'no inline handlers');
    assert.match(html, new RegExp(`content="default-src 'none'; script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.notEqual(createNonce(), createNonce());
    assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'at least 128 bits from crypto');
  });

  void test('attribute values are escaped', () => {
    const html = renderFormHtml({ cspSource: CSP_SOURCE, nonce: 'n', scriptUri: 'x" onload="alert(1)', styleUri: 's', title: '<b>t</b>' });
    assert.doesNotMatch(html, /\sonload="/);
    assert.doesNotMatch(html, /<b>t<\/b>/);
  });
});
