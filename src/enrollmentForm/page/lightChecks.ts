// Instant checks the page makes while the user types. They only catch what is obvious; the host
// re-checks everything with the attestation library before anything is sent to the service.
import type { FieldProblem, FormDraft } from '../protocol';
import { checkHubHostNames, splitHubList } from '../../dps/hubHostName';
import { CERTIFICATE_POLICY_FIELDS, certificatePolicyNameProblem, certificatePolicyProblems, type CertificatePolicyField } from '../../dps/certificatePolicy';

/** Registration / group id characters (DPS docs): alphanumerics and - . _ : ; no special first char. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9\-._:]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function checkIdText(id: string, kind: FormDraft['kind']): string | undefined {
  const value = id.trim();
  const name = kind === 'group' ? 'group id' : 'registration id';
  if (!value) return `Enter a ${name}.`;
  if (value.length > 128) return `A ${name} has at most 128 characters (this one has ${value.length}).`;
  if (!ID_PATTERN.test(value)) return `A ${name} may contain only letters, digits and - . _ : and must start with a letter or digit.`;
  if (/[._:]$/.test(value)) return `A ${name} must end with a letter, a digit or -.`;
  return undefined;
}

export function checkJsonObjectText(text: string, label: string): string | undefined {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${label} must be a JSON object, like {"building": "43"}.`;
    return undefined;
  } catch (error) {
    return `${label} are not valid JSON: ${(error as Error).message}`;
  }
}

export function checkBase64Text(text: string, label: string): string | undefined {
  const value = text.trim();
  if (!value) return undefined;
  if (!BASE64.test(value) || value.length % 4 !== 0) return `${label} must be base64 (letters, digits, + and /, padded with =).`;
  return undefined;
}

/** A typed certificate-policy name against its rule (completeness is checked on submit). */
export function checkPolicyNameText(field: CertificatePolicyField, text: string): string | undefined {
  const value = text.trim();
  return value === '' ? undefined : certificatePolicyNameProblem(field, value);
}

/**
 * The checks the page makes before it posts a submit; empty when nothing obvious is wrong. The
 * certificate policy is checked only where the connection's api-version has it (the section shows).
 */
export function lightProblems(draft: FormDraft, certificatePolicy = false): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: FieldProblem['field'], message: string | undefined): void => {
    if (message) problems.push({ field, severity: 'error', message });
  };
  add('id', checkIdText(draft.id, draft.kind));
  if (draft.attestationType === 'x509' && draft.x509Source === 'certificates' && draft.primaryCertificate.kind === 'none') {
    add('primaryCertificate', draft.kind === 'group' ? 'Choose the CA certificate that signs the devices\' certificates.' : 'Choose the device certificate.');
  }
  if (draft.attestationType === 'x509' && draft.x509Source === 'caReferences' && !draft.caReferencePrimary.trim()) {
    add('caReferencePrimary', 'Enter the name of a CA certificate registered in the DPS instance.');
  }
  if (draft.attestationType === 'tpm') {
    add('endorsementKey', draft.endorsementKey.trim() ? checkBase64Text(draft.endorsementKey, 'The endorsement key') : 'Paste the TPM endorsement key (base64).');
    add('storageRootKey', checkBase64Text(draft.storageRootKey, 'The storage root key'));
  }
  if (draft.attestationType === 'symmetricKey') {
    add('symmetricKeyPrimary', checkBase64Text(draft.symmetricKeyPrimary, 'The primary key'));
    add('symmetricKeySecondary', checkBase64Text(draft.symmetricKeySecondary, 'The secondary key'));
  }
  if (draft.allocationPolicy === 'custom' && !/^https:\/\/\S+$/.test(draft.webhookUrl.trim())) {
    add('webhookUrl', 'Custom allocation needs the https:// URL of the webhook.');
  }
  add('iotHubs', checkHubHostNames(splitHubList(draft.iotHubs)).join(' ') || undefined);
  add('tagsJson', checkJsonObjectText(draft.tagsJson, 'Initial twin tags'));
  add('desiredPropertiesJson', checkJsonObjectText(draft.desiredPropertiesJson, 'Desired properties'));
  if (certificatePolicy) {
    const values = Object.fromEntries(CERTIFICATE_POLICY_FIELDS.map((f) => [f, draft[f].trim()]));
    for (const { field, message } of certificatePolicyProblems(values)) add(field, message);
  }
  return problems;
}
