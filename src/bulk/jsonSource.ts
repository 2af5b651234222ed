// JSON input for bulk jobs: a plain array of enrollments (or groups), or an export document. Each
// entry is validated on its own so one bad item is one invalid row, not a rejected file.
import type { BulkTarget } from '../dps/bulk';
import type { BulkMode } from '../dps/models';
import { isExportDocumentShape, readExportEnvelope } from './exportFormat';
import { BulkSourceError, type SourceResult } from './rows';
import { validateItem } from './validateItem';

export interface JsonSourceOptions {
  mode: BulkMode;
  fileName?: string;
  now?: Date;
}

function parseJsonText(text: string, name: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body) as unknown;
  } catch (error: unknown) {
    // V8's message can quote a stretch of the input, which may be a key: report the place only.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    const where = position !== null ? ` at ${lineAndColumn(body, Number(position[1]))}` : '';
    throw new BulkSourceError(`${name} is not valid JSON${where}. Check for a missing comma, quote or bracket.`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Rows for one target from a JSON file. An array is read as items of `target`; an export
 * document gives both kinds, and the caller picks (see parseJsonSources).
 */
export function parseJsonSource(text: string, target: BulkTarget, options: JsonSourceOptions): SourceResult {
  const sources = parseJsonSources(text, options, target);
  const found = sources.find((s) => s.target === target);
  if (found === undefined) throw new BulkSourceError(`${options.fileName ?? 'The file'} holds no ${target === 'enrollments' ? 'individual enrollments' : 'enrollment groups'}.`);
  return found;
}

/**
 * Every non-empty list a JSON file holds: for an export document its enrollments, then its groups.
 * A plain array is taken as `arrayTarget`, or guessed from its first item's id field.
 */
export function parseJsonSources(text: string, options: JsonSourceOptions, arrayTarget?: BulkTarget): SourceResult[] {
  const name = options.fileName ?? 'The file';
  const value = parseJsonText(text, name);
  const rowsOf = (items: unknown[], target: BulkTarget): SourceResult => ({
    target,
    description: name,
    rows: items.map((item, i) => validateItem(item, target, options.mode, `item ${i + 1}`, options.now)),
  });
  if (isExportDocumentShape(value)) {
    const envelope = readExportEnvelope(value, name);
    const results: SourceResult[] = [];
    if (envelope.enrollments.length > 0) results.push(rowsOf(envelope.enrollments, 'enrollments'));
    if (envelope.enrollmentGroups.length > 0) results.push(rowsOf(envelope.enrollmentGroups, 'enrollmentGroups'));
    return results;
  }
  if (!Array.isArray(value)) {
    throw new BulkSourceError(`${name} must hold a JSON array of enrollments or enrollment groups, or an export document.`);
  }
  if (value.length === 0) return [];
  const first = value[0] as Record<string, unknown> | null;
  const guessed: BulkTarget = typeof first === 'object' && first !== null && 'enrollmentGroupId' in first ? 'enrollmentGroups' : 'enrollments';
  return [rowsOf(value, arrayTarget ?? guessed)];
}
