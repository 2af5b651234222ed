import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MACHINE_ONLY_SETTINGS, MAX_BULK_OPERATIONS_PER_MINUTE, readSettings, settingDefaults, SETTINGS_SECTION, type SettingKey } from '../../../src/common/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown; scope?: string; minimum?: number; maximum?: number }> } };
};

void describe('settings', () => {
  void test('package.json declares exactly the typed settings, with the same defaults', () => {
    const declared = manifest.contributes.configuration.properties;
    const expected = Object.keys(settingDefaults).map((k) => `${SETTINGS_SECTION}.${k}`).sort();
    assert.deepEqual(Object.keys(declared).sort(), expected);
    for (const [key, value] of Object.entries(settingDefaults)) {
      assert.deepEqual(declared[`${SETTINGS_SECTION}.${key}`]?.default, value, key);
    }
  });

  void test('unset settings read as defaults', () => {
    const s = readSettings(() => undefined);
    assert.equal(s.pageSize, 50);
    assert.equal(s.emulatorAutoStart, false);
    assert.equal(s.requestTimeoutSeconds, 30);
  });

  void test('values out of range or of the wrong type fall back to the default', () => {
    const values: Partial<Record<SettingKey, unknown>> = { pageSize: 500, requestTimeoutSeconds: 'soon', 'emulator.autoStart': 'yes', 'emulator.port': -1 };
    const s = readSettings((k) => values[k]);
    assert.equal(s.pageSize, 50);
    assert.equal(s.requestTimeoutSeconds, 30);
    assert.equal(s.emulatorAutoStart, false);
    assert.equal(s.emulatorPort, 0);
  });

  void test('valid values are used', () => {
    const values: Partial<Record<SettingKey, unknown>> = { pageSize: 5, 'emulator.autoStart': true, 'emulator.port': 8443 };
    const s = readSettings((k) => values[k]);
    assert.equal(s.pageSize, 5);
    assert.equal(s.emulatorAutoStart, true);
    assert.equal(s.emulatorPort, 8443);
  });

  void test('settings that start processes or set the load on an instance cannot be set by a workspace', () => {
    const declared = manifest.contributes.configuration.properties;
    // VS Code ignores machine and application settings in workspace and folder settings.
    const notByWorkspace = new Set(['machine', 'application']);
    for (const key of MACHINE_ONLY_SETTINGS) {
      const scope = declared[`${SETTINGS_SECTION}.${key}`]?.scope;
      assert.ok(scope !== undefined && notByWorkspace.has(scope), `${key} has scope ${String(scope)}`);
    }
    // Every other setting is a harmless view preference; a new one must be classified here on purpose.
    const workspaceSettable = Object.entries(declared)
      .filter(([, d]) => d.scope === undefined || !notByWorkspace.has(d.scope))
      .map(([k]) => k)
      .sort();
    assert.deepEqual(workspaceSettable, [`${SETTINGS_SECTION}.pageSize`, `${SETTINGS_SECTION}.requestTimeoutSeconds`]);
  });

  void test('the bulk budget has a sane maximum, the same in package.json and the reader', () => {
    const declared = manifest.contributes.configuration.properties[`${SETTINGS_SECTION}.bulk.operationsPerMinute`];
    assert.equal(declared?.maximum, MAX_BULK_OPERATIONS_PER_MINUTE);
    assert.ok(MAX_BULK_OPERATIONS_PER_MINUTE <= 10_000);
    assert.equal(readSettings((k) => (k === 'bulk.operationsPerMinute' ? 100_000 : undefined)).bulkOperationsPerMinute, settingDefaults['bulk.operationsPerMinute']);
    assert.equal(readSettings((k) => (k === 'bulk.operationsPerMinute' ? 10_000 : undefined)).bulkOperationsPerMinute, 10_000);
  });
});
