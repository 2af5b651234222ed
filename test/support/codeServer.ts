// End-to-end harness: code-server (a real VS Code) with this extension, driven by Playwright in
// Chromium. Each call gets a fresh user-data-dir, so tests do not share state.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserUnavailableReason, launchChromium } from '../../scripts/browser';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/** Why the e2e tier cannot run here, or undefined when it can. */
export function e2eSkipReason(): string | undefined {
  return browserUnavailableReason();
}

interface CodeServerModule {
  launchCodeServer(options: {
    vsix: string;
    workspace?: string;
    settings?: Record<string, unknown>;
    theme?: string;
    log?: (line: string) => void;
  }): Promise<{ url: string; userDataDir: string; stop(): Promise<void> }>;
}

export interface Workbench {
  page: Page;
  url: string;
  userDataDir: string;
  /** Saves test-results/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  settings?: Record<string, unknown>;
  workspace?: string;
  theme?: string;
}

let packedVsix: string | undefined;

/**
 * The .vsix every workbench installs: the one `npm test` packed for this run (DPS_TEST_VSIX), or, when a
 * file runs on its own, one packed here once per process (a lock keeps parallel files apart).
 */
function testVsix(): string {
  const fromRun = process.env.DPS_TEST_VSIX;
  if (fromRun && existsSync(fromRun)) return fromRun;
  if (packedVsix) return packedVsix;
  const out = path.join(repoRoot, '.cache', 'test', `dps-enrollments-${process.pid}.vsix`);
  const script = path.join(repoRoot, 'scripts', 'package.mjs');
  const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const args = [script, '--out', out];
  if (hasFlock) execFileSync('flock', [path.join(tmpdir(), 'dps-enrollments-package.lock'), process.execPath, ...args], { cwd: repoRoot, stdio: 'ignore' });
  else execFileSync(process.execPath, args, { cwd: repoRoot, stdio: 'ignore' });
  packedVsix = out;
  return out;
}

/** Starts code-server with the packed extension installed and opens the workbench in Chromium. */
export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const vsix = testVsix();
  const scriptUrl = path.join(repoRoot, 'scripts', 'code-server.mjs');
  const mod = (await import(scriptUrl)) as CodeServerModule;
  // Outside the repository, so the git extension does not offer to open the parent repository.
  const workspace = options.workspace ?? mkdtempSync(path.join(tmpdir(), 'dps-e2e-workspace-'));
  mkdirSync(workspace, { recursive: true });
  const server = await mod.launchCodeServer({
    vsix,
    workspace,
    settings: {
      'security.workspace.trust.enabled': false,
      'window.dialogStyle': 'custom',
      'git.openRepositoryInParentFolders': 'never',
      'workbench.tips.enabled': false,
      ...options.settings,
    },
    ...(options.theme ? { theme: options.theme } : {}),
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    // Generous: on a loaded machine (2 cores shared by several test runs) the first load takes long.
    await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    mkdirSync(screenshotDir, { recursive: true });
    const b = browser;
    return {
      page,
      url: server.url,
      userDataDir: server.userDataDir,
      screenshot: async (name) => {
        const file = path.join(screenshotDir, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      close: async () => {
        await b.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

/** Opens the DPS Enrollments view container from the activity bar. */
export async function openDpsView(page: Page): Promise<Locator> {
  const entry = page.locator('.activitybar .action-item a[aria-label^="DPS Enrollments"]');
  // The entry appears once the extension host has read the installed .vsix: slow on a loaded 2-core runner.
  await entry.waitFor({ timeout: 90_000 });
  const view = page.locator('.pane-body').filter({ has: page.locator('[id="workbench.view.extension.dpsEnrollments"], .monaco-list, .welcome-view') });
  const alreadyOpen = await page.locator('.sidebar .title-label h2', { hasText: /DPS Enrollments/i }).isVisible().catch(() => false);
  if (!alreadyOpen) await entry.click();
  await page.locator('.sidebar .title-label h2', { hasText: /DPS Enrollments/i }).waitFor({ timeout: 30_000 });
  return view;
}

/** Runs a command from the palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/**
 * Types into the open input box and presses Enter. `prompt` is text of that box (its prompt or
 * title): without it a quick second box could receive the text meant for the first.
 */
export async function answerInput(page: Page, text: string, prompt?: string): Promise<void> {
  if (prompt) await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ state: 'visible', timeout: 30_000 });
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/** Picks an item by its label in the open quick pick whose placeholder starts with `placeholder`. */
export async function pickQuickPickItem(page: Page, label: string, placeholder: string): Promise<void> {
  const widget = page.locator('.quick-input-widget', { has: page.locator(`input[placeholder^="${placeholder}"]`) });
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('.monaco-list-row', { hasText: label }).first().click();
}

/** The row of the DPS tree labelled `label` (its accessible name is the label, then details after a comma). */
export function treeRow(page: Page, label: string): Locator {
  const quoted = label.replace(/"/g, '\\"');
  return page.locator(`.sidebar .monaco-list-row[aria-label="${quoted}"], .sidebar .monaco-list-row[aria-label^="${quoted}, "]`).first();
}

/** Moves the pointer off the tree first: a hover tooltip of another row can cover the target. */
async function clearHover(page: Page): Promise<void> {
  await page.mouse.move(900, 600);
  await page.locator('.monaco-hover, .workbench-hover-container').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
}

/** Clicks the tree row labelled `label`. */
export async function clickRow(page: Page, label: string): Promise<void> {
  await clearHover(page);
  await treeRow(page, label).click();
}

/** Right-clicks a tree row and chooses a context-menu entry. */
export async function contextMenu(page: Page, row: Locator, entry: string): Promise<void> {
  await clearHover(page);
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .action-menu-item', { hasText: entry }).first();
  await item.waitFor({ timeout: 10_000 });
  // The menu ignores a click that comes while it is still opening; hover first, then click.
  await item.hover();
  await page.waitForTimeout(200);
  await item.click();
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 5000 }).catch(async () => {
    await item.click();
  });
}

/** Clicks a button of the modal dialog (custom dialog style). */
export async function dialogButton(page: Page, label: string): Promise<void> {
  const button = page.locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons .monaco-button', { hasText: label }).first();
  await button.waitFor({ timeout: 15_000 });
  await button.click();
}

/** The text of the visible notifications (toasts). */
export async function notificationsText(page: Page): Promise<string> {
  return (await page.locator('.notifications-toasts .notification-toast').allInnerTexts()).join('\n');
}

/** A visible toast whose text matches, with one of its buttons clicked. */
export async function clickNotificationButton(page: Page, text: RegExp | string, button: string): Promise<void> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout: 30_000 });
  await toast.locator('.monaco-button', { hasText: button }).first().click();
}

/**
 * Adds a DPS connection through the UI: palette command, connection string, name, and (for the
 * emulator's self-signed certificate) the CA file picked in VS Code's file dialog.
 */
export async function addConnectionThroughUi(page: Page, connectionString: string, name: string, caCertificatePath?: string, apiVersion = '2021-10-01'): Promise<void> {
  try {
    await addConnectionSteps(page, connectionString, name, caCertificatePath, apiVersion);
  } catch (error) {
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'failure-add-connection.png') });
    throw error;
  }
}

async function addConnectionSteps(page: Page, connectionString: string, name: string, caCertificatePath: string | undefined, apiVersion: string): Promise<void> {
  await runCommand(page, 'DPS: Add Connection…');
  await answerInput(page, connectionString, 'SharedAccessKeyName=<policy>');
  await answerInput(page, name, 'A name for this connection');
  await pickQuickPickItem(page, apiVersion, 'Service API version');
  if (caCertificatePath) {
    await clickNotificationButton(page, /not trusted/, 'Select CA File…');
    await pickFileInDialog(page, caCertificatePath);
  }
  try {
    await treeRow(page, name).waitFor({ timeout: 30_000 });
  } catch (error) {
    // Say what the workbench showed instead (an error toast, a dialog left open), not only the wait.
    throw new Error(`The connection "${name}" did not appear in the tree. ${await workbenchState(page)}`, { cause: error });
  }
}

/** The visible toasts and quick input of the workbench, for a failure message. */
export async function workbenchState(page: Page): Promise<string> {
  const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
  const quickInput = page.locator('.quick-input-widget');
  const inputShown = await quickInput.isVisible().catch(() => false);
  const inputValue = inputShown ? await quickInput.locator('input.input').inputValue().catch(() => '?') : '';
  return `Toasts: ${toasts.length ? toasts.map((t) => JSON.stringify(t.replace(/\s+/g, ' ').trim())).join('; ') : 'none'}. Quick input: ${inputShown ? `open with ${JSON.stringify(inputValue)}` : 'closed'}.`;
}

/**
 * code-server has no native file dialog: its dialog is a quick input pre-filled with a folder. Wait
 * for that value (typing earlier gets prefixed with it), then replace it with the full path.
 */
export async function pickFileInDialog(page: Page, filePath: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  // A string: this project compiles without DOM types; the function runs in the page.
  await page.waitForFunction(`document.querySelector('.quick-input-widget input.input')?.value.startsWith('/')`);
  // The dialog may set its own value once more after opening: fill until our path stays.
  for (let attempt = 0; attempt < 10; attempt++) {
    await input.fill(filePath);
    await page.waitForTimeout(400);
    if ((await input.inputValue()) === filePath) break;
  }
  await page.keyboard.press('Enter');
  // Accepted when the dialog closes or moves on to the next question; when it still shows our path
  // the Enter was lost (a busy workbench), so press it once more.
  await page.waitForTimeout(1500);
  const stillOurs = await input.isVisible().then(async (shown) => shown && (await input.inputValue()) === filePath).catch(() => false);
  if (stillOurs) await input.press('Enter', { timeout: 2000 }).catch(() => undefined);
}

/** Puts the workbench back to a neutral state between tests: no quick input, menus, toasts or editors. */
export async function resetWorkbench(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Close All Editors');
  // A modal "save changes?" dialog would block; documents left dirty by a test are discarded.
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
  if (await dontSave.isVisible({ timeout: 1000 }).catch(() => false)) await dontSave.click();
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  await page.mouse.move(900, 600);
}
