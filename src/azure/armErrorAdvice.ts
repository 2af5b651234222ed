// What a person should do about an ARM error, by ARM's `error.code` (and the status when the code
// says nothing we know): the missing role and its scope for AuthorizationFailed, sign in again for a
// rejected or expired token, the resource that is gone, a certificate the service refused, how long
// to wait when throttled. Codes follow ARM's common error codes and the DPS resource provider's
// certificate operations; an unknown code falls back to the status sentence.

export interface ArmErrorFacts {
  operation: string;
  status: number;
  code?: string;
  /** ARM's own message (already shortened). */
  message?: string;
  /** The request path without query: the scope when ARM's message does not name one. */
  path?: string;
  retryAfterMs?: number;
}

/** Read-only operations of the client: a Reader role is enough for them; everything else writes. */
const READ_OPERATIONS = new Set(['Subscriptions_List', 'Tenants_List', 'IotDpsResource_ListBySubscription', 'IotDpsResource_Get', 'DpsCertificate_List', 'DpsCertificate_Get']);

const WHAT_OPERATIONS_DO: Readonly<Record<string, string>> = {
  Subscriptions_List: 'list subscriptions',
  Tenants_List: 'list directories',
  IotDpsResource_ListBySubscription: 'list provisioning services',
  IotDpsResource_Get: 'read the provisioning service',
  IotDpsResource_ListKeysForKeyName: "read a shared access policy's keys",
  DpsCertificate_List: 'list CA certificates',
  DpsCertificate_Get: 'read the CA certificate',
  DpsCertificate_CreateOrUpdate: 'upload the CA certificate',
  DpsCertificate_Delete: 'delete the CA certificate',
  DpsCertificate_GenerateVerificationCode: 'get a verification code',
  DpsCertificate_VerifyCertificate: 'verify the CA certificate',
};

const AUTH_CODES = new Set(['ExpiredAuthenticationToken', 'InvalidAuthenticationToken', 'AuthenticationFailed', 'InvalidAuthenticationTokenTenant', 'InvalidAuthenticationTokenAudience']);
const NOT_FOUND_CODES = new Set(['ResourceNotFound', 'ResourceGroupNotFound', 'SubscriptionNotFound', 'ParentResourceNotFound', 'NotFound', 'KeyNotFound']);
const THROTTLE_CODES = new Set(['TooManyRequests', 'SubscriptionRequestsThrottled', 'TenantRequestsThrottled', 'ResourceRequestsThrottled']);
const CERTIFICATE_CODES = new Set(['InvalidCertificate', 'CertificateVerificationFailed', 'CertificateExpired', 'VerificationCodeMissing', 'CertificateLimitExceeded', 'InvalidCertificateName']);

/** The sentence that leads an ArmError's message, or undefined when only the status is known. */
export function armAdvice(facts: ArmErrorFacts): string | undefined {
  const code = facts.code ?? '';
  const doing = WHAT_OPERATIONS_DO[facts.operation] ?? 'do this';
  if (code === 'AuthorizationFailed' || (facts.status === 403 && code === '')) return authorizationAdvice(facts, doing);
  if (code === 'ExpiredAuthenticationToken') return 'Your Azure sign-in has expired: sign in again (run "Add Connection from Azure…" or use the Accounts menu), then retry';
  if (code === 'InvalidAuthenticationTokenTenant') return 'The sign-in belongs to another directory (tenant) than this resource: sign in to the directory that holds the subscription';
  if (AUTH_CODES.has(code) || facts.status === 401) return 'Azure did not accept the sign-in: sign in again (run "Add Connection from Azure…"), then retry';
  if (code === 'SubscriptionNotFound') return 'The subscription was not found, or this account cannot see it: check the signed-in account and directory';
  if (code === 'ResourceGroupNotFound') return 'The resource group was not found (deleted, or not visible to this account): refresh the connection or add it again';
  if (code === 'KeyNotFound') return 'That shared access policy does not exist on the instance: check its name under "Shared access policies" in the portal';
  if (NOT_FOUND_CODES.has(code) || facts.status === 404) return `${facts.operation.startsWith('DpsCertificate') ? 'The CA certificate' : 'The resource'} was not found (deleted, or not visible to this account): refresh and try again`;
  if (THROTTLE_CODES.has(code) || facts.status === 429) return throttleAdvice(facts.retryAfterMs);
  if (CERTIFICATE_CODES.has(code) || (facts.operation === 'DpsCertificate_VerifyCertificate' && facts.status === 400)) return certificateAdvice(code, facts.operation);
  if (code === 'PreconditionFailed' || facts.status === 412) return 'The resource changed since it was read (ETag mismatch): refresh it and try again';
  return undefined;
}

function authorizationAdvice(facts: ArmErrorFacts, doing: string): string {
  const action = /perform action '([^']+)'/.exec(facts.message ?? '')?.[1];
  const scope = /over scope '([^']+)'/.exec(facts.message ?? '')?.[1] ?? facts.path;
  const reads = action !== undefined ? /\/read$/i.test(action) : READ_OPERATIONS.has(facts.operation);
  const role = reads ? '"Reader" (or any role that reads it)' : '"Contributor" (or a role that allows this action)';
  return `The signed-in account may not ${doing}${action ? ` (${action})` : ''}: it needs ${role} on ${scope ? `scope ${scope}` : 'the provisioning service'}. Ask an owner of the subscription to assign it; if it was assigned just now, sign in again`;
}

function throttleAdvice(retryAfterMs: number | undefined): string {
  const wait = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : undefined;
  return `Azure Resource Manager is throttling requests: ${wait !== undefined ? `wait ${wait} s (it asked for that) and try again` : 'wait a moment and try again'}`;
}

function certificateAdvice(code: string, operation: string): string {
  switch (code) {
    case 'CertificateExpired':
      return 'The CA certificate has expired and cannot be verified: upload a current CA certificate';
    case 'VerificationCodeMissing':
      return 'There is no verification code for this certificate yet: run "Verify (proof of possession)…" again, which asks for a fresh one';
    case 'CertificateLimitExceeded':
      return 'The instance holds as many CA certificates as it may: delete one it no longer needs first';
    case 'InvalidCertificateName':
      return 'The certificate name is not valid: use 1 to 128 letters, digits, dots, dashes and underscores';
    default:
      return operation === 'DpsCertificate_VerifyCertificate'
        ? 'The proof of possession was refused: the verification certificate must be signed by the private key of the uploaded CA and carry the latest verification code as its common name. Choose the key that matches the CA and try again (a new code is fetched each time)'
        : 'Azure refused the certificate: send one X.509 CA certificate as PEM or DER (.pem, .cer, .crt)';
  }
}
