// Symmetric keys: DPS keys are base64 of 16-64 random bytes. Devices in a symmetric-key group
// authenticate with a key derived from the group key and their registration id:
// base64(HMAC-SHA256(key = base64decode(groupKey), message = registrationId as UTF-8)).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AttestationError, AttestationProblem, problem, warning } from './problems';
import { checkRegistrationId } from './registrationId';

export const GENERATED_KEY_BYTES = 64;
export const MIN_KEY_BYTES = 16;
export const MAX_KEY_BYTES = 64;

/** 64 random bytes as base64, the size the portal generates. */
export function generateSymmetricKey(): string {
  return randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/** Problems with a supplied key; the key itself never appears in a message. */
export function checkSymmetricKey(key: string, field = 'key'): AttestationProblem[] {
  const text = key.trim();
  if (text === '') return [problem('keyEmpty', `The ${field} is empty. Leave it out to have one generated, or paste a base64 key.`, field)];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    return [problem('keyNotBase64', `The ${field} is not base64. A DPS key is base64 of 16 to 64 random bytes; generate one instead of typing a password.`, field)];
  }
  const length = Buffer.from(text, 'base64').length;
  if (length < MIN_KEY_BYTES || length > MAX_KEY_BYTES) {
    return [problem('keyWrongLength', `The ${field} decodes to ${length} bytes; DPS keys must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes.`, field)];
  }
  return [];
}

function requireKey(key: string, field: string): Buffer {
  const problems = checkSymmetricKey(key, field);
  const first = problems[0];
  if (first !== undefined) throw new AttestationError(first);
  return Buffer.from(key.trim(), 'base64');
}

/** The key a device of a symmetric-key group uses; throws if the group key or id is invalid. */
export function deriveDeviceKey(groupKey: string, registrationId: string): string {
  const key = requireKey(groupKey, 'group key');
  const idProblem = checkRegistrationId(registrationId)[0];
  if (idProblem !== undefined) throw new AttestationError(idProblem);
  return hmacBase64(key, registrationId);
}

function hmacBase64(key: Buffer, registrationId: string): string {
  return createHmac('sha256', key).update(registrationId, 'utf8').digest('base64');
}

export interface DerivedDeviceKey {
  registrationId: string;
  derivedKey: string;
}

export interface RejectedRegistrationId {
  registrationId: string;
  problems: AttestationProblem[];
}

export interface DeriveDeviceKeysResult {
  keys: DerivedDeviceKey[];
  rejected: RejectedRegistrationId[];
}

/**
 * Batch form for provisioning many devices: each valid id gets its key, each invalid or
 * repeated id is reported with its reasons. Throws only if the group key itself is unusable.
 */
export function deriveDeviceKeys(groupKey: string, registrationIds: readonly string[]): DeriveDeviceKeysResult {
  const key = requireKey(groupKey, 'group key');
  const keys: DerivedDeviceKey[] = [];
  const rejected: RejectedRegistrationId[] = [];
  const seen = new Set<string>();
  for (const registrationId of registrationIds) {
    const problems = checkRegistrationId(registrationId);
    // Registration ids are case-insensitive, so "Dev1" and "dev1" are the same device.
    const folded = registrationId.toLowerCase();
    if (problems.length === 0 && seen.has(folded)) {
      problems.push(problem('invalidRegistrationId', `The registration id "${registrationId}" appears more than once (ids are case-insensitive).`));
    }
    if (problems.length > 0) {
      rejected.push({ registrationId, problems });
      continue;
    }
    seen.add(folded);
    keys.push({ registrationId, derivedKey: hmacBase64(key, registrationId) });
  }
  return { keys, rejected };
}

export interface KeyMismatchInput {
  groupKey: string;
  registrationId: string;
  /** The key the device (or its configuration) actually uses. */
  deviceKey: string;
}

/**
 * Explains why a device of a symmetric-key group fails to authenticate when the usual cause is a
 * key mix-up: the group key pasted where the derived key belongs, the two swapped, or a key derived
 * for another id or group. Returns no problem when the device key is the right derived key.
 */
export function describeKeyMismatch(input: KeyMismatchInput): AttestationProblem[] {
  const group = requireKey(input.groupKey, 'group key');
  const device = requireKey(input.deviceKey, 'device key');
  const idProblem = checkRegistrationId(input.registrationId)[0];
  if (idProblem !== undefined) return [idProblem];
  const expected = Buffer.from(hmacBase64(group, input.registrationId), 'base64');
  if (sameBytes(device, expected)) return [];
  if (sameBytes(device, group)) {
    return [problem('groupKeyAsDeviceKey', `The device is configured with the group key itself. A device in a symmetric-key group needs its derived key: base64(HMAC-SHA256(group key, "${input.registrationId}")). Derive it and keep the group key off the device.`, 'deviceKey')];
  }
  const swapped = Buffer.from(hmacBase64(device, input.registrationId), 'base64');
  if (sameBytes(group, swapped)) {
    return [problem('keysSwapped', 'The group key and the device key are swapped: the "group key" given is the key derived from the "device key". Use the enrollment group\'s primary key as the group key.', 'groupKey')];
  }
  return [warning('derivedKeyMismatch', `The device key is not the key derived from this group key for "${input.registrationId}". It was derived for another registration id or from another group key (perhaps the secondary key).`, 'deviceKey')];
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
