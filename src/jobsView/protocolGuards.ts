// Runtime checks of what the Jobs page posts: the page renders service data, so the host accepts a
// message only when its type is known and every field has the exact expected shape and bounds.
// The form's guards follow the same rules (src/enrollmentForm/protocolGuards.ts).
import { MAX_PAGE_ROWS, MAX_SEARCH_LENGTH, OUTCOME_FILTERS, SAVE_FORMATS, type PageMessage, type SaveFormat } from './protocol';

export class MessageRejection {
  constructor(readonly reason: string) {}
}

type Obj = Record<string, unknown>;

function isPlainObject(value: unknown): value is Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function exactKeys(value: Obj, keys: readonly string[]): string | undefined {
  for (const key of keys) if (!Object.prototype.hasOwnProperty.call(value, key)) return `missing field "${key}"`;
  for (const key of Object.keys(value)) if (!keys.includes(key)) return `unexpected field "${key.slice(0, 40)}"`;
  return undefined;
}

function isIndex(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function parsePageMessage(raw: unknown): PageMessage | MessageRejection {
  if (!isPlainObject(raw)) return new MessageRejection('message is not an object');
  const refuse = (reason: string | undefined): MessageRejection | undefined => (reason === undefined ? undefined : new MessageRejection(`${String(raw.type).slice(0, 40)}: ${reason}`));
  switch (raw.type) {
    case 'ready':
    case 'run':
    case 'cancel':
    case 'retryFailed':
      return refuse(exactKeys(raw, ['type'])) ?? { type: raw.type };
    case 'query': {
      const bad = exactKeys(raw, ['type', 'requestId', 'filter', 'search', 'offset', 'limit'])
        ?? (isIndex(raw.requestId) ? undefined : 'requestId must be a whole number')
        ?? (isOneOf(OUTCOME_FILTERS, raw.filter) ? undefined : 'filter is unknown')
        ?? (typeof raw.search === 'string' && raw.search.length <= MAX_SEARCH_LENGTH ? undefined : `search must be text of at most ${MAX_SEARCH_LENGTH} characters`)
        ?? (isIndex(raw.offset) ? undefined : 'offset must be a whole number')
        ?? (isIndex(raw.limit, MAX_PAGE_ROWS) && raw.limit > 0 ? undefined : `limit must be 1 to ${MAX_PAGE_ROWS}`);
      return refuse(bad) ?? (raw as unknown as PageMessage);
    }
    case 'save':
      return refuse(exactKeys(raw, ['type', 'format']) ?? (isOneOf(SAVE_FORMATS, raw.format) ? undefined : 'format is unknown')) ?? { type: 'save', format: raw.format as SaveFormat };
    case 'pageProblem':
      return refuse(exactKeys(raw, ['type', 'reason']) ?? (typeof raw.reason === 'string' && raw.reason.length <= 500 ? undefined : 'reason must be short text'))
        ?? { type: 'pageProblem', reason: raw.reason as string };
    default:
      return new MessageRejection(`unknown message type "${String(raw.type).slice(0, 40)}"`);
  }
}
