// A streaming reader for the shapes bulk sources take: a root array of items, or a root object
// (an export document) whose array members hold the items. Text is pushed in chunks; each array
// element and each other member is emitted as soon as it is complete (parsed with JSON.parse), so
// only one element is ever held as text. Errors name a line, never the text (it may hold a key).

export type JsonStreamEvent =
  /** A root-object member whose value is not an array. */
  | { type: 'field'; name: string; value: unknown }
  /** An element of a root-object array member (`array` = its name) or of the root array (`array` = null). */
  | { type: 'element'; array: string | null; index: number; value: unknown; line: number }
  /** A root-object member whose value is an array starts (so an empty one is still seen). */
  | { type: 'arrayStart'; array: string | null };

export class JsonStreamError extends Error {
  constructor(readonly line: number) {
    super(`not valid JSON at line ${line}`);
    this.name = 'JsonStreamError';
  }
}

type State =
  | 'start' | 'key' | 'keyOrEnd' | 'colon' | 'memberValue' | 'objCommaOrEnd'
  | 'elemOrEnd' | 'elem' | 'arrCommaOrEnd' | 'done';

interface Capture {
  start: number;
  scan: number;
  depth: number;
  inString: boolean;
  escape: boolean;
  kind: 'string' | 'nested' | 'scalar';
  line: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export class JsonStreamReader {
  private buf = '';
  private pos = 0;
  private line = 1;
  private state: State = 'start';
  private rootIsArray = false;
  private key = '';
  private arrayName: string | null = null;
  private index = 0;
  private capture: Capture | undefined;
  private captureFor: 'key' | 'field' | 'element' = 'field';

  push(chunk: string): JsonStreamEvent[] {
    this.buf += this.buf === '' && this.state === 'start' ? chunk.replace(/^\uFEFF/, '') : chunk;
    const events: JsonStreamEvent[] = [];
    this.run(events, false);
    this.compact();
    return events;
  }

  /** Ends the input; throws unless the document was complete. */
  end(): JsonStreamEvent[] {
    const events: JsonStreamEvent[] = [];
    this.run(events, true);
    this.skipWhitespace();
    if (this.state !== 'done' || this.pos < this.buf.length) throw new JsonStreamError(this.line);
    return events;
  }

  private run(events: JsonStreamEvent[], final: boolean): void {
    for (;;) {
      if (this.capture !== undefined) {
        const text = this.continueCapture(final);
        if (text === undefined) return;
        this.finishCapture(text, events);
        continue;
      }
      this.skipWhitespace();
      if (this.pos >= this.buf.length) return;
      const c = this.buf[this.pos];
      switch (this.state) {
        case 'start':
          if (c === '{') this.state = 'keyOrEnd';
          else if (c === '[') {
            this.rootIsArray = true;
            this.arrayName = null;
            this.state = 'elemOrEnd';
            events.push({ type: 'arrayStart', array: null });
          } else throw this.error();
          this.pos++;
          break;
        case 'keyOrEnd':
        case 'key':
          if (c === '}' && this.state === 'keyOrEnd') {
            this.pos++;
            this.state = 'done';
          } else if (c === '"') this.beginCapture('key');
          else throw this.error();
          break;
        case 'colon':
          if (c !== ':') throw this.error();
          this.pos++;
          this.state = 'memberValue';
          break;
        case 'memberValue':
          if (c === '[') {
            this.pos++;
            this.arrayName = this.key;
            this.index = 0;
            this.state = 'elemOrEnd';
            events.push({ type: 'arrayStart', array: this.key });
          } else this.beginCapture('field');
          break;
        case 'objCommaOrEnd':
          this.pos++;
          if (c === ',') this.state = 'key';
          else if (c === '}') this.state = 'done';
          else throw this.error();
          break;
        case 'elemOrEnd':
        case 'elem':
          if (c === ']' && this.state === 'elemOrEnd') {
            this.pos++;
            this.state = this.rootIsArray ? 'done' : 'objCommaOrEnd';
          } else if (c === ',' || c === ']' || c === '}' || c === ':') throw this.error();
          else this.beginCapture('element');
          break;
        case 'arrCommaOrEnd':
          this.pos++;
          if (c === ',') this.state = 'elem';
          else if (c === ']') this.state = this.rootIsArray ? 'done' : 'objCommaOrEnd';
          else throw this.error();
          break;
        case 'done':
          throw this.error();
      }
    }
  }

  private beginCapture(purpose: 'key' | 'field' | 'element'): void {
    const c = this.buf[this.pos];
    const kind = c === '"' ? 'string' : c === '{' || c === '[' ? 'nested' : 'scalar';
    this.captureFor = purpose;
    this.capture = { start: this.pos, scan: this.pos + 1, depth: kind === 'nested' ? 1 : 0, inString: kind === 'string', escape: false, kind, line: this.line };
  }

  /** Scans on from where the last chunk ended; returns the value's text once complete. */
  private continueCapture(final: boolean): string | undefined {
    const cap = this.capture as Capture;
    const buf = this.buf;
    let i = cap.scan;
    for (; i < buf.length; i++) {
      const c = buf[i];
      if (c === '\n') this.line++;
      if (cap.inString) {
        if (cap.escape) cap.escape = false;
        else if (c === '\\') cap.escape = true;
        else if (c === '"') {
          cap.inString = false;
          if (cap.kind === 'string') return this.take(cap, i + 1);
        }
        continue;
      }
      if (cap.kind === 'scalar') {
        if (c === ',' || c === '}' || c === ']' || WHITESPACE.has(c)) {
          if (c === '\n') this.line--; // the newline is read again as whitespace
          return this.take(cap, i);
        }
        continue;
      }
      if (c === '"') cap.inString = true;
      else if (c === '{' || c === '[') cap.depth++;
      else if (c === '}' || c === ']') {
        cap.depth--;
        if (cap.depth === 0) return this.take(cap, i + 1);
      }
    }
    cap.scan = i;
    if (final && cap.kind === 'scalar') return this.take(cap, i);
    return undefined;
  }

  private take(cap: Capture, end: number): string {
    this.pos = end;
    this.captureLine = cap.line;
    this.capture = undefined;
    return this.buf.slice(cap.start, end);
  }

  private finishCapture(text: string, events: JsonStreamEvent[]): void {
    let value: unknown;
    const line = this.captureLine;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      throw new JsonStreamError(line);
    }
    if (this.captureFor === 'key') {
      if (typeof value !== 'string') throw new JsonStreamError(line);
      this.key = value;
      this.state = 'colon';
    } else if (this.captureFor === 'field') {
      events.push({ type: 'field', name: this.key, value });
      this.state = 'objCommaOrEnd';
    } else {
      events.push({ type: 'element', array: this.arrayName, index: this.index++, value, line });
      this.state = 'arrCommaOrEnd';
    }
  }

  /** Line where the value just taken started. */
  private captureLine = 1;

  private skipWhitespace(): void {
    while (this.pos < this.buf.length && WHITESPACE.has(this.buf[this.pos])) {
      if (this.buf[this.pos] === '\n') this.line++;
      this.pos++;
    }
  }

  /** Drops text already consumed, keeping only an unfinished value. */
  private compact(): void {
    const keepFrom = this.capture !== undefined ? this.capture.start : this.pos;
    if (keepFrom === 0) return;
    this.buf = this.buf.slice(keepFrom);
    if (this.capture !== undefined) {
      this.capture.scan -= keepFrom;
      this.capture.start = 0;
    }
    this.pos -= keepFrom;
  }

  private error(): JsonStreamError {
    return new JsonStreamError(this.line);
  }
}

/** Every event of a text (a file read whole, or a test's string). */
export function* jsonEventsOfText(text: string): Generator<JsonStreamEvent> {
  const reader = new JsonStreamReader();
  yield* reader.push(text);
  yield* reader.end();
}

/** Every event of a stream of text chunks (a file read as it comes). */
export async function* jsonEventsOfChunks(chunks: AsyncIterable<string>): AsyncGenerator<JsonStreamEvent> {
  const reader = new JsonStreamReader();
  for await (const chunk of chunks) yield* reader.push(chunk);
  yield* reader.end();
}
