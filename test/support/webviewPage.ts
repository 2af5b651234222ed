// Runs the enrollment form page on its own in headless Chromium: the page bundle is built with the
// esbuild API, served with media/form.css on 127.0.0.1 inside the HTML shell the real panel uses
// (same CSP, built by the same function), and `acquireVsCodeApi()` is a stand-in that records every
// posted message. The test plays the host by sending HostMessages to the page.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailableReason, launchChromium } from '../../scripts/browser';
import { createNonce, renderFormHtml } from '../../src/enrollmentForm/formHtml';
import type { HostMessage, PageMessage } from '../../src/enrollmentForm/protocol';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/** Why the browser tier cannot run here, or undefined when it can (scripts/browser.ts decides). */
export function browserSkipReason(): string | undefined {
  return browserUnavailableReason();
}

export type Theme = 'dark' | 'light';

/** A subset of the variables VS Code puts on a webview's <html>, for its Dark+ and Light+ themes. */
const THEMES: Record<Theme, Record<string, string>> = {
  dark: {
    '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-widget-border': '#313131',
    '--vscode-input-background': '#313131',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-button-border': '#ffffff12',
    '--vscode-dropdown-background': '#313131',
    '--vscode-dropdown-foreground': '#cccccc',
    '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-checkboxBackground': '#313131',
    '--vscode-settings-checkboxForeground': '#cccccc',
    '--vscode-settings-checkboxBorder': '#3c3c3c',
    '--vscode-checkbox-background': '#313131',
    '--vscode-checkbox-border': '#3c3c3c',
    '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textBlockQuote-background': '#2b2b2b',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-hoverBackground': '#2a2d2e',
  },
  light: {
    '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
    '--vscode-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-editor-background': '#ffffff',
    '--vscode-errorForeground': '#c72e0f',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-widget-border': '#e5e5e5',
    '--vscode-input-background': '#ffffff',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-button-border': '#0000001a',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#3b3b3b',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-checkboxBackground': '#f8f8f8',
    '--vscode-settings-checkboxForeground': '#3b3b3b',
    '--vscode-settings-checkboxBorder': '#cecece',
    '--vscode-checkbox-background': '#f8f8f8',
    '--vscode-checkbox-border': '#cecece',
    '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textBlockQuote-background': '#f2f2f2',
    '--vscode-inputValidation-errorBackground': '#f2dede',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editorWarning-foreground': '#bf8803',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-list-hoverBackground': '#f2f2f2',
  },
};

/** Serves `/` (the HTML shell, rendered per request with a fresh nonce like the panel does) and the media. */
export interface FormPageServer {
  origin: string;
  close(): Promise<void>;
}

/** A webview page to serve: its entry point, its bundle and stylesheet names, and its HTML shell. */
export interface WebviewPageSpec {
  /** Path of the page's main.ts, from the repository root. */
  entry: string;
  /** Bundle name under /media/dist/, e.g. "form.js". */
  script: string;
  /** Stylesheet under media/, e.g. "form.css". */
  style: string;
  html(origin: string, nonce: string, scriptUri: string, styleUri: string): string;
}

const FORM_PAGE: WebviewPageSpec = {
  entry: 'src/enrollmentForm/page/main.ts',
  script: 'form.js',
  style: 'form.css',
  html: (origin, nonce, scriptUri, styleUri) => renderFormHtml({ cspSource: origin, nonce, scriptUri, styleUri, title: 'Enrollment form' }),
};

/** Builds the form page bundle into a temp folder and serves it with media/form.css. */
export async function startFormPageServer(): Promise<FormPageServer> {
  return startWebviewPageServer(FORM_PAGE);
}

/** Builds a page bundle into a temp folder and serves it with its stylesheet, in its HTML shell. */
export async function startWebviewPageServer(spec: WebviewPageSpec): Promise<FormPageServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'webview-page-'));
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, spec.entry)],
    outfile: join(outDir, spec.script),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  const files: Record<string, { path: string; type: string }> = {
    [`/media/dist/${spec.script}`]: { path: join(outDir, spec.script), type: 'text/javascript' },
    [`/media/${spec.style}`]: { path: join(REPO_ROOT, 'media', spec.style), type: 'text/css' },
  };
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end(); // a webview asks for none; the test browser does
      return;
    }
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(spec.html(origin, createNonce(), `${origin}/media/dist/${spec.script}`, `${origin}/media/${spec.style}`));
      return;
    }
    const file = files[url.pathname];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type });
    response.end(readFileSync(file.path));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export class FormPage {
  readonly errors: string[] = [];
  dialogs = 0;

  constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    page.on('dialog', (dialog) => {
      this.dialogs += 1;
      void dialog.dismiss();
    });
  }

  // Page-side code is passed as text: the test program has no DOM types, and the page needs none of ours.

  async posted(): Promise<PageMessage[]> {
    return this.page.evaluate<PageMessage[]>('window.__recorded.posted');
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate('window.__recorded.posted.length = 0');
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate<string[]>('window.__recorded.cspViolations');
  }

  /** A property of the first element matching `selector` (e.g. a field's `value`). */
  async property(selector: string, name: string): Promise<unknown> {
    return this.page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.[${JSON.stringify(name)}]`);
  }

  async waitForProperty(selector: string, name: string, expected: string | boolean): Promise<void> {
    await this.waitUntil(`document.querySelector(${JSON.stringify(selector)})?.[${JSON.stringify(name)}] === ${JSON.stringify(expected)}`);
  }

  /**
   * Polls a page expression until it is true. (waitForFunction with a string evaluates it with
   * eval inside the page, which the page's CSP rightly forbids.)
   */
  async waitUntil(expression: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.page.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await this.page.waitForTimeout(25);
    }
  }

  async activeElementId(): Promise<string> {
    return this.page.evaluate<string>('document.activeElement?.id ?? ""');
  }

  /** Waits until the page has posted a message of this type (matching `where`), and returns it. */
  async waitForPosted<T extends PageMessage['type']>(type: T, where: (m: Extract<PageMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<PageMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.posted()).filter((m): m is Extract<PageMessage, { type: T }> => m.type === type).find(where);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`the page posted no "${type}" message within ${timeoutMs} ms; posted: ${JSON.stringify((await this.posted()).map((m) => m.type))}; page errors: ${JSON.stringify(this.errors)}`);
      await this.page.waitForTimeout(25);
    }
  }

  /** Delivers a host message the way VS Code does: a `message` event on the page's window. */
  async send(message: HostMessage): Promise<void> {
    await this.page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }
}

/**
 * Recorded posts, CSP violations, and the theme's variables set through CSSOM (what VS Code does;
 * it needs no inline style, so the page keeps its strict CSP). Runs before the page's own script.
 */
function hostStandIn(variables: Record<string, string>, theme: Theme): string {
  return `(() => {
  const recorded = { posted: [], cspViolations: [], dialogs: 0 };
  Object.defineProperty(window, '__recorded', { value: recorded });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (message) => {
        const copy = JSON.parse(JSON.stringify(message));
        recorded.posted.push(copy);
        // A test may connect a real host (the form controller in Node) through this binding.
        if (typeof window.__toHost === 'function') void window.__toHost(copy);
      },
      // Like VS Code's: the state outlives a reload (a hidden tab's page being rebuilt).
      getState: () => {
        const saved = sessionStorage.getItem('__vscodeState');
        return saved === null ? undefined : JSON.parse(saved);
      },
      setState: (state) => sessionStorage.setItem('__vscodeState', JSON.stringify(state)),
    };
  };
  document.addEventListener('securitypolicyviolation', (event) => recorded.cspViolations.push(event.violatedDirective + ': ' + event.blockedURI));
  const variables = ${JSON.stringify(variables)};
  document.addEventListener('DOMContentLoaded', () => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.body.classList.add(${JSON.stringify(theme === 'dark' ? 'vscode-dark' : 'vscode-light')});
  });
})();`;
}

/** Where the page's messages go when a real host is connected (see connectHost). */
export type HostEndpoint = (message: unknown) => Promise<void>;

/**
 * Opens the form page in a fresh page with the host stand-in and a theme's variables.
 * With `host`, every posted message is also delivered to it (the real controller in Node).
 */
export async function openFormPage(browser: Browser, server: FormPageServer, theme: Theme = 'dark', host?: HostEndpoint): Promise<FormPage> {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  if (host) await page.exposeFunction('__toHost', host);
  // Init scripts run before the page's own script; setting variables through CSSOM is what VS Code
  // does and needs no inline style, so the page keeps its strict CSP.
  // The stand-in is plain JavaScript text: functions passed from here would be transpiled by tsx
  // with helpers that do not exist in the page.
  await page.addInitScript({ content: hostStandIn(THEMES[theme], theme) });
  const form = new FormPage(page);
  await page.goto(`${server.origin}/`);
  await form.waitForPosted('ready');
  return form;
}

/** The form page server and a browser for the suite it is called in: started before, closed after. */
export function useFormPageSuite(): { readonly server: FormPageServer; readonly browser: Browser } {
  const suite = {} as { server: FormPageServer; browser: Browser };
  before(async () => {
    suite.server = await startFormPageServer();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** Checks that the page kept its CSP and logged no error, then closes it. */
export async function closeCheckedPage(form: FormPage): Promise<void> {
  assert.deepEqual(await form.cspViolations(), [], 'the page violated its CSP');
  assert.deepEqual(form.errors, [], 'the page logged errors');
  await form.page.context().close();
}
