// Rules a request body must pass before anything parses or stores it, so hostile input gets a
// specific 4xx and the emulator stays healthy:
// - a body with a content type must be JSON (the spec's `consumes` is application/json): else 415;
// - JSON nested deeper than MAX_JSON_DEPTH: 400. Deep nesting parses, but breaks every later
//   JSON.stringify of the store (queries, saves) with a stack overflow, so it is refused up front.
// (The size limit, MAX_BODY_BYTES, is enforced while reading, in server.ts.)
import { EmulatorError, ErrorCodes, badRequest } from './errors';

/** Deepest array/object nesting accepted. Enrollment bodies need about 8 (initialTwin included). */
export const MAX_JSON_DEPTH = 32;

/** True for application/json and structured-syntax `+json` types, with any parameters. */
export function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** Nesting depth of the JSON text in `body`, counting brackets outside strings; stops past `limit`. */
export function jsonNestingDepth(body: Buffer, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** Throws the 415 or 400 a body deserves; returns quietly for an acceptable (or empty) body. */
export function checkRequestBody(body: Buffer, contentType: string | undefined): void {
  if (body.length === 0) return;
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    throw new EmulatorError(415, ErrorCodes.unsupportedMediaType, 'Request bodies must be application/json.');
  }
  if (jsonNestingDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw badRequest(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, ErrorCodes.jsonTooDeep);
  }
}
