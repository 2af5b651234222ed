// Types of vsixContents.mjs for the TypeScript tests.
export function allowedPatterns(vscodeignore: string): string[];
export function checkVsixEntries(entries: readonly string[], patterns: readonly string[]): { unexpected: string[]; missing: string[] };
export function assertVsixMatchesAllowList(entries: readonly string[], vscodeignore: string, vsixName: string): void;
