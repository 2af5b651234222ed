// Registration id range patterns: "dev-{0001..0500}" expands to dev-0001 ... dev-0500. A range
// whose start has leading zeros keeps that width, so factory lists sort the same as the devices.
// Several ranges in one pattern multiply; the total is capped so a typo cannot exhaust memory.

export const MAX_PATTERN_IDS = 100_000;

const RANGE = /\{(\d+)\.\.(\d+)\}/g;

export class IdPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdPatternError';
  }
}

interface Range {
  from: number;
  to: number;
  width: number;
}

/** True when the text holds at least one "{a..b}" range. */
export function isIdPattern(text: string): boolean {
  return /\{\d+\.\.\d+\}/.test(text);
}

/** Expands every "{a..b}" range (ascending or descending); text without ranges is returned as the only id. */
export function expandIdPattern(pattern: string, maxIds: number = MAX_PATTERN_IDS): string[] {
  const literals: string[] = [];
  const ranges: Range[] = [];
  let last = 0;
  for (const match of pattern.matchAll(RANGE)) {
    const start = match[1];
    const end = match[2];
    literals.push(pattern.slice(last, match.index));
    last = match.index + match[0].length;
    const from = Number(start);
    const to = Number(end);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      throw new IdPatternError(`The range "${match[0]}" in "${pattern}" has a number too large to count with.`);
    }
    // Zero padding on either bound fixes the width: {001..100} gives 001 ... 100.
    const padded = (start.length > 1 && start.startsWith('0')) || (end.length > 1 && end.startsWith('0'));
    ranges.push({ from, to, width: padded ? Math.max(start.length, end.length) : 0 });
  }
  literals.push(pattern.slice(last));
  const rest = literals.join('');
  if (/[{}]/.test(rest)) {
    throw new IdPatternError(`"${pattern}" has a brace that is not a range: write ranges as {first..last} with whole numbers, e.g. dev-{0001..0500}.`);
  }
  const total = ranges.reduce((n, r) => n * (Math.abs(r.to - r.from) + 1), 1);
  if (total > maxIds) {
    throw new IdPatternError(`"${pattern}" expands to ${total} ids; at most ${maxIds} are allowed at once. Split it into smaller ranges.`);
  }
  let ids = [literals[0]];
  ranges.forEach((range, i) => {
    const step = range.to >= range.from ? 1 : -1;
    const next: string[] = [];
    for (const prefix of ids) {
      for (let n = range.from; ; n += step) {
        next.push(prefix + String(n).padStart(range.width, '0') + literals[i + 1]);
        if (n === range.to) break;
      }
    }
    ids = next;
  });
  return ids;
}

/**
 * Registration ids from pasted or file text: one per line (commas also separate), blank lines and
 * "#" comments skipped, each entry may be a range pattern. Order is kept; repeats are reported.
 */
export function parseRegistrationIdList(text: string, maxIds: number = MAX_PATTERN_IDS): { ids: string[]; duplicates: string[] } {
  const ids: string[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const entries = text.replace(/^\uFEFF/, '').split(/\r?\n/).flatMap((line) => line.replace(/#.*$/, '').split(','));
  for (const entry of entries) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    for (const id of expandIdPattern(trimmed, maxIds - ids.length)) {
      // Registration ids are case-insensitive in DPS: "Dev-1" and "dev-1" are the same device.
      const key = id.toLowerCase();
      if (seen.has(key)) {
        duplicates.push(id);
        continue;
      }
      seen.add(key);
      ids.push(id);
    }
  }
  return { ids, duplicates };
}
