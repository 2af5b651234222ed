// Places a service error next to the field it concerns. DPS publishes no table of error codes
// (API.md §5), so the mapping uses the HTTP status plus the words of the service's message;
// whatever cannot be placed stays a form-level error. No `vscode` import: unit-tested in Node.

import type { FieldProblem, FormField, FormMode } from './protocol';
import type { ItemKind } from '../dps/items';

/** The parts of a DpsError (src/dps/errors.ts) the placement needs. */
export interface ServiceErrorLike {
  message: string;
  status?: number;
  errorCode?: number;
  kind?: string;
}

/** Words in a service message, most specific first, and the field they point at. */
const FIELD_HINTS: readonly [RegExp, FormField][] = [
  // Before the certificate words below: these messages say "certificate" too.
  [/namespaceName|device registry namespace/i, 'namespaceName'],
  [/certificatePolicyName|certificate policy/i, 'certificatePolicyName'],
  [/certificateAuthorityName|certificate authority/i, 'certificateAuthorityName'],
  [/endorsement\s*key|endorsementKey/i, 'endorsementKey'],
  [/storage\s*root\s*key|storageRootKey/i, 'storageRootKey'],
  [/secondary\s*key|secondaryKey/i, 'symmetricKeySecondary'],
  [/primary\s*key|primaryKey|symmetric/i, 'symmetricKeyPrimary'],
  [/ca\s*reference|caReferences?/i, 'caReferencePrimary'],
  [/secondary.*certificate|certificate.*secondary/i, 'secondaryCertificate'],
  [/certificate|x509|thumbprint/i, 'primaryCertificate'],
  [/webhook/i, 'webhookUrl'],
  [/apiVersion|api version/i, 'webhookApiVersion'],
  [/iot\s*hub|iotHubs?|hostName|linked hub/i, 'iotHubs'],
  [/allocation/i, 'allocationPolicy'],
  [/\btags?\b/i, 'tagsJson'],
  [/desired|initialTwin|twin/i, 'desiredPropertiesJson'],
  [/device\s*id|deviceId/i, 'deviceId'],
  [/registration\s*id|registrationId|enrollment\s*group\s*id|enrollmentGroupId|group\s*id/i, 'id'],
];

export interface PlacedServiceError {
  /** One sentence for the banner at the top of the form. */
  summary: string;
  problems: FieldProblem[];
}

/** Turns a service (or network) error into a banner sentence and, where possible, a field error. */
export function placeServiceError(error: ServiceErrorLike, context: { kind: ItemKind; mode: FormMode }): PlacedServiceError {
  const what = context.kind === 'group' ? 'enrollment group' : 'enrollment';
  const serviceText = error.message.trim() || 'The service gave no reason.';
  const status = error.status;
  const form = (message: string): PlacedServiceError => ({ summary: message, problems: [{ field: 'form', severity: 'error', message }] });

  if (status === 412) {
    return form(`The ${what} was changed by someone else since this form was opened. Nothing was saved; reopen it to see the current version, or copy your changes first.`);
  }
  if (status === 409 && context.mode === 'create') {
    const message = `An ${what} with this id already exists. Choose another id, or open the existing one to update it.`;
    return { summary: message, problems: [{ field: 'id', severity: 'error', message }] };
  }
  if (status === 404 && context.mode === 'update') {
    return form(`The ${what} no longer exists on the service (it may have been deleted). Nothing was saved.`);
  }
  if (status === 401 || status === 403) {
    return form(`The service refused the connection's credentials (HTTP ${status}). Update the connection and try again; your input is kept.`);
  }
  if (status === 429) {
    return form('The service is throttling requests (HTTP 429). Wait a moment and submit again; your input is kept.');
  }
  if (status === undefined || status >= 500) {
    const reason = status === undefined ? 'could not be reached' : `failed (HTTP ${status})`;
    return form(`The service ${reason}: ${serviceText} Your input is kept; submit again when it is back.`);
  }
  for (const [pattern, field] of FIELD_HINTS) {
    if (pattern.test(serviceText)) {
      return {
        summary: `The service refused the ${what} (HTTP ${status}).`,
        problems: [{ field, severity: 'error', message: serviceText, ...(error.errorCode === undefined ? {} : { code: String(error.errorCode) }) }],
      };
    }
  }
  return form(`The service refused the ${what} (HTTP ${status}): ${serviceText}`);
}
