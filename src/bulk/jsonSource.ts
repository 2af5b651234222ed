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

/** Takes each row as it is read; a returned promise holds the reading until it settles. */
export type RowSink = (row: SourceRow, kind: ItemKind, index: number) => void | Promise<void>;

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
    /** Takes each row as it is read instead of the collector keeping it (a streamed import). */
    private readonly onRow?: RowSink,
  ) {}

  /** A promise when the row sink wants the reading to wait (it is sending what it gathered). */
  add(event: JsonStreamEvent): void | Promise<void> {
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
    const row = validateItem(event.value, kind, this.options.mode, jsonItemOrigin(event.index), this.options.now);
    if (this.onRow !== undefined) return this.onRow(row, kind, event.index);
    const list = this.rows.get(kind) ?? [];
    list.push(row);
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
    for (const event of jsonEventsOfText(text)) void collector.add(event);
  } catch (error: unknown) {
    throw syntaxError(error, name);
  }
  return collector.finish();
}

/** Where an item of a JSON array came from, by its index in the array: "item 7". */
export function jsonItemOrigin(index: number): string {
  return `item ${index + 1}`;
}

/** The index jsonItemOrigin was given, or undefined for another origin (a report read back names rows by origin). */
export function jsonItemIndex(origin: string): number | undefined {
  const match = /^item ([1-9][0-9]{0,9})$/.exec(origin);
  const index = match === null ? undefined : Number(match[1]) - 1;
  return index !== undefined && index < 2 ** 31 ? index : undefined;
}

/** As parseJsonSources, reading the file as it comes (an export of a million items is never held as text). */
export async function readJsonSourcesFromFile(path: string, options: JsonSourceOptions, arrayTarget?: ItemKind): Promise<SourceResult[]> {
  const collector = new SourceCollector(options.fileName ?? 'The file', options, arrayTarget);
  await readInto(collector, path, options);
  return collector.finish();
}

/**
 * Hands each row of a JSON file to `onRow` as it is read, keeping none (a job over a million rows):
 * the same rows, in the same order, as readJsonSourcesFromFile gives. The envelope of an export
 * document is checked when the file ends, so a caller acts on the rows only after this resolves.
 */
export async function forEachJsonRowOfFile(
  path: string,
  options: JsonSourceOptions,
  onRow: RowSink,
  arrayTarget?: ItemKind,
): Promise<void> {
  const collector = new SourceCollector(options.fileName ?? 'The file', options, arrayTarget, onRow);
  await readInto(collector, path, options);
  collector.finish();
}

async function readInto(collector: SourceCollector, path: string, options: JsonSourceOptions): Promise<void> {
  const name = options.fileName ?? 'The file';
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 16384 });
  // A failure of the row sink (the job it runs) is its own, not a file that could not be read.
  let sinkFailure: { error: unknown } | undefined;
  try {
    for await (const event of jsonEventsOfChunks(stream as AsyncIterable<string>)) {
      const wait = collector.add(event);
      if (wait !== undefined) {
        await wait.catch((error: unknown) => {
          sinkFailure = { error };
          throw error;
        });
      }
    }
  } catch (error: unknown) {
    if (sinkFailure !== undefined) throw sinkFailure.error;
    if (typeof error === 'object' && error !== null && 'code' in error && !(error instanceof BulkSourceError)) {
      throw new BulkSourceError(`${name} could not be read.`);
    }
    throw syntaxError(error, name);
  } finally {
    stream.destroy();
  }
}
