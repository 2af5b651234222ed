// JSON input for bulk jobs: a plain array of enrollments (or groups), or an export document. The
// text is read as a stream of items (src/bulk/jsonStream.ts), each validated on its own as it
// comes, so one bad item is one invalid row and neither the text nor its parse tree is held whole.
import { createReadStream } from 'node:fs';
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';
import type { BulkMode } from '../dps/models';
import { EXPORT_FORMAT, EXPORT_VERSION } from './exportFormat';
import { jsonEventsOfChunks, jsonEventsOfText, JsonStreamError, type JsonStreamEvent } from './jsonStream';
import { BulkSourceError, type SourceResult, type SourceRow } from './rows';
import { validateItem } from './validateItem';

export interface JsonSourceOptions {
  mode: BulkMode;
  fileName?: string;
  now?: Date;
}

const EXPORT_ARRAYS: Record<string, ItemKind> = { enrollments: 'enrollment', enrollmentGroups: 'group' };

/** Gathers rows from the reader's events; the envelope is checked when the document ends. */
class SourceCollector {
  private rootIsArray = false;
  private readonly fields = new Map<string, unknown>();
  private readonly rows = new Map<ItemKind, SourceRow[]>();
  private arrayKind: ItemKind | undefined;

  constructor(
    private readonly name: string,
    private readonly options: JsonSourceOptions,
    private readonly arrayTarget: ItemKind | undefined,
  ) {}

  add(event: JsonStreamEvent): void {
    if (event.type === 'field') {
      if (event.name in EXPORT_ARRAYS && event.value !== null) throw new BulkSourceError(`${this.name}: "${event.name}" must be an array.`);
      this.fields.set(event.name, event.value);
      return;
    }
    if (event.type === 'arrayStart') {
      if (event.array === null) this.rootIsArray = true;
      return;
    }
    const kind = event.array === null ? this.rootKind(event.value) : EXPORT_ARRAYS[event.array];
    if (kind === undefined) return; // an array this version does not know: ignored, like unknown fields
    const list = this.rows.get(kind) ?? [];
    list.push(validateItem(event.value, kind, this.options.mode, `item ${event.index + 1}`, this.options.now));
    this.rows.set(kind, list);
  }

  /** A plain array is taken as the caller's kind, or guessed from its first item's id field. */
  private rootKind(first: unknown): ItemKind {
    this.arrayKind ??= this.arrayTarget ?? (typeof first === 'object' && first !== null && 'enrollmentGroupId' in first ? 'group' : 'enrollment');
    return this.arrayKind;
  }

  finish(): SourceResult[] {
    if (!this.rootIsArray) {
      if (this.fields.get('format') !== EXPORT_FORMAT) {
        throw new BulkSourceError(`${this.name} must hold a JSON array of enrollments or enrollment groups, or an export document.`);
      }
      const version = this.fields.get('version');
      if (version !== EXPORT_VERSION) {
        throw new BulkSourceError(`${this.name} is export version ${JSON.stringify(version)}; this version of the extension reads version ${EXPORT_VERSION}. Update the extension.`);
      }
    }
    const results: SourceResult[] = [];
    for (const kind of ['enrollment', 'group'] as const) {
      const rows = this.rows.get(kind);
      if (rows !== undefined && rows.length > 0) results.push({ kind, rows, description: this.name });
    }
    return results;
  }
}

function syntaxError(error: unknown, name: string): unknown {
  // The place only: the text around an error may be a key.
  if (error instanceof JsonStreamError) return new BulkSourceError(`${name} is not valid JSON at line ${error.line}. Check for a missing comma, quote or bracket.`);
  return error;
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
 * Every non-empty list a JSON text holds: for an export document its enrollments, then its groups.
 * A plain array is taken as `arrayTarget`, or guessed from its first item's id field.
 */
export function parseJsonSources(text: string, options: JsonSourceOptions, arrayTarget?: ItemKind): SourceResult[] {
  const name = options.fileName ?? 'The file';
  const collector = new SourceCollector(name, options, arrayTarget);
  try {
    for (const event of jsonEventsOfText(text)) collector.add(event);
  } catch (error: unknown) {
    throw syntaxError(error, name);
  }
  return collector.finish();
}

/** As parseJsonSources, reading the file as it comes (an export of a million items is never held as text). */
export async function readJsonSourcesFromFile(path: string, options: JsonSourceOptions, arrayTarget?: ItemKind): Promise<SourceResult[]> {
  const name = options.fileName ?? 'The file';
  const collector = new SourceCollector(name, options, arrayTarget);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const event of jsonEventsOfChunks(stream as AsyncIterable<string>)) collector.add(event);
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && 'code' in error && !(error instanceof BulkSourceError)) {
      throw new BulkSourceError(`${name} could not be read.`);
    }
    throw syntaxError(error, name);
  } finally {
    stream.destroy();
  }
  return collector.finish();
}
