// contextValue is a set of capability tokens joined by ';' (e.g. "enrollment;individual;x509;enabled").
// package.json menus match single tokens with a regex, so an action shows only where it applies.
import type { AttestationType, ProvisioningStatus } from '../dps/models';
import type { ItemKind } from '../dps/items';

/** Every token a node can carry; menus in package.json may match only these (a unit test checks). */
export const contextTokens = [
  'connection',
  'emulator',
  'category',
  'enrollments',
  'enrollmentGroups',
  'enrollment',
  'individual',
  'group',
  'registration',
  'caCertificates',
  'caCertificate',
  'verified',
  'unverified',
  'loadMore',
  'error',
  'auth',
  'message',
  'enabled',
  'disabled',
  'hasKeys',
  'refreshable',
  'x509',
  'symmetricKey',
  'tpm',
  'none',
] as const satisfies ReadonlyArray<string>;

export type ContextToken = (typeof contextTokens)[number];

// Attestation types are tokens too: this fails to compile if the model gains a type the list lacks.
const _attestationTypesAreTokens: AttestationType extends ContextToken ? true : never = true;
void _attestationTypesAreTokens;

export function contextValue(...tokens: Array<ContextToken | false | undefined>): string {
  return tokens.filter((t): t is ContextToken => typeof t === 'string').join(';');
}

export function hasToken(value: string, token: ContextToken): boolean {
  return value.split(';').includes(token);
}

export function enrollmentContext(
  kind: ItemKind,
  type: AttestationType,
  status: ProvisioningStatus | undefined,
  ...extra: ContextToken[]
): string {
  const effective: ProvisioningStatus = status === 'disabled' ? 'disabled' : 'enabled';
  return contextValue(
    kind,
    kind === 'enrollment' && 'individual',
    type,
    effective,
    type === 'symmetricKey' && 'hasKeys',
    ...extra,
  );
}
