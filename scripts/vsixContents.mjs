// What a packed .vsix may hold: exactly what .vscodeignore allows (its `!` lines), nothing else.
// vsce follows the allow-list, but a pattern such as `media/icons/**` lets in whatever lands in that
// folder; this check names any file the list does not, and any listed file that is missing.

/** vsce ships these under other names than the files it read. */
const VSCE_RENAMES = { 'readme.md': 'README.md', 'changelog.md': 'CHANGELOG.md', 'LICENSE.txt': 'LICENSE' };
/** The package's own bookkeeping, outside `extension/`. */
const VSIX_BOOKKEEPING = ['[Content_Types].xml', 'extension.vsixmanifest'];

/** The allowed patterns of a .vscodeignore written as an allow-list (`**` first, then `!path` lines). */
export function allowedPatterns(vscodeignore) {
  return vscodeignore
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));
}

/** `**` is any path, `*` any name within one folder; everything else is literal. */
function patternRegExp(pattern) {
  const source = pattern
    .split('**')
    .map((part) => part.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * Compares a .vsix's entry names with the allow-list: `unexpected` are files no pattern names,
 * `missing` are patterns no file matches (a bundle the build did not produce, say).
 */
export function checkVsixEntries(entries, patterns) {
  const files = entries.filter((name) => !name.endsWith('/'));
  const matchers = patterns.map((pattern) => ({ pattern, regExp: patternRegExp(pattern) }));
  const matched = new Set();
  const unexpected = [];
  for (const name of files) {
    if (VSIX_BOOKKEEPING.includes(name)) continue;
    const shipped = name.startsWith('extension/') ? name.slice('extension/'.length) : undefined;
    const source = shipped === undefined ? undefined : (VSCE_RENAMES[shipped] ?? shipped);
    const hit = source === undefined ? undefined : matchers.find((m) => m.regExp.test(source));
    if (hit) matched.add(hit.pattern);
    else unexpected.push(name);
  }
  const missing = patterns.filter((pattern) => !matched.has(pattern));
  return { unexpected, missing };
}

/** Throws with what to do when the .vsix holds more, or less, than the allow-list says. */
export function assertVsixMatchesAllowList(entries, vscodeignore, vsixName) {
  const { unexpected, missing } = checkVsixEntries(entries, allowedPatterns(vscodeignore));
  const problems = [];
  if (unexpected.length > 0) {
    problems.push(`it holds files .vscodeignore does not allow: ${unexpected.join(', ')}. Remove them from the build output, or add a "!path" line to .vscodeignore if they are meant to ship.`);
  }
  if (missing.length > 0) {
    problems.push(`nothing in it matches these .vscodeignore lines: ${missing.map((p) => `!${p}`).join(', ')}. Check that the build produced them, or drop the lines.`);
  }
  if (problems.length > 0) throw new Error(`${vsixName} is not what the allow-list says: ${problems.join(' Also, ')}`);
}
