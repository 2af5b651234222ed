// The .vsix allow-list: what `npm run package` checks after packing, against the real .vscodeignore.
// The listing below is what vsce packed from this repository (printed by scripts/package.mjs).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const vscodeignore = readFileSync(path.resolve(__dirname, '..', '..', '..', '.vscodeignore'), 'utf8');
const PACKED = [
  '[Content_Types].xml', 'extension.vsixmanifest', 'extension/',
  'extension/changelog.md', 'extension/LICENSE.txt', 'extension/readme.md', 'extension/package.json',
  'extension/dist/emulator.js', 'extension/dist/extension.js',
  'extension/media/form.css', 'extension/media/icon.png', 'extension/media/jobs.css',
  'extension/media/dist/form.js', 'extension/media/dist/jobs.js', 'extension/media/icons/dps.svg',
  'extension/media/schemas/dps-desired-state.schema.json', 'extension/media/schemas/enrollmentGroup.schema.json',
  'extension/media/schemas/individualEnrollment.schema.json',
];

async function contents() {
  return import('../../../scripts/vsixContents.mjs');
}

void describe('.vsix allow-list', () => {
  void test('the allow-list is the "!" lines of .vscodeignore, after "**"', async () => {
    const { allowedPatterns } = await contents();
    const patterns = allowedPatterns(vscodeignore);
    assert.ok(vscodeignore.split('\n').some((line) => line.trim() === '**'), '.vscodeignore starts by excluding everything');
    assert.ok(patterns.includes('dist/extension.js') && patterns.includes('media/schemas/**'));
    assert.ok(!patterns.some((p) => p.startsWith('src') || p.includes('test')), 'no source or test folder is allowed');
  });

  void test('the package as vsce packs it passes: renamed documents and the zip bookkeeping included', async () => {
    const { allowedPatterns, checkVsixEntries } = await contents();
    assert.deepEqual(checkVsixEntries(PACKED, allowedPatterns(vscodeignore)), { unexpected: [], missing: [] });
  });

  void test('a stray file is named, even inside an allowed folder; a missing bundle is named too', async () => {
    const { allowedPatterns, assertVsixMatchesAllowList, checkVsixEntries } = await contents();
    const patterns = allowedPatterns(vscodeignore);
    const stray = [...PACKED, 'extension/dist/extension.js.map', 'extension/media/dist/form.js.map', 'extension/test/fixtures/device.key', 'extension/media/icons/sub/x.svg'];
    assert.deepEqual(checkVsixEntries(stray, patterns).unexpected, ['extension/dist/extension.js.map', 'extension/media/dist/form.js.map', 'extension/test/fixtures/device.key']);
    const withoutEmulator = PACKED.filter((name) => name !== 'extension/dist/emulator.js');
    assert.deepEqual(checkVsixEntries(withoutEmulator, patterns), { unexpected: [], missing: ['dist/emulator.js'] });
    assert.throws(() => assertVsixMatchesAllowList([...PACKED, 'extension/dist/extension.js.map'], vscodeignore, 'x.vsix'),
      /^Error: x\.vsix is not what the allow-list says: it holds files \.vscodeignore does not allow: extension\/dist\/extension\.js\.map\. Remove them from the build output, or add a "!path" line/);
    assert.throws(() => assertVsixMatchesAllowList(withoutEmulator, vscodeignore, 'x.vsix'), /nothing in it matches these \.vscodeignore lines: !dist\/emulator\.js\. Check that the build produced them/);
  });
});
