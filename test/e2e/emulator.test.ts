// End to end in code-server, light theme: "Start Local Emulator" from the welcome view runs the
// bundled emulator as a child process of the extension and adds its connection with demo data.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerInput, clickRow, contextMenu, e2eSkipReason, openDpsView, openWorkbench, runCommand, treeRow, type Workbench } from '../support/codeServer';

const skip = e2eSkipReason();

void describe('local emulator started by the extension', { skip, timeout: 600_000 }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ theme: 'Default Light Modern' });
    await openDpsView(wb.page);
  });
  afterEach(async (t) => {
    await wb.screenshot(`emulator-last-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await wb?.close();
  });

  void test('the welcome view starts the emulator; its connection and demo data appear', async () => {
    const { page } = wb;
    await page.locator('.welcome-view-content', { hasText: 'No DPS connection yet' }).waitFor();
    await wb.screenshot('emulator-1-welcome-light');
    await page.locator('.welcome-view-content .monaco-button', { hasText: 'Start Local Emulator' }).click();
    await treeRow(page, 'Local emulator').waitFor({ timeout: 60_000 });
    const description = (await treeRow(page, 'Local emulator').getAttribute('aria-label')) ?? '';
    assert.match(description, /localhost:\d+ · provisioningserviceowner/);
    assert.doesNotMatch(description, /SharedAccessKey/);
    // Demo data: several enrollments and groups, one of them disabled.
    await page.locator('.sidebar .monaco-list-row[aria-label*="individual enrollment"]').first().waitFor({ timeout: 30_000 });
    await page.locator('.sidebar .monaco-list-row[aria-label*="enrollment group"]').first().waitFor({ timeout: 30_000 });
    await page.locator('.sidebar .monaco-list-row[aria-label*=", disabled"]').first().waitFor({ timeout: 30_000 });
    await wb.screenshot('emulator-2-demo-data-light');
  });

  void test('a symmetric-key group offers its keys; the keys picker shows them for copying', async () => {
    const { page } = wb;
    const groupRow = page.locator('.sidebar .monaco-list-row[aria-label*="enrollment group, symmetricKey, enabled"]').first();
    await groupRow.waitFor({ timeout: 30_000 });
    const label = ((await groupRow.getAttribute('aria-label')) ?? '').split(',')[0] ?? '';
    await contextMenu(page, treeRow(page, label), 'Show Symmetric Keys…');
    const picker = page.locator('.quick-input-widget', { hasText: `Symmetric keys of ${label}` });
    await picker.waitFor({ timeout: 30_000 });
    assert.equal(await picker.locator('.monaco-list-row').count(), 2);
    await page.keyboard.press('Escape');
    await clickRow(page, label);
  });

  void test('the filter narrows what is loaded (status, id prefix) and clears again', async () => {
    const { page } = wb;
    await page.keyboard.press('Escape');
    const disabledRow = page.locator('.sidebar .monaco-list-row[aria-label*="individual enrollment"][aria-label*=", disabled"]').first();
    const enabledRow = page.locator('.sidebar .monaco-list-row[aria-label*="individual enrollment"][aria-label*=", enabled"]').first();
    await enabledRow.waitFor({ timeout: 30_000 });
    await runCommand(page, 'DPS: Filter…');
    await answerInput(page, '', 'Show ids starting with');
    await page.locator('.quick-input-widget', { hasText: 'Filter Enrollments (2/2)' }).waitFor();
    // In a multi-select picker a click on the row toggles it; OK accepts.
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Disabled only' }).locator('.label-name', { hasText: 'Disabled only' }).click();
    await page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    await enabledRow.waitFor({ state: 'detached', timeout: 15_000 });
    await disabledRow.waitFor();
    await wb.screenshot('emulator-3-filter-disabled-light');
    await runCommand(page, 'DPS: Clear Filter');
    await enabledRow.waitFor({ timeout: 15_000 });
  });
});
