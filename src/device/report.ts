// The result of a test provisioning as Markdown: what DPS assigned, or the error and what to fix.
// Holds no secret: keys, tokens and private keys never reach it.
import { DeviceProvisioningError } from './errors';
import type { ProvisioningResult } from './client';
import type { IssuedCertificateFacts } from './issuedCertificateFiles';

const cell = (v: string | number | undefined): string => (v === undefined ? '—' : String(v).replace(/[|\r\n`]/g, ' '));

export function resultMarkdown(result: ProvisioningResult, context: { host: string; idScope: string }): string {
  return [
    `# Test device \`${cell(result.registrationId)}\` assigned`,
    '',
    '| | |',
    '|---|---|',
    `| Assigned hub | ${cell(result.assignedHub)} |`,
    `| Device id | ${cell(result.deviceId)} |`,
    `| Status | ${cell(result.status)} |`,
    `| Substatus | ${cell(result.substatus)} |`,
    `| Created | ${cell(result.createdDateTimeUtc)} |`,
    `| Last updated | ${cell(result.lastUpdatedDateTimeUtc)} |`,
    `| Operation | ${cell(result.operationId)} |`,
    `| Endpoint / ID scope | ${cell(context.host)} / ${cell(context.idScope)} |`,
    '',
    '## Returned payload',
    '',
    '```json',
    JSON.stringify(result.payload ?? null, null, 2),
    '```',
    '',
  ].join('\n');
}

/** What a person can do about an error, in one sentence. */
export function howToFix(error: DeviceProvisioningError): string {
  switch (error.kind) {
    case 'unauthorized':
      return /ID scope/i.test(error.message)
        ? 'Check the ID scope (Azure portal: the DPS instance Overview page); run the command again to enter another one.'
        : 'The credential does not match the enrollment: check the key, that the certificate is the enrolled one (or chains to the group\'s CA), and that it has not expired.';
    case 'disabled':
      return 'Enable the enrollment (and its group), then provision again.';
    case 'failed':
      return /webhook|custom allocation/i.test(error.message)
        ? 'Check the custom allocation webhook: it must answer 200 with an iotHubHostName that is one of the enrollment\'s linked hubs.'
        : 'Check the enrollment\'s IoT hubs and allocation policy.';
    case 'credential':
      return 'Check the certificate and private key files (and the passphrase), or the TPM configuration (dpsEnrollments.device.tpmTcti).';
    case 'network':
      return 'Check the network, or that the local emulator is running.';
    case 'timeout':
      return 'DPS did not finish in time: try again.';
    case 'throttled':
      return 'The instance is throttling registrations: wait a minute and try again.';
    default:
      return 'See the message and the log.';
  }
}

export function errorMarkdown(error: DeviceProvisioningError, registrationId: string): string {
  return [
    `# Test device \`${cell(registrationId)}\` was not provisioned`,
    '',
    `**${cell(error.message)}**`,
    '',
    `What to do: ${howToFix(error)}`,
    '',
    '| | |',
    '|---|---|',
    `| Kind | ${cell(error.kind)} |`,
    `| HTTP status | ${cell(error.status)} |`,
    `| Error code | ${cell(error.errorCode)} |`,
    `| Tracking id | ${cell(error.trackingId)} |`,
    '',
  ].join('\n');
}

/** The issued operational certificate (device api-version 2026-11-01): its facts and where it was saved. */
export function issuedCertificateMarkdown(facts: IssuedCertificateFacts, saved: { certificate: string; key: string }): string {
  return [
    '', // follows the payload's code fence: a heading needs its own paragraph
    '## Issued certificate',
    '',
    '| | |',
    '|---|---|',
    `| Subject | ${cell(facts.subject)} |`,
    `| Issuer | ${cell(facts.issuer)} |`,
    `| Expires | ${cell(facts.notAfter)} |`,
    `| Key type | ${cell(facts.keyType)} |`,
    `| Chain | ${cell(facts.chainLength)} certificate(s), the leaf first |`,
    `| Certificate file | ${cell(saved.certificate)} |`,
    `| Private key file | ${cell(saved.key)} (readable by you only) |`,
    '',
  ].join('\n');
}
