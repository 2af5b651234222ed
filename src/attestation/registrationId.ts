// Registration id rules (API.md §4 and §6): at most 128 characters, case-insensitive, ASCII
// letters and digits plus "-", ".", "_" and ":". The spec says an id must not start or end with a
// special character; the DPS docs allow a trailing "-". We follow both: the first character must be
// alphanumeric, the last alphanumeric or "-" (the service accepts such ids, so refusing them would
// block real devices). For X.509 the id is the certificate CN, and a CN holds at most 64 characters.
import { AttestationProblem, problem } from './problems';

export const MAX_REGISTRATION_ID_LENGTH = 128;
export const MAX_COMMON_NAME_LENGTH = 64;

const ALLOWED = /^[A-Za-z0-9._:-]*$/;
const ALNUM = /[A-Za-z0-9]/;

export interface RegistrationIdOptions {
  /** The id comes from (or goes into) an X.509 CN, which limits it to 64 characters. */
  fromCommonName?: boolean;
  /** What the id is called in messages; default "The registration id" (e.g. "The enrollment group id", same rules). */
  label?: string;
}

export function checkRegistrationId(id: string, options: RegistrationIdOptions = {}): AttestationProblem[] {
  const source = options.label ?? (options.fromCommonName === true ? 'The certificate CN' : 'The registration id');
  const fix = options.fromCommonName === true
    ? 'DPS uses the CN as the registration id: issue a certificate whose CN follows these rules.'
    : 'Use letters, digits and - . _ : only.';
  if (id.length === 0) return [problem('invalidRegistrationId', `${source} is empty. ${fix}`)];
  const limit = options.fromCommonName === true ? MAX_COMMON_NAME_LENGTH : MAX_REGISTRATION_ID_LENGTH;
  const problems: AttestationProblem[] = [];
  if (id.length > limit) {
    problems.push(problem('invalidRegistrationId', `${source} has ${id.length} characters; at most ${limit} are allowed. ${fix}`));
  }
  if (!ALLOWED.test(id)) {
    const bad = [...new Set([...id].filter((ch) => !ALLOWED.test(ch)))].map(describeChar).join(', ');
    problems.push(problem('invalidRegistrationId', `${source} contains characters DPS does not allow (${bad}). ${fix}`));
  }
  const first = id[0] ?? '';
  const last = id[id.length - 1] ?? '';
  if (!ALNUM.test(first)) {
    problems.push(problem('invalidRegistrationId', `${source} starts with "${describeChar(first)}"; it must start with a letter or digit.`));
  }
  if (!ALNUM.test(last) && last !== '-') {
    problems.push(problem('invalidRegistrationId', `${source} ends with "${describeChar(last)}"; it must end with a letter, digit or "-".`));
  }
  return problems;
}

export function isValidRegistrationId(id: string, options: RegistrationIdOptions = {}): boolean {
  return checkRegistrationId(id, options).length === 0;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'space';
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : ch;
}
