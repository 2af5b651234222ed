// Helpers for driving the enrollment form inside code-server: the form's webview frame, its fields
// (the @vscode-elements controls keep their <input>/<textarea> in an open shadow root, which
// Playwright's CSS locators pierce), the Explorer, and polling for conditions outside the page.
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** Generous: the machine is shared and code-server's webviews load slowly under load. */
export const FORM_TIMEOUT_MS = 60_000;

/**
 * The page of the visible webview: VS Code puts it in `iframe.webview` (the host frame) and that
 * frame loads the content into its inner `#active-frame`. Hidden webviews (background tabs) keep
 * their iframes, so only the visible one is taken.
 */
export function formFrame(page: Page): FrameLocator {
  return page.locator('iframe.webview').filter({ visible: true }).last().contentFrame().locator('#active-frame').contentFrame();
}

/** Waits until the form shows `title` (e.g. "New individual enrollment") and its id field exists. */
export async function waitForForm(page: Page, title: string | RegExp): Promise<FrameLocator> {
  const frame = formFrame(page);
  await frame.locator('#form-title', { hasText: title }).waitFor({ timeout: FORM_TIMEOUT_MS });
  await frame.locator('#f-id input').waitFor({ timeout: FORM_TIMEOUT_MS });
  return frame;
}

/** The text input inside a vscode-textfield, or the textarea inside a vscode-textarea. */
export function textInput(frame: FrameLocator, field: string): Locator {
  return frame.locator(`#f-${field} input, #f-${field} textarea`).first();
}

/** Chooses an option of a vscode-single-select by its visible label. */
export async function chooseOption(frame: FrameLocator, field: string, option: string): Promise<void> {
  await frame.locator(`#f-${field}`).click();
  await frame.locator(`#f-${field}`).getByRole('option', { name: option, exact: true }).click();
}

/** Submits and waits for the page to report the save ("Saved “id”." in its status line). */
export async function submitAndWaitSaved(frame: FrameLocator, id: string): Promise<void> {
  await frame.locator('#submit').click();
  await frame.locator('#status', { hasText: `Saved “${id}”` }).waitFor({ timeout: FORM_TIMEOUT_MS });
}

/** Shows the Explorer view (files of the workspace). */
export async function openExplorer(page: Page): Promise<void> {
  const entry = page.locator('.activitybar .action-item a[aria-label^="Explorer"]');
  await entry.waitFor({ timeout: 30_000 });
  const open = page.locator('.sidebar .title-label h2', { hasText: /Explorer/i });
  if (!(await open.isVisible().catch(() => false))) await entry.click();
  await open.waitFor({ timeout: 30_000 });
}

/** A file's row in the Explorer (its accessible name is the file name). */
export function explorerRow(page: Page, fileName: string): Locator {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${fileName.replace(/"/g, '\\"')}"]`).first();
}

/** Polls a condition outside the page (e.g. the emulator's state) until it holds. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = FORM_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** True when the element is on screen in the page's viewport (frames' offsets included). */
export async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  return box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width;
}

/** Moves the pointer onto the editor area, so no tree hover or tooltip covers a screenshot. */
export async function calmPointer(page: Page): Promise<void> {
  await page.mouse.move(1300, 450);
  await page.locator('.monaco-hover, .workbench-hover-container').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
}

/**
 * Collects console errors raised inside webviews (script errors, CSP refusals): the workbench's own
 * noise (no gallery, no native watchdog here) comes from other URLs and is left out.
 */
export function watchWebviewErrors(page: Page): { take(): string[] } {
  let errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    if (url.includes('/webview/browser/pre/') || url.includes('/media/')) errors.push(`${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {
    take: () => {
      const taken = errors;
      errors = [];
      return taken;
    },
  };
}
