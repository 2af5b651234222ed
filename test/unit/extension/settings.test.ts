import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSettings, settingDefaults, SETTINGS_SECTION, type SettingKey } from '../../../src/common/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
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
});
