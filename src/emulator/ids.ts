// Registration and enrollment group id rules (API.md §6): at most 128 characters of [A-Za-z0-9-._:],
// first character alphanumeric, last alphanumeric or '-'. Ids are case-insensitive, so lookups use keyOf().
import { ErrorCodes, badRequest } from './errors';

export const MAX_ID_LENGTH = 128;
const ALLOWED = /^[A-Za-z0-9\-._:]+$/;

/** The reason an id is invalid, or undefined when it is fine. */
export function idProblem(id: unknown, label: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return `${label} is required and must be a non-empty string.`;
  if (id.length > MAX_ID_LENGTH) return `${label} is ${id.length} characters long; at most ${MAX_ID_LENGTH} are allowed.`;
  if (!ALLOWED.test(id)) return `${label} may contain only letters, digits and - . _ :`;
  if (!/^[A-Za-z0-9]/.test(id)) return `${label} must start with a letter or digit.`;
  if (!/[A-Za-z0-9-]$/.test(id)) return `${label} must end with a letter, digit or '-'.`;
  return undefined;
}

export function assertValidId(id: unknown, label: string): string {
  const problem = idProblem(id, label);
  if (problem !== undefined) throw badRequest(problem, ErrorCodes.invalidId);
  return id as string;
}

/** Map key for a case-insensitive id. */
export function keyOf(id: string): string {
  return id.toLowerCase();
}
