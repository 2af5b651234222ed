// The manifest and the code agree: every declared command is registered and every registered
// command is declared; menus use only declared commands and known contextValue tokens.
import '../../support/vscodeStubInstall';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { recorder, resetRecorder } from '../../support/vscodeStub';
import { registerCommands } from '../../../src/commands/commandTable';
import { commandIds } from '../../../src/commands/commandIds';
import { contextTokens } from '../../../src/tree/contextValues';
import type { CommandContext } from '../../../src/commands/commandContext';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; icon?: string }>;
    menus: Record<string, MenuEntry[]>;
    viewsWelcome: Array<{ contents: string }>;
  };
  capabilities: { untrustedWorkspaces: { supported: unknown } };
}
const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const declared = manifest.contributes.commands.map((c) => c.command);

void describe('command table and manifest', () => {
  void test('every command in package.json is registered, and every registered command is declared', () => {
    resetRecorder();
    registerCommands({} as CommandContext);
    const registered = [...recorder.registeredCommands].sort();
    assert.equal(new Set(registered).size, registered.length, 'no command registered twice');
    assert.deepEqual(registered, [...declared].sort());
    assert.deepEqual([...commandIds].sort(), [...declared].sort());
  });

  void test('menus refer only to declared commands; node-only commands are hidden from the palette', () => {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const e of entries) assert.ok(declared.includes(e.command), `${menu}: ${e.command} is not declared`);
    }
    const hidden = manifest.contributes.menus.commandPalette?.filter((e) => e.when === 'false').map((e) => e.command) ?? [];
    for (const id of ['dpsEnrollments.loadMore', 'dpsEnrollments.retry', 'dpsEnrollments.refreshNode']) assert.ok(hidden.includes(id), id);
  });

  void test('viewItem conditions match single known tokens with the token regex', () => {
    const known = new Set<string>(contextTokens);
    const whens = Object.values(manifest.contributes.menus).flat().map((e) => e.when ?? '');
    let checked = 0;
    for (const when of whens) {
      for (const match of when.matchAll(/viewItem =~ \/\(\^\|;\)\(?([A-Za-z|]+)\)?\(;\|\$\)\//g)) {
        for (const token of (match[1] ?? '').split('|')) {
          assert.ok(known.has(token), `unknown contextValue token "${token}" in: ${when}`);
          checked++;
        }
      }
      assert.doesNotMatch(when, /viewItem ==/, `match tokens by regex, not equality: ${when}`);
    }
    assert.ok(checked > 10);
  });

  void test('inline item actions have icons; activation is implicit; untrusted workspaces are declared', () => {
    const inline = manifest.contributes.menus['view/item/context']?.filter((e) => e.group?.startsWith('inline')) ?? [];
    for (const e of inline) {
      assert.match(manifest.contributes.commands.find((c) => c.command === e.command)?.icon ?? '', /^\$\([a-z-]+\)$/, e.command);
    }
    assert.deepEqual(manifest.activationEvents, []);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    const welcome = manifest.contributes.viewsWelcome.map((w) => w.contents).join('\n');
    assert.match(welcome, /command:dpsEnrollments\.addConnection/);
    assert.match(welcome, /command:dpsEnrollments\.startEmulator/);
  });
});
