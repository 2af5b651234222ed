// JSON input for bulk jobs: a plain array of enrollments (or groups), or an export document. Each
// entry is validated on its own so one bad item is one invalid row, not a rejected file.
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';
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
 * Rows for one kind of item from a JSON file. An array is read as items of `kind`; an export
 * document gives both kinds, and the caller picks (see parseJsonSources).
 */
export function parseJsonSource(text: string, kind: ItemKind, options: JsonSourceOptions): SourceResult {
  const sources = parseJsonSources(text, options, kind);
  const found = sources.find((s) => s.kind === kind);
  if (found === undefined) throw new BulkSourceError(`${options.fileName ?? 'The file'} holds no ${ITEM_KIND_FACTS[kind].plural}.`);
  return found;
}

/**
 * Every non-empty list a JSON file holds: for an export document its enrollments, then its groups.
 * A plain array is taken as `arrayTarget`, or guessed from its first item's id field.
 */
export function parseJsonSources(text: string, options: JsonSourceOptions, arrayTarget?: ItemKind): SourceResult[] {
  const name = options.fileName ?? 'The file';
  const value = parseJsonText(text, name);
  const rowsOf = (items: unknown[], kind: ItemKind): SourceResult => ({
    kind,
    description: name,
    rows: items.map((item, i) => validateItem(item, kind, options.mode, `item ${i + 1}`, options.now)),
  });
  if (isExportDocumentShape(value)) {
    const envelope = readExportEnvelope(value, name);
    const results: SourceResult[] = [];
    if (envelope.enrollments.length > 0) results.push(rowsOf(envelope.enrollments, 'enrollment'));
    if (envelope.enrollmentGroups.length > 0) results.push(rowsOf(envelope.enrollmentGroups, 'group'));
    return results;
  }
  if (!Array.isArray(value)) {
    throw new BulkSourceError(`${name} must hold a JSON array of enrollments or enrollment groups, or an export document.`);
  }
  if (value.length === 0) return [];
  const first = value[0] as Record<string, unknown> | null;
  const guessed: ItemKind = typeof first === 'object' && first !== null && 'enrollmentGroupId' in first ? 'group' : 'enrollment';
  return [rowsOf(value, arrayTarget ?? guessed)];
}
